unsigned crc32(unsigned c, unsigned char b) { return c ^ b; }
