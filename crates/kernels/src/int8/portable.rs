//! The portable kernel: the same integer sums as the SIMD kernels, in plain Rust for any
//! target.
//!
//! It walks the packed layout like the others (block by block, a few rows at a time, so
//! each tile read serves several rows) and leaves the rest to the compiler. It is the
//! fallback for CPUs without AVX2 and the reference the SIMD kernels are tested against.

use super::pack::{finish, PackedWeights, QuantRows, COLS, DEPTH};

/// Rows of `x` summed together over each tile.
const ROWS: usize = 4;

/// Bytes of a tile, each with its own running sum until the block is done.
const LANES: usize = COLS * DEPTH;

/// Quantizes the `m` rows of `x` (`m × k`) and writes their products with `w` to `y`
/// (`m × n`).
pub(super) fn forward(x: &[f32], m: usize, w: &PackedWeights, y: &mut [f32]) {
    gemm(&QuantRows::new(x, m, w.k, w.groups), w, y);
}

/// All the products of `x` with `w`, written to `y` (`m × n`).
///
/// Each byte of a tile keeps its own sum, so the inner loop is 64 independent
/// multiply-adds the compiler turns into vector instructions (a u8·i8 product fits
/// i16, which SSE2 and NEON multiply natively); the 4 sums of an output are added at the
/// end of the block.
fn gemm(x: &QuantRows, w: &PackedWeights, y: &mut [f32]) {
    assert_eq!(x.stride, w.groups * DEPTH);
    assert_eq!(y.len(), x.m * w.n);
    for (b, block) in w.tiles.chunks_exact(w.groups).enumerate() {
        for r0 in (0..x.m).step_by(ROWS) {
            let nr = (x.m - r0).min(ROWS);
            let mut acc = [[0i32; LANES]; ROWS];
            for (g, tile) in block.iter().enumerate() {
                for (r, lanes) in acc[..nr].iter_mut().enumerate() {
                    let at = (r0 + r) * x.stride + g * DEPTH;
                    let a = &x.bytes[at..at + DEPTH];
                    for (l, wc) in lanes
                        .chunks_exact_mut(DEPTH)
                        .zip(tile.0.chunks_exact(DEPTH))
                    {
                        for j in 0..DEPTH {
                            l[j] += i32::from(i16::from(a[j]) * i16::from(wc[j]));
                        }
                    }
                }
            }
            for (r, lanes) in acc[..nr].iter().enumerate() {
                let mut sums = [0i32; COLS];
                for (s, l) in sums.iter_mut().zip(lanes.chunks_exact(DEPTH)) {
                    *s = l.iter().sum();
                }
                finish(&sums, r0 + r, b * COLS, x, w, y);
            }
        }
    }
}
