crc32_pmull:
    pmull v0.1q, v1.1d, v2.1d
    ret
