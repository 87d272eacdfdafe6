use super::*;

/// A small seeded generator (xorshift64*), so the tests need no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f32 {
        ((self.next() >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }

    fn normals(&mut self, len: usize, sd: f32) -> Vec<f32> {
        (0..len).map(|_| self.normal() * sd).collect()
    }
}

/// Rows like a layer norm's output: about N(0, 1), with a few columns that run large in
/// every row (as BERT's hidden states have) and, for the input of the down-projection,
/// through GELU.
fn activations(rng: &mut Rng, m: usize, k: usize) -> Vec<f32> {
    let mut x = rng.normals(m * k, 1.0);
    for row in x.chunks_exact_mut(k) {
        if k >= 8 {
            for col in [k / 7, k / 3, k - 2] {
                row[col] *= 8.0;
            }
        }
        if k > 1024 {
            for v in row.iter_mut() {
                let t = (0.797_884_6 * (*v + 0.044_715 * *v * *v * *v)).tanh();
                *v = 0.5 * *v * (1.0 + t);
            }
        }
    }
    x
}

/// `x·Wᵀ + b` in f64, the reference.
fn reference(x: &[f32], w: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f32> {
    let mut y = Vec::with_capacity(m * n);
    for xr in x.chunks_exact(k).take(m) {
        for (wr, &bn) in w.chunks_exact(k).zip(b) {
            let dot: f64 = xr.iter().zip(wr).map(|(&a, &c)| a as f64 * c as f64).sum();
            y.push((dot + bn as f64) as f32);
        }
    }
    y
}

/// The smallest cosine between a row of `a` and the same row of `b`.
fn min_row_cosine(a: &[f32], b: &[f32], n: usize) -> f64 {
    a.chunks_exact(n)
        .zip(b.chunks_exact(n))
        .map(|(p, q)| {
            let dot: f64 = p.iter().zip(q).map(|(&u, &v)| u as f64 * v as f64).sum();
            let np: f64 = p.iter().map(|&u| u as f64 * u as f64).sum::<f64>().sqrt();
            let nq: f64 = q.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
            dot / (np * nq)
        })
        // NaN (a row of zeros against a nonzero one) sticks, and fails any bound.
        .fold(1.0, |a, c| if c.is_nan() || c < a { c } else { a })
}

fn available() -> Vec<Kernel> {
    Kernel::ALL.into_iter().filter(|k| k.available()).collect()
}

/// The encoder's layer shapes, outputs × inputs.
const SHAPES: [(usize, usize); 4] = [(1152, 384), (384, 384), (1536, 384), (384, 1536)];

/// Row counts to try: all of them optimized, the small ones in a debug build, where the
/// SIMD intrinsics are not inlined and the reference is slow.
fn row_counts() -> &'static [usize] {
    if cfg!(debug_assertions) {
        &[1, 3, 7]
    } else {
        &[1, 3, 7, 29, 64]
    }
}

#[test]
fn every_kernel_agrees_with_fp32_on_the_encoder_shapes() {
    let mut rng = Rng(0x5eed_0001);
    for (n, k) in SHAPES {
        let w = rng.normals(n * k, 0.05);
        let b = rng.normals(n, 0.02);
        let layers: Vec<Linear8> = available()
            .into_iter()
            .map(|kernel| Linear8::new(&w, Some(&b), n, k, kernel).unwrap())
            .collect();
        for &m in row_counts() {
            let x = activations(&mut rng, m, k);
            let want = reference(&x, &w, &b, m, n, k);
            for layer in &layers {
                let got = layer.forward(&x, m);
                assert_eq!(got.len(), m * n);
                let cos = min_row_cosine(&got, &want, n);
                // Measured at least 0.99953 (8-bit weights) and 0.99945 (7-bit).
                let floor = if layer.kernel() == Kernel::Avx2 {
                    0.9990
                } else {
                    0.9993
                };
                eprintln!("{} {n}×{k} m={m}: min row cosine {cos:.6}", layer.kernel());
                assert!(
                    cos >= floor,
                    "{} {n}×{k} m={m}: cosine {cos} < {floor}",
                    layer.kernel()
                );
            }
        }
    }
}

/// Shapes that leave remainders everywhere: rows past each micro-tile height, outputs
/// past whole blocks (and block tiles), inputs past whole groups.
const ODD: [(usize, usize, usize); 6] = [
    (13, 37, 45),
    (7, 100, 19),
    (5, 16, 4),
    (1, 1, 1),
    (11, 83, 130),
    (9, 384, 384),
];

/// Asserts that `kernel` with `levels` gives the very floats of the portable kernel with
/// the same weights.
fn assert_identical_to_portable(kernel: Kernel, levels: i8) {
    let mut rng = Rng(0x5eed_0002);
    for (m, n, k) in ODD {
        let w = rng.normals(n * k, 0.05);
        let b = rng.normals(n, 0.02);
        let x = activations(&mut rng, m, k);
        let simd = Linear8::with_levels(&w, Some(&b), n, k, kernel, levels).unwrap();
        let scalar = Linear8::with_levels(&w, Some(&b), n, k, Kernel::Portable, levels).unwrap();
        for rows in 1..=m {
            let (got, want) = (
                simd.forward(&x[..rows * k], rows),
                scalar.forward(&x[..rows * k], rows),
            );
            let same = got
                .iter()
                .zip(&want)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(
                same,
                "{kernel} {rows}×{n}×{k}: not bit-identical to portable"
            );
        }
    }
}

#[test]
fn vnni_gives_the_portable_kernels_very_floats() {
    if Kernel::Vnni.available() {
        assert_identical_to_portable(Kernel::Vnni, 127);
    }
}

#[test]
fn avx2_gives_the_portable_kernels_very_floats_on_7_bit_weights() {
    if Kernel::Avx2.available() {
        assert_identical_to_portable(Kernel::Avx2, 63);
    }
}

#[test]
fn no_rows_give_no_outputs() {
    for kernel in available() {
        let layer = Linear8::new(&[0.5; 6], None, 2, 3, kernel).unwrap();
        assert!(layer.forward(&[], 0).is_empty());
    }
}

#[test]
fn odd_shapes_agree_with_fp32() {
    let mut rng = Rng(0x5eed_0003);
    let (m, n, k) = (6, 37, 45);
    let w = rng.normals(n * k, 0.05);
    let b = rng.normals(n, 0.02);
    let x = activations(&mut rng, m, k);
    let want = reference(&x, &w, &b, m, n, k);
    for kernel in available() {
        let layer = Linear8::new(&w, Some(&b), n, k, kernel).unwrap();
        assert_eq!(
            (layer.outputs(), layer.inputs(), layer.kernel()),
            (n, k, kernel)
        );
        let cos = min_row_cosine(&layer.forward(&x, m), &want, n);
        assert!(cos > 0.995, "{kernel}: cosine {cos}");
    }
}

#[test]
fn a_zero_row_of_x_gives_exactly_the_bias() {
    let mut rng = Rng(0x5eed_0004);
    let (n, k) = (37, 45);
    let w = rng.normals(n * k, 0.05);
    let b = rng.normals(n, 0.5);
    let mut x = activations(&mut rng, 3, k);
    x[k..2 * k].fill(0.0);
    for kernel in available() {
        let y = Linear8::new(&w, Some(&b), n, k, kernel)
            .unwrap()
            .forward(&x, 3);
        assert_eq!(&y[n..2 * n], &b[..], "{kernel}");
        assert!(y[..n] != b[..] && y[2 * n..] != b[..]);
    }
}

#[test]
fn a_zero_weight_row_gives_exactly_its_bias() {
    let mut rng = Rng(0x5eed_0005);
    let (m, n, k) = (5, 20, 33);
    let mut w = rng.normals(n * k, 0.05);
    w[3 * k..4 * k].fill(0.0);
    w[17 * k..18 * k].fill(1e-44); // a step too small to be a normal f32
    let b = rng.normals(n, 0.5);
    let x = activations(&mut rng, m, k);
    for kernel in available() {
        let y = Linear8::new(&w, Some(&b), n, k, kernel)
            .unwrap()
            .forward(&x, m);
        for row in y.chunks_exact(n) {
            assert!(row.iter().all(|v| v.is_finite()), "{kernel}");
            assert_eq!((row[3], row[17]), (b[3], b[17]), "{kernel}");
        }
    }
}

#[test]
fn a_non_finite_input_makes_its_row_nan_and_no_other() {
    let (m, n, k) = (3, 17, 9);
    let w: Vec<f32> = (0..n * k).map(|i| (i % 7) as f32 - 3.0).collect();
    let mut x = vec![0.25; m * k];
    x[k + 4] = f32::NAN;
    x[2 * k] = f32::INFINITY;
    for kernel in available() {
        let y = Linear8::new(&w, None, n, k, kernel).unwrap().forward(&x, m);
        assert!(y[..n].iter().all(|v| v.is_finite()), "{kernel}");
        assert!(y[n..].iter().all(|v| v.is_nan()), "{kernel}");
    }
}

#[test]
fn kernel_names_parse_in_any_case_and_a_wrong_one_names_the_choices() {
    for kernel in Kernel::ALL {
        assert_eq!(kernel.name().parse::<Kernel>(), Ok(kernel));
        assert_eq!(kernel.name().to_uppercase().parse::<Kernel>(), Ok(kernel));
    }
    let err = "avx512".parse::<Kernel>().unwrap_err().to_string();
    assert!(
        err.contains("avx512") && err.contains("vnni, avx2, portable"),
        "{err}"
    );
}

#[test]
fn availability_is_the_cpus() {
    #[cfg(target_arch = "x86_64")]
    {
        let vnni = is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vnni");
        assert_eq!(Kernel::Vnni.available(), vnni);
        assert_eq!(Kernel::Avx2.available(), is_x86_feature_detected!("avx2"));
    }
    #[cfg(not(target_arch = "x86_64"))]
    assert!(!Kernel::Vnni.available() && !Kernel::Avx2.available());
    assert!(Kernel::Portable.available());
    let best = Kernel::detect();
    assert!(best.available());
    assert_eq!(Some(best), available().first().copied());
    for kernel in Kernel::ALL.into_iter().filter(|k| !k.available()) {
        let err = Linear8::new(&[1.0], None, 1, 1, kernel).unwrap_err();
        assert_eq!(err, Int8Error::Unavailable(kernel));
        assert!(err.to_string().contains("cannot run on this CPU"));
    }
}

#[test]
fn bad_shapes_and_values_are_errors() {
    let k = Kernel::Portable;
    let shape = |r: Result<Linear8, Int8Error>| matches!(r, Err(Int8Error::Shape(_)));
    assert!(shape(Linear8::new(&[1.0; 6], None, 2, 2, k)));
    assert!(shape(Linear8::new(&[1.0; 6], Some(&[0.0; 3]), 2, 3, k)));
    assert!(shape(Linear8::new(&[], None, 0, 3, k)));
    assert!(shape(Linear8::new(&[], None, 1, MAX_INPUTS + 1, k)));
    let nan = Linear8::new(&[1.0, f32::NAN], None, 1, 2, k).unwrap_err();
    assert_eq!(nan, Int8Error::NotFinite("weight"));
    let inf = Linear8::new(&[1.0, 2.0], Some(&[f32::INFINITY]), 1, 2, k).unwrap_err();
    assert_eq!(inf, Int8Error::NotFinite("bias"));
}

#[test]
fn a_layer_is_shared_by_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Linear8>();
}
