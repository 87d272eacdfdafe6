//! The AVX2 kernel: `vpmaddubsw` multiplies input bytes by 7-bit weights in pairs, and
//! `vpmaddwd` by ones widens the pair sums to 32 bits.
//!
//! A ymm register holds half a packed tile: 8 outputs × 4 inputs. Per group of 4 inputs
//! and half tile, one output sum takes three instructions (`vpmaddubsw`, `vpmaddwd`,
//! `vpaddd`) where VNNI takes one for twice the outputs, so this kernel needs about twice
//! the time. The weights are at most ±63, so a pair of products, 2·255·63 = 32130, never
//! saturates the 16-bit lane. The micro-kernel holds [`ROWS`] rows × one block (two
//! halves) in 8 of the 16 ymm registers, leaving room for the two weight halves, the
//! broadcast word, the ones and the partial sums; wider tiles (3 × 1, 2 × 2, 6 × 1 with
//! weights from memory) measured no faster.

use super::pack::{finish, PackedWeights, QuantRows, Tile, COLS, DEPTH};
use std::arch::x86_64::*;

/// Rows of `x` per micro-tile.
const ROWS: usize = 4;

/// Halves of a tile, one ymm register each.
const HALVES: usize = 2;

/// How many tiles ahead of the one being read a block is prefetched.
const AHEAD: usize = 24;

/// Quantizes the `m` rows of `x` (`m × k`) and writes their products with `w` to `y`
/// (`m × n`).
///
/// # Safety
///
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
pub(super) unsafe fn forward(x: &[f32], m: usize, w: &PackedWeights, y: &mut [f32]) {
    let rows = QuantRows::new(x, m, w.k, w.groups);
    // SAFETY: the caller's promise.
    unsafe { gemm(&rows, w, y) }
}

/// All the products of `x` with `w`, written to `y` (`m × n`): block by block, so one
/// block of weights stays in cache while every row passes over it.
///
/// # Safety
///
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
unsafe fn gemm(x: &QuantRows, w: &PackedWeights, y: &mut [f32]) {
    assert_eq!(x.stride, w.groups * DEPTH);
    assert_eq!(y.len(), x.m * w.n);
    for b in 0..w.blocks {
        let mut r0 = 0;
        while r0 < x.m {
            let nr = (x.m - r0).min(ROWS);
            // SAFETY: rows r0..r0+nr and block b exist; AVX2 is the caller's promise.
            unsafe {
                match nr {
                    4 => tile::<4>(x, w, r0, b, y),
                    3 => tile::<3>(x, w, r0, b, y),
                    2 => tile::<2>(x, w, r0, b, y),
                    _ => tile::<1>(x, w, r0, b, y),
                }
            }
            r0 += nr;
        }
    }
}

/// Rows `r0..r0+R` × block `b`: sums all groups in registers, then writes the outputs.
///
/// # Safety
///
/// The CPU must have AVX2; rows `r0..r0+R` of `x` and block `b` of `w` must exist, and
/// `x.stride == w.groups · 4`.
#[target_feature(enable = "avx2")]
unsafe fn tile<const R: usize>(
    x: &QuantRows,
    w: &PackedWeights,
    r0: usize,
    b: usize,
    y: &mut [f32],
) {
    debug_assert!(r0 + R <= x.m && b < w.blocks);
    let ones = _mm256_set1_epi16(1);
    let mut acc = [[_mm256_setzero_si256(); HALVES]; R];
    // SAFETY: the caller guarantees rows r0..r0+R (stride bytes each) and block b
    // (groups tiles), so every offset read below stays inside `x.bytes` and `w.tiles`
    // (the prefetch address may not, which is harmless and computed without `add`);
    // tiles are 64-byte aligned, so each half is 32-byte aligned for the aligned loads,
    // and activation words are read unaligned.
    unsafe {
        let xs = x.bytes.as_ptr().add(r0 * x.stride);
        let ws: *const Tile = w.tiles.as_ptr().add(b * w.groups);
        for g in 0..w.groups {
            let tile = ws.add(g).cast::<__m256i>();
            let wt = [_mm256_load_si256(tile), _mm256_load_si256(tile.add(1))];
            _mm_prefetch::<_MM_HINT_T0>(ws.wrapping_add(g + AHEAD).cast());
            for (r, sums) in acc.iter_mut().enumerate() {
                let word = xs
                    .add(r * x.stride + g * DEPTH)
                    .cast::<i32>()
                    .read_unaligned();
                let a = _mm256_set1_epi32(word);
                for (s, &t) in sums.iter_mut().zip(&wt) {
                    let pairs = _mm256_maddubs_epi16(a, t);
                    *s = _mm256_add_epi32(*s, _mm256_madd_epi16(pairs, ones));
                }
            }
        }
    }
    let mut out = [[0i32; COLS]; R];
    for (o, a) in out.iter_mut().zip(&acc) {
        for (h, &v) in a.iter().enumerate() {
            // SAFETY: half `h` of `o` is 8 i32, one ymm register; the store is unaligned.
            unsafe { _mm256_storeu_si256(o.as_mut_ptr().add(h * 8).cast(), v) };
        }
    }
    for (r, o) in out.iter().enumerate() {
        finish(o, r0 + r, b * COLS, x, w, y);
    }
}
