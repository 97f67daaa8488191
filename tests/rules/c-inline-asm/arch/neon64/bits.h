/* A file named after NEON is Arm code: its assembly is not x86. */
static inline unsigned long rev(unsigned long v) {
    unsigned long r;
    // ok: c-inline-asm
    __asm__("rev %0, %1" : "=r"(r) : "r"(v));
    return r;
}
