/* Names the project defines itself are its own macros, not the compiler's intrinsics. */
#include <stdlib.h>
#if defined(_MSC_VER)
#include <malloc.h>
#else
#define _mm_malloc(size, align) aligned_alloc((align), (size))
#define _mm_free(p) free(p)
#endif
