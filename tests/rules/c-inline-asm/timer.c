#include <stdint.h>
uint64_t ticks(void) {
    uint32_t lo, hi;
    // ruleid: c-inline-asm
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
void barrier(void) {
#if defined(__aarch64__)
    // ok: c-inline-asm
    __asm__ __volatile__("dmb ish" ::: "memory");
#else
    // ok: c-inline-asm
    __asm__ __volatile__("mfence" ::: "memory");
#endif
}
