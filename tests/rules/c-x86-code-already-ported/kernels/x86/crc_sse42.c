#include <nmmintrin.h>
unsigned crc(unsigned c, const unsigned char *p, int n) {
    // ruleid: c-x86-code-already-ported
    for (int i = 0; i < n; i++) c = _mm_crc32_u8(c, p[i]);
    return c;
}
