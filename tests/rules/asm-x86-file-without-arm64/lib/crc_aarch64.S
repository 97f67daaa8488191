    .globl crc
crc:
    crc32cx w0, w0, x1
    ret
