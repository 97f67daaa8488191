int portable(void) { return 0; }
