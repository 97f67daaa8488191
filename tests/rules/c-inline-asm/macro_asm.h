/* x86 assembly in a macro the header never expands: a warning, judged where it is used. */
#if defined(HAVE_INLINE_ASM)
// ruleid: c-inline-asm
#define SHIFT_RIGHT(src, bits, dst) __asm volatile("shrx %1, %2, %0" : "=r"(dst) : "r"(bits), "r"(src))
#endif
