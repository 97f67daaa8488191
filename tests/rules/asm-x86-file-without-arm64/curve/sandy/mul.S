    .text
mul:
    // ok: asm-x86-file-without-arm64
    mulq %rsi
    ret
