// ruleid: rust-x86-arch-code
use std::arch::x86_64::*;

pub unsafe fn zero() -> __m128 { _mm_setzero_ps() }
