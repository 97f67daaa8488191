/* Only included under an x86 guard, by crc_dispatch.c. */
// ruleid: c-x86-code-already-ported
static inline __m256i add8(__m256i a, __m256i b) { return _mm256_add_epi8(a, b); }
