def create(e, c): return 1
