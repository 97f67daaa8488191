#if defined(__x86_64__)
// ok: c-x86-intrinsics
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif
#ifdef FAST_PATH
// ruleid: c-x86-intrinsics
static __m128 twice(__m128 v) { return _mm_add_ps(v, v); }
#endif
#ifdef USE_SSE4_2
/* a project macro named after an x86 feature is assumed off on aarch64 */
// ok: c-x86-intrinsics
static unsigned crc(unsigned c, unsigned char b) { return _mm_crc32_u8(c, b); }
#endif
