#if defined(__x86_64__)
// ok: c-x86-intrinsics
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif
#ifdef USE_SSE
// ruleid: c-x86-intrinsics
static __m128 twice(__m128 v) { return _mm_add_ps(v, v); }
#endif
