#include <immintrin.h>
/* kernels3/zen/1/ next to kernels3/armv8a/: per-micro-architecture kernel folders. */
void axpy(double *y, const double *x) {
    // ruleid: c-x86-code-already-ported
    _mm256_storeu_pd(y, _mm256_add_pd(_mm256_loadu_pd(y), _mm256_loadu_pd(x)));
}
