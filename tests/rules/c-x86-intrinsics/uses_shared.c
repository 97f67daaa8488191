#include "shared_macros.h"
/* The expansion is x86 code compiled on aarch64, but only the macro's header names an intrinsic. */
int sum(int a, int b) {
    // todoruleid: c-x86-intrinsics
    return (int)(long)SHARED_ADD(a, b);
}
