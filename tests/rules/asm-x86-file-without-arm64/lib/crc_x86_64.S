    .globl crc
crc:
    // ok: asm-x86-file-without-arm64
    crc32q %rsi, %rdi
    ret
