/* The #if grammar: hex literals, & | ^ ~, character literals, and macros this file sets per architecture. */
#include <stdint.h>
#define PY_VERSION_HEX 0x030B00F0
#if defined(__x86_64__) && PY_VERSION_HEX >= 0x03080000
#include <immintrin.h>
// ok: c-x86-intrinsics
static __m256 twice(__m256 v) { return _mm256_add_ps(v, v); }
#endif

#define VEC_SCALAR 0
#define VEC_AVX512 3
#define VEC_NEON 4
#if defined(__ARM_NEON) && (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
#define VEC VEC_NEON
#elif defined(__AVX512F__)
#define VEC VEC_AVX512
#else
#define VEC VEC_SCALAR
#endif
#if VEC == VEC_AVX512
// ok: c-x86-intrinsics
static __m512 zero512(void) { return _mm512_setzero_ps(); }
#endif

/* A project's target constant compared with an unknown selector is an x86 dispatch test. */
#if HWY_TARGET <= HWY_AVX3
// ok: c-x86-intrinsics
static __m512i load512(const void *p) { return _mm512_loadu_si512(p); }
#endif

/* Macros named after x86 micro-architectures are off on aarch64; negative switches and
   names that merely contain an architecture word are not decided. */
#ifdef SZ_USE_HASWELL
// ok: c-x86-intrinsics
static __m256i ones(void) { return _mm256_set1_epi8(1); }
#endif
#if !defined(DISABLE_AVX2)
// ruleid: c-x86-intrinsics
static __m256i twos(void) { return _mm256_set1_epi8(2); }
#endif
#if defined(LOW_POWER_MODE) && ('a' | 0x20) == 'a'
// ruleid: c-x86-intrinsics
static __m128i threes(void) { return _mm_set1_epi8(3); }
#endif
