; Included only by NASM sources (%include): an x86 assembler's include file.
%define arg0 rdi
; ok: asm-x86-file-without-arm64
mov rax, rdi
