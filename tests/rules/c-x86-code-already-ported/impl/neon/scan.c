int scan(const char *p) { return p[0]; }
