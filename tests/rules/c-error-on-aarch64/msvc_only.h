/* About the compiler, not the architecture: this stops x86 Linux builds just the same. */
#ifndef _MSC_VER
// ok: c-error-on-aarch64
#error "Use this header only with Microsoft Visual C++ compilers!"
#endif
