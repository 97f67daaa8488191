    .text
    .globl fast_copy
fast_copy:
    // ruleid: asm-x86-file-without-arm64
    movq %rdi, %rax
    rep movsb
    ret
