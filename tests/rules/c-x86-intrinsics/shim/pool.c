#include "memory.h"
/* MM_PREFETCH is set by an x86 compile check of _mm_prefetch: off on aarch64. */
#if MM_PREFETCH
// ok: c-x86-intrinsics
#include <xmmintrin.h>
#endif
void *grab(size_t n) {
    // ok: c-x86-intrinsics
    return _mm_malloc(n, 64);
}
