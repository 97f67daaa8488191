#[cfg(target_arch = "x86_64")]
// ok: rust-x86-arch-code
use std::arch::x86_64::*;
#[cfg(target_arch = "aarch64")]
use std::arch::aarch64::*;
