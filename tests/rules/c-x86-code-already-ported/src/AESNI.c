#include <wmmintrin.h>
/* Named after AES-NI, in a folder that also holds AES_armv8.c: a per-target variant (weaker evidence). */
// ruleid: c-x86-code-already-ported
__m128i round1(__m128i s, __m128i k) {
    return _mm_aesenc_si128(s, k);
}
