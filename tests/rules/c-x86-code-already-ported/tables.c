#include <stdint.h>
/* A per-architecture table: the macro picks the x86 or the NEON intrinsic it is given. */
#define CONTAINER_FN(name, avx_intrinsic, neon_intrinsic) int name##_fn(void);
// ruleid: c-x86-code-already-ported
CONTAINER_FN(or, _mm256_or_si256, vorrq_u64)
/* One arm of a chain over architectures; another arm tests PowerPC and the #else is portable. */
uint16_t to_half(float f) {
#if defined(NPY_HAVE_FP16)
    // ruleid: c-x86-code-already-ported
    return (uint16_t)_mm_cvtsi128_si32(_mm_cvtps_ph(_mm_set_ss(f), 0));
#elif defined(NPY_HAVE_VSX3)
    return 0;
#else
    return (uint16_t)f;
#endif
}
