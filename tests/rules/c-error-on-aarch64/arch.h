#if defined(__x86_64__)
#define CACHELINE 64
#elif defined(__powerpc64__)
#define CACHELINE 128
#else
// ruleid: c-error-on-aarch64
#error "unsupported architecture"
#endif
#if !defined(__linux__)
// ok: c-error-on-aarch64
#error "Linux only"
#endif
