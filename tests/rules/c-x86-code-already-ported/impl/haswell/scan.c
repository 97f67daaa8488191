#include <immintrin.h>
/* haswell/ next to neon/: the per-architecture folder layout of a ported library. */
int scan(const char *p) {
    // ruleid: c-x86-code-already-ported
    __m256i v = _mm256_loadu_si256((const __m256i *)p);
    return _mm256_movemask_epi8(v);
}
