#include <wmmintrin.h>
/* ghash_clmul.c next to ghash_pmull.c (Arm) and ghash_portable.c: variants of one module. */
// ruleid: c-x86-code-already-ported
__m128i mul(__m128i a, __m128i b) {
    return _mm_clmulepi64_si128(a, b, 0);
}
