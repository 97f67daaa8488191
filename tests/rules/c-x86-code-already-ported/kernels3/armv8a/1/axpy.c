void axpy(double *y, const double *x) { y[0] += x[0]; }
