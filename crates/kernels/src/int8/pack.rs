//! Quantization and packing: the int8 weights, the u8 activation rows, and the step from
//! integer sums back to f32, shared by every kernel.
//!
//! Weights are packed in blocks of [`COLS`] outputs; a block is a run of [`Tile`]s, one
//! per group of [`DEPTH`] consecutive inputs, each holding the 4 input bytes of its 16
//! outputs side by side. That is the operand of one AVX-512 `vpdpbusd`, or of two AVX2
//! `vpmaddubsw`, so the kernels read a block front to back. Outputs are padded to a
//! multiple of 16 and inputs to a multiple of 4 with zero weights: whatever activation
//! bytes meet a padded weight, they add nothing, and padded outputs are never written.

/// Outputs per packed block: the 32-bit lanes of an AVX-512 register.
pub(super) const COLS: usize = 16;

/// Inputs per group: the bytes one 32-bit lane sums.
pub(super) const DEPTH: usize = 4;

/// One group of [`DEPTH`] inputs of one block of [`COLS`] outputs: byte `4·c + j` is the
/// weight from input `4·g + j` to output `c` of the block. Aligned so that an AVX-512 load
/// of a tile never straddles cache lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(64))]
pub(super) struct Tile(pub [i8; COLS * DEPTH]);

/// A layer's weights quantized per output and packed for the kernels.
#[derive(Clone)]
pub(super) struct PackedWeights {
    /// Outputs.
    pub n: usize,
    /// Inputs.
    pub k: usize,
    /// Groups of [`DEPTH`] inputs, padding included: `⌈k/4⌉`.
    pub groups: usize,
    /// Blocks of [`COLS`] outputs, padding included: `⌈n/16⌉`.
    pub blocks: usize,
    /// Block after block, `groups` tiles each: tile `g` of block `b` is `tiles[b·groups + g]`.
    pub tiles: Vec<Tile>,
    /// Per output: the f32 value of one quantization step (0 for a row of zeros).
    pub scales: Vec<f32>,
    /// Per output: the sum of its quantized weights, to take the activations' zero point
    /// out of the integer sums.
    pub sums: Vec<i32>,
    /// Per output: the bias (zeros when the layer has none).
    pub bias: Vec<f32>,
}

impl PackedWeights {
    /// Quantizes each row of `weight` (`n × k`, row-major, finite) symmetrically to
    /// `-levels..=levels` — step = max |w| / levels, `q = round(w · (1 / step))` — and
    /// packs the result.
    pub fn new(weight: &[f32], bias: Option<&[f32]>, n: usize, k: usize, levels: i8) -> Self {
        let groups = k.div_ceil(DEPTH);
        let blocks = n.div_ceil(COLS);
        let mut tiles = vec![Tile([0; COLS * DEPTH]); blocks * groups];
        let mut scales = Vec::with_capacity(n);
        let mut sums = Vec::with_capacity(n);
        let top = f32::from(levels);
        let mut q = vec![0i8; k];
        for (row, w) in weight.chunks_exact(k).enumerate() {
            let peak = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            // A row of zeros, or one so small that its step is not a normal f32, gets
            // step 0 and quantizes to zeros: its outputs are exactly the bias.
            let scale = Some(peak / top).filter(|s| s.is_normal()).unwrap_or(0.0);
            let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
            // round(v / step) by the rounder (ties to even), in a loop that vectorizes:
            // |v / step| ≤ levels, far inside the rounder's range.
            for (q, &v) in q.iter_mut().zip(w) {
                let r = ((v * inv + ROUNDER) - ROUNDER).clamp(-top, top);
                *q = r as i8;
            }
            let sum = q.iter().map(|&v| i32::from(v)).sum();
            let (block, col) = (row / COLS, row % COLS);
            for (g, four) in q.chunks(DEPTH).enumerate() {
                let tile = &mut tiles[block * groups + g].0[col * DEPTH..][..four.len()];
                tile.copy_from_slice(four);
            }
            scales.push(scale);
            sums.push(sum);
        }
        let bias = bias.map_or_else(|| vec![0.0; n], <[f32]>::to_vec);
        PackedWeights {
            n,
            k,
            groups,
            blocks,
            tiles,
            scales,
            sums,
            bias,
        }
    }
}

/// The rows of one call's input, each quantized to u8 with its own step and zero point.
pub(super) struct QuantRows {
    /// Rows.
    pub m: usize,
    /// Bytes per row: the layer's inputs padded to a multiple of [`DEPTH`].
    pub stride: usize,
    /// Row after row, `stride` bytes each (the padding bytes are 0).
    pub bytes: Vec<u8>,
    /// Per row: the f32 value of one step (0 for a row of zeros, NaN for a row that
    /// cannot be quantized).
    pub scales: Vec<f32>,
    /// Per row: the byte that stands for 0.0.
    pub zero_points: Vec<i32>,
}

impl QuantRows {
    /// Quantizes the `m` rows of `x` (`m × k`, row-major) for weights of `groups` groups.
    ///
    /// Always inlined, so that a kernel calling it from its own `target_feature` function
    /// gets it vectorized for its registers. Every kernel rounds the same IEEE products,
    /// so the bytes are the same whatever the vector width.
    #[inline(always)]
    pub fn new(x: &[f32], m: usize, k: usize, groups: usize) -> Self {
        let stride = groups * DEPTH;
        let mut bytes = vec![0u8; m * stride];
        let mut scales = Vec::with_capacity(m);
        let mut zero_points = Vec::with_capacity(m);
        for (row, out) in x.chunks_exact(k).zip(bytes.chunks_exact_mut(stride)) {
            let (scale, zp) = quantize_row(row, &mut out[..k]);
            scales.push(scale);
            zero_points.push(zp);
        }
        QuantRows {
            m,
            stride,
            bytes,
            scales,
            zero_points,
        }
    }
}

/// 1.5·2²³: adding it to an f32 of magnitude below 2²² rounds that to the nearest
/// integer, ties to even, which then sits in the low mantissa bits (`ROUNDER + t` has
/// the bits `ROUNDER.to_bits() + t`, and `ROUNDER.to_bits()` ends in a zero byte). Two
/// plain operations that vectorize on any target, where `f32::round` is a library call on
/// x86-64 without SSE4.1 and `as u8` (which saturates) does not vectorize.
const ROUNDER: f32 = 12_582_912.0;

/// Quantizes one row asymmetrically to `0..=255` over a range stretched to include 0, so
/// that 0.0 is exactly its zero point; writes `out` and returns (step, zero point):
/// `q = clamp(round(v · (1 / step) + zp), 0, 255)`, a tie rounded to the even `q`.
///
/// A row of zeros, or of values so small that the step is not a normal f32, gets step 0:
/// its products are exactly 0. A row holding NaN or ±∞, or whose spread overflows f32,
/// gets step NaN, which makes each of its outputs NaN.
#[inline(always)]
fn quantize_row(x: &[f32], out: &mut [u8]) -> (f32, i32) {
    let (lo, hi, finite) = range(x);
    let scale = (hi - lo) / 255.0;
    if !finite || !scale.is_finite() {
        out.fill(0);
        return (f32::NAN, 0);
    }
    if !scale.is_normal() {
        out.fill(0);
        return (0.0, 0);
    }
    let inv = 1.0 / scale;
    // lo ≤ 0, so −lo/step lies in 0..=255, give or take a rounding.
    let zp = ((-lo * inv + ROUNDER) - ROUNDER).clamp(0.0, 255.0);
    // The rounder and zp (a small integer) in one constant: v·inv + zp is rounded in the
    // same addition, and |v·inv| ≤ 255 and a bit is well inside the rounder's range.
    let shifted = ROUNDER + zp;
    for (q, &v) in out.iter_mut().zip(x) {
        let r = (v * inv + shifted).clamp(ROUNDER, ROUNDER + 255.0);
        *q = r.to_bits() as u8;
    }
    (scale, zp as i32)
}

/// The smallest and largest values of `x` with 0 included, and whether all are finite.
/// Sixteen lanes side by side, so that the loop vectorizes (one zmm, two ymm or four xmm
/// registers a lane set) without a long chain of dependent instructions.
#[inline(always)]
fn range(x: &[f32]) -> (f32, f32, bool) {
    const LANES: usize = 16;
    /// The exponent bits; all set only in an infinity or a NaN.
    const EXPONENT: u32 = 0x7f80_0000;
    let mut lo = [0.0f32; LANES];
    let mut hi = [0.0f32; LANES];
    let mut exp = [0u32; LANES];
    // Plain comparisons rather than `f32::min`, which would spend instructions on NaN
    // (that is what the largest exponent catches), and integer exponents rather than
    // `is_finite`, which the compiler folds into mask registers that chain slowly.
    let mut take = |i: usize, v: f32| {
        lo[i] = if v < lo[i] { v } else { lo[i] };
        hi[i] = if v > hi[i] { v } else { hi[i] };
        exp[i] = exp[i].max(v.to_bits() & EXPONENT);
    };
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for (i, &v) in c.iter().enumerate() {
            take(i, v);
        }
    }
    for (i, &v) in tail.iter().enumerate() {
        take(i, v);
    }
    // Folded in halves, a short tree rather than a chain of 16.
    let mut half = LANES / 2;
    while half > 0 {
        for i in 0..half {
            lo[i] = if lo[i + half] < lo[i] {
                lo[i + half]
            } else {
                lo[i]
            };
            hi[i] = if hi[i + half] > hi[i] {
                hi[i + half]
            } else {
                hi[i]
            };
            exp[i] = exp[i].max(exp[i + half]);
        }
        half /= 2;
    }
    (lo[0], hi[0], exp[0] < EXPONENT)
}

/// Writes the outputs of row `row`, columns `col0..`, from their integer sums `acc` (one
/// per column; columns past the layer's last output are padding and are dropped).
///
/// Every kernel ends here, so that equal integers give bit-identical floats whatever
/// the kernel: `y = (acc − zp·Σwq) · (step_x · step_w) + b`, in that order, unfused.
#[inline(always)]
pub(super) fn finish(
    acc: &[i32],
    row: usize,
    col0: usize,
    x: &QuantRows,
    w: &PackedWeights,
    y: &mut [f32],
) {
    let len = acc.len().min(w.n - col0);
    let zp = x.zero_points[row];
    let sx = x.scales[row];
    let out = &mut y[row * w.n + col0..][..len];
    let cols = col0..col0 + len;
    let (sums, scales, bias) = (
        &w.sums[cols.clone()],
        &w.scales[cols.clone()],
        &w.bias[cols],
    );
    for j in 0..len {
        let exact = acc[j] - zp * sums[j];
        out[j] = exact as f32 * (sx * scales[j]) + bias[j];
    }
}
