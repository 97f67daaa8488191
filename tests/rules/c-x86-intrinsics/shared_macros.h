/* A header's macro that no line of this file expands: a warning, judged where it is used. */
// ruleid: c-x86-intrinsics
#define SHARED_ADD(a, b) _mm_add_epi32((a), (b))
