//! Row operations of a transformer block on `f32` slices: layer norm, GELU, masked
//! softmax. They run on the calling thread: handing a few thousand values to a thread
//! pool costs more than computing them (two context switches per operation, a third of a
//! question's time when candle's own operations did it).
//!
//! `exp` and `erf` are branch-free polynomial forms, so the loops over a row vectorise;
//! both are within a few parts in 10⁷ of the exact functions (the tests compare them with
//! `f64`), well below what the model's f16 weights resolve.

/// Normalises each row of `rows` (rows of `gamma.len()` values) to mean 0 and variance 1,
/// then scales by `gamma` and shifts by `beta`.
///
/// # Panics
///
/// When `gamma` and `beta` differ in length, or `rows` is not a whole number of rows.
pub fn layer_norm(rows: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let width = gamma.len();
    assert_eq!(
        width,
        beta.len(),
        "layer norm: gamma and beta differ in length"
    );
    assert!(
        width > 0 && rows.len().is_multiple_of(width),
        "layer norm: {} values are not rows of {width}",
        rows.len()
    );
    let n = width as f32;
    for row in rows.chunks_exact_mut(width) {
        let mean = row.iter().sum::<f32>() / n;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// The exact GELU of BERT, `x · Φ(x) = x/2 · (1 + erf(x/√2))`, in place.
pub fn gelu(xs: &mut [f32]) {
    for x in xs {
        *x = 0.5 * *x * (1.0 + erf(*x * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// Softmax of `scale · row` over the positions whose `keep` is 1; positions whose `keep`
/// is 0 get exactly 0. A row with nothing kept becomes all zeros.
///
/// # Panics
///
/// When `row` and `keep` differ in length.
pub fn softmax_masked(row: &mut [f32], keep: &[f32], scale: f32) {
    assert_eq!(
        row.len(),
        keep.len(),
        "softmax: row and mask differ in length"
    );
    let max = row
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k != 0.0)
        .fold(f32::NEG_INFINITY, |m, (v, _)| m.max(*v * scale));
    if max == f32::NEG_INFINITY {
        row.fill(0.0);
        return;
    }
    let mut sum = 0.0;
    for (v, k) in row.iter_mut().zip(keep) {
        *v = exp(*v * scale - max) * k;
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in row {
        *v *= inv;
    }
}

/// `eˣ` for `x` in `[-87, 88]` (clamped outside: tiny, or large and finite), relative
/// error below 3·10⁻⁷.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 in two parts, so that n·LN2_HI is exact for the n that occur.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer without a branch.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO; // |r| ≤ ln2/2
                                         // eʳ by its Taylor series to r⁶: the next term is below 1.2·10⁻⁷ for |r| ≤ ln2/2.
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // 2ⁿ from its exponent bits (n is within -126..=127 after the clamp).
    let two_n = f32::from_bits(((n as i32 + 127) as u32) << 23);
    p * two_n
}

/// The error function, absolute error below 3·10⁻⁷: its Taylor series near 0, where the
/// other form loses digits to cancellation, else Abramowitz and Stegun's 7.1.26 (whose
/// own error is 1.5·10⁻⁷) with [`exp`].
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [
        0.254_829_6,
        -0.284_496_74,
        1.421_413_8,
        -1.453_152_1,
        1.061_405_4,
    ];
    const TWO_OVER_SQRT_PI: f32 = std::f32::consts::FRAC_2_SQRT_PI;
    let a = x.abs();
    let t = 1.0 / (1.0 + P * a);
    let poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
    let far = 1.0 - poly * exp(-a * a);
    // 2/√π·(a − a³/3 + a⁵/10 − a⁷/42 + a⁹/216 − a¹¹/1320): the next term is below 10⁻⁸
    // for a < 0.5.
    let s = a * a;
    let near = TWO_OVER_SQRT_PI
        * a
        * (1.0
            + s * (-1.0 / 3.0
                + s * (1.0 / 10.0 + s * (-1.0 / 42.0 + s * (1.0 / 216.0 - s / 1320.0)))));
    let y = if a < 0.5 { near } else { far };
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from -range to range in `steps` even steps.
    fn span(range: f32, steps: usize) -> impl Iterator<Item = f32> {
        (0..=steps).map(move |i| -range + 2.0 * range * i as f32 / steps as f32)
    }

    /// erf in f64, by integrating 2/√π·e^(−t²) from 0 to x finely (Simpson's rule).
    fn erf64(x: f64) -> f64 {
        let n = 4_000;
        let h = x / n as f64;
        let f = |t: f64| (-t * t).exp();
        let mut s = f(0.0) + f(x);
        for i in 1..n {
            s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn exp_is_within_three_parts_in_ten_million() {
        for x in span(87.0, 200_000) {
            let want = f64::from(x).exp();
            let got = f64::from(exp(x));
            assert!(
                ((got - want) / want).abs() < 3e-7,
                "exp({x}) = {got}, not {want}"
            );
        }
        assert!(exp(-1e9) >= 0.0 && exp(-1e9) < 1e-37);
        assert!(exp(1e9).is_finite());
    }

    #[test]
    fn erf_is_within_three_parts_in_ten_million() {
        for x in span(6.0, 1_200) {
            let (got, want) = (f64::from(erf(x)), erf64(f64::from(x)));
            assert!((got - want).abs() < 3e-7, "erf({x}) = {got}, not {want}");
        }
        assert_eq!(erf(0.0), 0.0);
        assert_eq!(erf(40.0), 1.0);
        assert_eq!(erf(-40.0), -1.0);
    }

    #[test]
    fn gelu_is_x_times_the_normal_cdf() {
        let mut xs: Vec<f32> = span(8.0, 1_000).collect();
        let want: Vec<f64> = xs
            .iter()
            .map(|&x| {
                let x = f64::from(x);
                x * 0.5 * (1.0 + erf64(x / 2f64.sqrt()))
            })
            .collect();
        gelu(&mut xs);
        for ((got, want), x) in xs.iter().zip(&want).zip(span(8.0, 1_000)) {
            let err = (f64::from(*got) - want).abs();
            assert!(
                err < 1e-6 * (1.0 + want.abs()),
                "gelu({x}) = {got}, not {want}"
            );
        }
    }

    #[test]
    fn layer_norm_gives_mean_zero_variance_one_before_the_affine_step() {
        let mut rows: Vec<f32> = (0..24).map(|i| (i * i) as f32 * 0.37 - 3.0).collect();
        let ones = vec![1.0; 8];
        let zeros = vec![0.0; 8];
        layer_norm(&mut rows, &ones, &zeros, 1e-12);
        for row in rows.chunks(8) {
            let mean: f32 = row.iter().sum::<f32>() / 8.0;
            let var: f32 = row.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 8.0;
            assert!(
                mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4,
                "{mean} {var}"
            );
        }
        let mut row = vec![1.0, 3.0];
        layer_norm(&mut row, &[2.0, 2.0], &[10.0, 0.0], 0.0);
        assert_eq!(row, vec![8.0, 2.0]);
    }

    #[test]
    fn masked_softmax_sums_to_one_over_kept_positions_and_zeroes_the_rest() {
        let mut row = vec![1.0, 2.0, 3.0, 50.0];
        softmax_masked(&mut row, &[1.0, 1.0, 1.0, 0.0], 0.5);
        assert_eq!(row[3], 0.0);
        let total: f32 = row.iter().sum();
        assert!((total - 1.0).abs() < 1e-6);
        let e: Vec<f64> = [0.5f64, 1.0, 1.5].iter().map(|v| v.exp()).collect();
        let s: f64 = e.iter().sum();
        for (got, want) in row.iter().zip(e.iter().map(|v| v / s)) {
            assert!((f64::from(*got) - want).abs() < 1e-6, "{got} vs {want}");
        }
        let mut none = vec![1.0, 2.0];
        softmax_masked(&mut none, &[0.0, 0.0], 1.0);
        assert_eq!(none, vec![0.0, 0.0]);
    }
}
