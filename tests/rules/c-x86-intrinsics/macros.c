#include <emmintrin.h>
/* Intrinsics in a macro count where the macro is expanded. */
// ruleid: c-x86-intrinsics
#define LOAD(p) _mm_loadu_si128((const __m128i *)(p))
#if defined(__SSE2__)
// ok: c-x86-intrinsics
#define STORE(p, v) _mm_storeu_si128((__m128i *)(p), (v))
#endif
__m128i first(const void *p) { return LOAD(p); }
