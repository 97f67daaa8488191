/* An assembler comment, a label built by a macro, and Arm instructions are not x86 assembly. */
#define NAME2(x) #x
#define NAME1(x) NAME2(x)
// ok: c-inline-asm
#define DEBUG_BLOCK(name) __asm volatile("# LLVM-MCA-BEGIN " #name);
// ok: c-inline-asm
#define UNIQUE_NAME() asm(NAME1(.section.__COUNTER__))
static unsigned long reverse_bits(unsigned long v) {
    unsigned long r;
    // ok: c-inline-asm
    __asm("rbit %0, %1" : "=r"(r) : "r"(v));
    return r;
}
