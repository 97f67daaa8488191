/* Assembled only when automake's HAVE_AVX_ASM is set; includes the multiplication. */
#include "mul.S"
    .text
ladder:
    // ok: asm-x86-file-without-arm64
    movq %rdi, %rax
    ret
