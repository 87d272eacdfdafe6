//! An int8 dense layer, `y = x·Wᵀ + b`, whose products run in a SIMD kernel chosen at run time.
//!
//! The weights are quantized once, symmetrically per output (per row of `W`), and packed
//! in the order the kernels read them; each call quantizes its rows of `x` to u8 with a
//! zero point, sums the byte products exactly in i32 and scales the sums back to f32:
//!
//! ```text
//! y[m][n] = scale_x[m] · scale_w[n] · (Σ_k xq[m][k]·wq[n][k] − zp[m]·Σ_k wq[n][k]) + b[n]
//! ```
//!
//! Three kernels compute the same integer sums: [`Kernel::Vnni`] (AVX-512 `vpdpbusd`),
//! [`Kernel::Avx2`] (`vpmaddubsw` + `vpmaddwd`, with 7-bit weights so its 16-bit pair sums
//! cannot saturate) and [`Kernel::Portable`] (plain Rust, any target). `pack.rs` holds
//! the quantization and the packed layout they share; `vnni.rs`, `avx2.rs` and
//! `portable.rs` hold one inner loop each.

#[cfg(target_arch = "x86_64")]
mod avx2;
mod pack;
mod portable;
#[cfg(test)]
mod tests;
#[cfg(target_arch = "x86_64")]
mod vnni;

use pack::PackedWeights;
use std::fmt;
use std::str::FromStr;

/// The most inputs a layer may have: with at most 255·127 per product, the i32 sums of
/// up to this many products cannot overflow, so every kernel's integers are exact.
pub const MAX_INPUTS: usize = 65_536;

/// Which inner loop runs the products. All compute the same integer sums; they differ in
/// the instructions they need, hence in speed and in which CPUs can run them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// AVX-512 VNNI (`vpdpbusd`): 64 byte products per instruction. Needs AVX-512F, BW
    /// and VNNI.
    Vnni,
    /// AVX2 (`vpmaddubsw`, `vpmaddwd`): for the many hosts without AVX-512. Its weights
    /// have 7 bits (±63) instead of 8, so that a pair of u8×i8 products summed in i16
    /// (at most 2·255·63 = 32130) never saturates.
    Avx2,
    /// Plain Rust: runs anywhere, slowly.
    Portable,
}

impl Kernel {
    /// Every kernel, fastest first.
    pub const ALL: [Kernel; 3] = [Kernel::Vnni, Kernel::Avx2, Kernel::Portable];

    /// The fastest kernel this CPU can run.
    pub fn detect() -> Kernel {
        Kernel::ALL
            .into_iter()
            .find(|k| k.available())
            .unwrap_or(Kernel::Portable)
    }

    /// Whether this CPU can run the kernel (asked of the CPU itself, not of the build).
    pub fn available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Vnni => {
                is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512vnni")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Vnni | Kernel::Avx2 => false,
            Kernel::Portable => true,
        }
    }

    /// The kernel's name in logs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Vnni => "VNNI",
            Kernel::Avx2 => "AVX2",
            Kernel::Portable => "portable",
        }
    }

    /// The largest magnitude of a quantized weight for this kernel.
    fn levels(self) -> i8 {
        match self {
            Kernel::Avx2 => 63,
            Kernel::Vnni | Kernel::Portable => 127,
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kernel {
    type Err = Int8Error;

    /// `vnni`, `avx2` or `portable`, in any case (as a setting or command-line value).
    fn from_str(s: &str) -> Result<Kernel, Int8Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vnni" => Ok(Kernel::Vnni),
            "avx2" => Ok(Kernel::Avx2),
            "portable" => Ok(Kernel::Portable),
            _ => Err(Int8Error::UnknownKernel(s.to_string())),
        }
    }
}

/// Why an int8 layer could not be built, or a kernel name not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Int8Error {
    #[error("unknown int8 kernel {0:?}: expected one of vnni, avx2, portable")]
    UnknownKernel(String),
    #[error("the {0} int8 kernel cannot run on this CPU (its best is {best})", best = Kernel::detect())]
    Unavailable(Kernel),
    #[error("int8 layer shape: {0}")]
    Shape(String),
    #[error("int8 layer: the {0} holds a value that is not finite")]
    NotFinite(&'static str),
}

/// A dense layer `y = x·Wᵀ + b` with int8 weights, packed once for one kernel.
///
/// Immutable after construction, so one layer serves any number of threads at once
/// (`Send + Sync`); each [`Linear8::forward`] runs on the calling thread alone, with its
/// own scratch.
#[derive(Clone)]
pub struct Linear8 {
    kernel: Kernel,
    weights: PackedWeights,
}

impl fmt::Debug for Linear8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Linear8")
            .field("outputs", &self.weights.n)
            .field("inputs", &self.weights.k)
            .field("kernel", &self.kernel)
            .finish_non_exhaustive()
    }
}

impl Linear8 {
    /// Quantizes and packs `weight`, `n` rows (outputs) of `k` inputs each, row-major: the
    /// layout of a torch or candle `Linear` weight. `bias`, when given, has `n` values.
    ///
    /// Fails when `kernel` cannot run on this CPU (see [`Kernel::available`]), when the
    /// lengths disagree with `n` and `k`, when `n` or `k` is 0 or `k` exceeds
    /// [`MAX_INPUTS`], or when a weight or bias is NaN or infinite.
    pub fn new(
        weight: &[f32],
        bias: Option<&[f32]>,
        n: usize,
        k: usize,
        kernel: Kernel,
    ) -> Result<Linear8, Int8Error> {
        Linear8::with_levels(weight, bias, n, k, kernel, kernel.levels())
    }

    /// [`Linear8::new`] with weights quantized to ±`levels` whatever the kernel: lets the
    /// tests run the portable kernel on the AVX2 kernel's 7-bit weights.
    fn with_levels(
        weight: &[f32],
        bias: Option<&[f32]>,
        n: usize,
        k: usize,
        kernel: Kernel,
        levels: i8,
    ) -> Result<Linear8, Int8Error> {
        if !kernel.available() {
            return Err(Int8Error::Unavailable(kernel));
        }
        if n == 0 || k == 0 {
            return Err(Int8Error::Shape(format!(
                "{n} outputs × {k} inputs: both must be at least 1"
            )));
        }
        if k > MAX_INPUTS {
            return Err(Int8Error::Shape(format!(
                "{k} inputs: at most {MAX_INPUTS} keep the integer sums exact"
            )));
        }
        if n.checked_mul(k) != Some(weight.len()) {
            return Err(Int8Error::Shape(format!(
                "{} weights for {n} outputs × {k} inputs",
                weight.len()
            )));
        }
        if let Some(b) = bias {
            if b.len() != n {
                return Err(Int8Error::Shape(format!(
                    "{} biases for {n} outputs",
                    b.len()
                )));
            }
            if !b.iter().all(|v| v.is_finite()) {
                return Err(Int8Error::NotFinite("bias"));
            }
        }
        if !weight.iter().all(|v| v.is_finite()) {
            return Err(Int8Error::NotFinite("weight"));
        }
        let weights = PackedWeights::new(weight, bias, n, k, levels);
        Ok(Linear8 { kernel, weights })
    }

    /// The kernel this layer was packed for and runs.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// How many values each row of the output has (`n`).
    pub fn outputs(&self) -> usize {
        self.weights.n
    }

    /// How many values each row of the input has (`k`).
    pub fn inputs(&self) -> usize {
        self.weights.k
    }

    /// `x·Wᵀ + b` for the `m` rows of `x` (row-major, `m × k`): `m × n` values, row-major.
    /// `m` may be 0.
    ///
    /// Each row is quantized on its own, so one row's outliers cost the others nothing. A
    /// row holding a NaN or an infinity (or a spread of values beyond f32) gives a row of
    /// NaN; other rows are unaffected. A row of zeros gives exactly the bias.
    ///
    /// # Panics
    ///
    /// When `x` does not hold `m × k` values.
    pub fn forward(&self, x: &[f32], m: usize) -> Vec<f32> {
        let w = &self.weights;
        assert_eq!(
            Some(x.len()),
            m.checked_mul(w.k),
            "int8 forward: x holds {} values, not {m} rows × {} inputs",
            x.len(),
            w.k
        );
        let mut y = vec![0.0; m * w.n];
        if m == 0 {
            return y;
        }
        match self.kernel {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a layer is only built for a kernel the CPU has (`with_levels` checks
            // `available`), which for VNNI means AVX-512F, BW and VNNI.
            Kernel::Vnni => unsafe { vnni::forward(x, m, w, &mut y) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above; AVX2 was detected when the layer was built.
            Kernel::Avx2 => unsafe { avx2::forward(x, m, w, &mut y) },
            // Off x86-64 the SIMD kernels are never available, so no layer has them.
            _ => portable::forward(x, m, w, &mut y),
        }
        y
    }
}
