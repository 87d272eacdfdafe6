//! The AVX-512 VNNI kernel: one `vpdpbusd` multiplies 4 input bytes of a row by a packed
//! tile and adds them into 16 output sums.
//!
//! The micro-kernel keeps a tile of [`ROWS`] rows × [`BLOCKS`] blocks of 16 outputs in
//! 24 of the 32 zmm registers: each group of 4 inputs loads 4 weight tiles and broadcasts
//! 6 activation words, then runs 24 `vpdpbusd`, so each load feeds 6 products and each
//! broadcast 4 (on this loop a Zen 4 core runs at 94–99 % of its one `vpdpbusd` a cycle
//! when the weights are in L2). Blocks are the outer loop, so one panel of weights
//! (4 blocks × all inputs, 24 KiB for 384 inputs) stays in cache while every row passes
//! over it; the panel is prefetched a little ahead of the first rows, which would
//! otherwise wait on the L3 cache.

use super::pack::{finish, PackedWeights, QuantRows, Tile, COLS, DEPTH};
use std::arch::x86_64::*;

/// Rows of `x` per micro-tile.
const ROWS: usize = 6;

/// Blocks of 16 outputs per micro-tile.
const BLOCKS: usize = 4;

/// How many tiles ahead of the one being read a block is prefetched: the hardware
/// prefetchers alone leave the first rows of a panel waiting on the L3 cache.
const AHEAD: usize = 24;

/// Quantizes the `m` rows of `x` (`m × k`) and writes their products with `w` to `y`
/// (`m × n`).
///
/// # Safety
///
/// As [`gemm`].
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
pub(super) unsafe fn forward(x: &[f32], m: usize, w: &PackedWeights, y: &mut [f32]) {
    let rows = QuantRows::new(x, m, w.k, w.groups);
    // SAFETY: the caller's promise.
    unsafe { gemm(&rows, w, y) }
}

/// All the products of `x` with `w`, written to `y` (`m × n`).
///
/// # Safety
///
/// The CPU must have AVX-512F, AVX-512BW and AVX-512VNNI.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn gemm(x: &QuantRows, w: &PackedWeights, y: &mut [f32]) {
    assert_eq!(x.stride, w.groups * DEPTH);
    assert_eq!(y.len(), x.m * w.n);
    let mut b0 = 0;
    while b0 < w.blocks {
        let nb = (w.blocks - b0).min(BLOCKS);
        let mut r0 = 0;
        while r0 < x.m {
            let nr = (x.m - r0).min(ROWS);
            // SAFETY: rows r0..r0+nr and blocks b0..b0+nb exist; the features are the
            // caller's promise.
            unsafe {
                match nb {
                    4 => rows::<4>(nr, x, w, r0, b0, y),
                    3 => rows::<3>(nr, x, w, r0, b0, y),
                    2 => rows::<2>(nr, x, w, r0, b0, y),
                    _ => rows::<1>(nr, x, w, r0, b0, y),
                }
            }
            r0 += nr;
        }
        b0 += nb;
    }
}

/// The micro-tile for `nr` rows (at most [`ROWS`]) of `B` blocks.
///
/// # Safety
///
/// As [`tile`].
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn rows<const B: usize>(
    nr: usize,
    x: &QuantRows,
    w: &PackedWeights,
    r0: usize,
    b0: usize,
    y: &mut [f32],
) {
    // SAFETY: passed on from the caller.
    unsafe {
        match nr {
            6 => tile::<6, B>(x, w, r0, b0, y),
            5 => tile::<5, B>(x, w, r0, b0, y),
            4 => tile::<4, B>(x, w, r0, b0, y),
            3 => tile::<3, B>(x, w, r0, b0, y),
            2 => tile::<2, B>(x, w, r0, b0, y),
            _ => tile::<1, B>(x, w, r0, b0, y),
        }
    }
}

/// Rows `r0..r0+R` × blocks `b0..b0+B`: sums all groups in registers, then writes the
/// outputs.
///
/// # Safety
///
/// The CPU must have the features enabled here; rows `r0..r0+R` of `x` and blocks
/// `b0..b0+B` of `w` must exist, and `x.stride == w.groups · 4`.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn tile<const R: usize, const B: usize>(
    x: &QuantRows,
    w: &PackedWeights,
    r0: usize,
    b0: usize,
    y: &mut [f32],
) {
    debug_assert!(r0 + R <= x.m && b0 + B <= w.blocks);
    let groups = w.groups;
    let mut acc = [[_mm512_setzero_si512(); B]; R];
    // SAFETY: the caller guarantees rows r0..r0+R (stride bytes each) and blocks
    // b0..b0+B (groups tiles each), so every offset read below stays inside `x.bytes` and
    // `w.tiles` (the prefetch address may not, which is harmless and computed without
    // `add`); tiles are 64-byte aligned for the aligned loads, and activation words are
    // read unaligned.
    unsafe {
        let xs = x.bytes.as_ptr().add(r0 * x.stride);
        let ws: *const Tile = w.tiles.as_ptr().add(b0 * groups);
        for g in 0..groups {
            let mut wt = [_mm512_setzero_si512(); B];
            for (b, t) in wt.iter_mut().enumerate() {
                *t = _mm512_load_si512(ws.add(b * groups + g).cast());
                _mm_prefetch::<_MM_HINT_T0>(ws.wrapping_add(b * groups + g + AHEAD).cast());
            }
            for (r, sums) in acc.iter_mut().enumerate() {
                let word = xs
                    .add(r * x.stride + g * DEPTH)
                    .cast::<i32>()
                    .read_unaligned();
                let a = _mm512_set1_epi32(word);
                for (s, &t) in sums.iter_mut().zip(&wt) {
                    *s = _mm512_dpbusd_epi32(*s, a, t);
                }
            }
        }
    }
    let mut out = [[[0i32; COLS]; B]; R];
    for (o, a) in out.iter_mut().zip(&acc) {
        for (ob, &ab) in o.iter_mut().zip(a) {
            // SAFETY: `ob` is 16 i32, the size of one zmm register; the store is unaligned.
            unsafe { _mm512_storeu_si512(ob.as_mut_ptr().cast(), ab) };
        }
    }
    for (r, o) in out.iter().enumerate() {
        finish(o.as_flattened(), r0 + r, b0 * COLS, x, w, y);
    }
}
