/* Another architecture's assembly behind a project macro is not an aarch64 problem. */
#if MYLIB_ARCH_POWER
// ok: c-inline-asm
#define BARRIER() __asm__ __volatile__("lwsync" ::: "memory")
#endif
#ifdef MYLIB_CUSTOM_BARRIER
// ok: c-inline-asm
#define BARRIER2() __asm__ __volatile__("sync" ::: "memory")
#endif
/* An assembler label names a symbol; it holds no instruction. */
// ok: c-inline-asm
extern int counter asm("renamed_counter");
/* An empty asm statement is a compiler barrier on every architecture. */
static inline void keep(int *p) {
    // ok: c-inline-asm
    asm volatile("" : "+m"(*p));
}
