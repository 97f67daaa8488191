#include <stdint.h>
#include <stddef.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Sum bytes, with an AVX2 path on x86 and a portable fallback elsewhere. */
uint64_t checksum(const uint8_t *data, size_t len) {
    uint64_t total = 0;
    size_t i = 0;
#if defined(__AVX2__)
    __m256i acc = _mm256_setzero_si256();
    for (; i + 32 <= len; i += 32) {
        __m256i chunk = _mm256_loadu_si256((const __m256i *)(data + i));
        acc = _mm256_add_epi64(acc, _mm256_sad_epu8(chunk, _mm256_setzero_si256()));
    }
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, acc);
    total = lanes[0] + lanes[1] + lanes[2] + lanes[3];
#endif
    for (; i < len; i++) {
        total += data[i];
    }
    return total;
}

uint64_t cycles(void) {
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
