#include <stdint.h>
/* In tests/: a warning, the product's build does not compile it. */
uint64_t cycles(void) {
    // ruleid: c-x86-intrinsics
    return __rdtsc();
}
