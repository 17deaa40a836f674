//! The global allocator: mimalloc 2 (its version 3 takes 46 more page faults to start and 3% more
//! instructions for a one-file check), built without transparent huge pages (a fresh 2 MiB page
//! costs a one-file run about 0.5 ms to fault in).
//!
//! Written here rather than taken from the `mimalloc` crate, whose allocator sends every request
//! through `mi_malloc_aligned`: that alignment path cost ~10% of the instructions of loading
//! the compose corpus. Requests aligned to a word or less, nearly all of them, go to `mi_malloc`,
//! which aligns every block to at least a word.
//!
//! The one module allowed `unsafe` (the crate denies it in Cargo.toml `[lints]`): a global
//! allocator is an `unsafe` trait by definition.

#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use libmimalloc_sys as ffi;

/// The alignment `mi_malloc` guarantees for any size (its smallest size classes are words).
const WORD: usize = core::mem::size_of::<usize>();

pub struct Mimalloc;

// SAFETY: each method forwards to the mimalloc function with the same contract (a null pointer
// on failure, blocks aligned as requested: by `mi_malloc` up to a word, by the `_aligned`
// variants beyond), and `dealloc` frees with `mi_free`, which accepts blocks from either.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD {
                ffi::mi_malloc(layout.size()) as *mut u8
            } else {
                ffi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD {
                ffi::mi_zalloc(layout.size()) as *mut u8
            } else {
                ffi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator.
        unsafe { ffi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the block keeps its alignment.
        unsafe {
            if layout.align() <= WORD {
                ffi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                ffi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::alloc::{GlobalAlloc, Layout};

    #[test]
    fn blocks_are_aligned_as_requested() {
        let a = super::Mimalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 24, 40, 100, 1000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; every block is freed with its layout.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(
                        !p.is_null() && (p as usize).is_multiple_of(align),
                        "{size}/{align}"
                    );
                    let z = a.alloc_zeroed(layout);
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    assert!((z as usize).is_multiple_of(align), "zeroed {size}/{align}");
                    let r = a.realloc(p, layout, size * 3);
                    assert!(
                        !r.is_null() && (r as usize).is_multiple_of(align),
                        "realloc {size}/{align}"
                    );
                    a.dealloc(r, Layout::from_size_align(size * 3, align).unwrap());
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
