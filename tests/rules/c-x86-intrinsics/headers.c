/* Only x86 *intrin.h headers are x86 SIMD headers: MSVC's <intrin.h> and LoongArch's are not. */
#if defined(_MSC_VER) && defined(_M_ARM64)
// ok: c-x86-intrinsics
#include <intrin.h>
#endif
#if defined(__loongarch_sx)
// ok: c-x86-intrinsics
#include <lsxintrin.h>
#endif
#if __has_include(<immintrin.h>)
// ok: c-x86-intrinsics
#include <immintrin.h>
#endif
// ruleid: c-x86-intrinsics
#include "emmintrin.h"
