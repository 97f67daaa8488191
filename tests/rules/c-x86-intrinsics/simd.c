// ruleid: c-x86-intrinsics
#include <immintrin.h>
#include <stdint.h>

void add(float *a, const float *b) {
    // ruleid: c-x86-intrinsics
    __m256 x = _mm256_loadu_ps(a);
    _mm256_storeu_ps(a, _mm256_add_ps(x, _mm256_loadu_ps(b)));
}
