#include <stdint.h>
#include <stddef.h>
uint64_t sum(const uint8_t *p, size_t n) {
    uint64_t t = 0;
    size_t i = 0;
#if defined(__AVX2__)
    // ruleid: c-x86-code-already-ported
    __m256i acc = _mm256_setzero_si256();
    (void)acc;
#elif defined(__ARM_NEON)
    uint64x2_t acc = vdupq_n_u64(0);
    (void)acc;
#endif
    for (; i < n; i++) t += p[i];
    return t;
}
