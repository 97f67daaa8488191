/* An x86-only dispatcher that setup.py adds to the build only on x86. */
#if !(defined(__x86_64__) || defined(__i386__))
// ok: c-error-on-aarch64
#error "Dispatching is only supported on x86 and x86_64."
#endif
// ruleid: c-x86-code-already-ported
#include <immintrin.h>
