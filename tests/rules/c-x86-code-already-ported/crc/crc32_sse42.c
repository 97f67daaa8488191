#include <nmmintrin.h>
/* crc32.c next to crc32_sse42.c is the portable version. */
unsigned crc32_sse42(unsigned c, unsigned char b) {
    // ruleid: c-x86-code-already-ported
    return _mm_crc32_u8(c, b);
}
