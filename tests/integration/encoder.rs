//! The sentence encoder's precisions: int8 question vectors on each kernel this CPU has
//! stay close to fp32's on real questions, `/ask` answers as well with them, and the two
//! settings that choose them refuse a bad value at start, naming it.

use crate::answers::hybrid_app;
use crate::support::{archie, repo_path, shipped_dir};
use archie::app::App;
use archie::knowledge::Knowledge;
use archie::quality;
use archie::search::semantic::{cosine, model_dir, Encoder, Kernel, Precision};
use archie::search::Engine;
use std::path::Path;
use std::sync::OnceLock;

/// The graded questions and the corpus's held-out part: questions nothing was fitted on
/// among them.
fn questions() -> Vec<archie::eval::EvalQuestion> {
    let own = std::fs::read_to_string(repo_path("tests/eval/questions.jsonl")).unwrap();
    let mut qs = archie::eval::parse(&own).unwrap();
    let corpus = archie::eval::corpus(&repo_path("tests/eval/corpus")).unwrap();
    qs.extend(
        corpus
            .into_iter()
            .filter(|(p, _)| *p == archie::eval::Part::Held)
            .map(|(_, q)| q),
    );
    qs
}

fn encoder(p: Precision) -> Encoder {
    Encoder::load_with(&model_dir(&shipped_dir()), p).expect("the shipped model loads")
}

/// The shipped encoder in fp32, loaded once per run.
fn fp32() -> &'static Encoder {
    static E: OnceLock<Encoder> = OnceLock::new();
    E.get_or_init(|| encoder(Precision::F32))
}

fn vectors(e: &Encoder, texts: &[&str]) -> Vec<Vec<f32>> {
    texts
        .iter()
        .map(|t| e.encode(&[t]).unwrap().remove(0))
        .collect()
}

/// The int8 kernels worth running over hundreds of questions (the portable one is checked
/// against VNNI's floats on a few).
fn fast_kernels() -> Vec<Kernel> {
    [Kernel::Vnni, Kernel::Avx2]
        .into_iter()
        .filter(|k| k.available())
        .collect()
}

#[test]
fn int8_question_vectors_stay_within_cosine_0_98_of_fp32_and_099_at_the_median() {
    let qs = questions();
    let texts: Vec<&str> = qs.iter().map(|q| q.q.as_str()).collect();
    let reference = vectors(fp32(), &texts);
    assert!(!fast_kernels().is_empty(), "this CPU has AVX2 at least");
    for kernel in fast_kernels() {
        let e = encoder(Precision::Int8(kernel));
        let mut cos: Vec<f32> = vectors(&e, &texts)
            .iter()
            .zip(&reference)
            .map(|(a, b)| cosine(a, b))
            .collect();
        cos.sort_by(f32::total_cmp);
        let (min, median) = (cos[0], cos[cos.len() / 2]);
        assert!(
            min >= 0.98 && median >= 0.99,
            "{kernel}: min {min}, median {median} over {} questions",
            cos.len()
        );
    }
}

#[test]
fn the_portable_kernel_gives_vnnis_very_vectors() {
    if !Kernel::Vnni.available() {
        return; // Nothing to compare with: the kernel tests check portable against fp32.
    }
    let qs = questions();
    let texts: Vec<&str> = qs.iter().take(12).map(|q| q.q.as_str()).collect();
    let vnni = vectors(&encoder(Precision::Int8(Kernel::Vnni)), &texts);
    let portable = vectors(&encoder(Precision::Int8(Kernel::Portable)), &texts);
    assert_eq!(vnni, portable);
}

#[test]
fn ask_answers_no_fewer_questions_with_the_default_int8_encoder_than_with_fp32_but_one() {
    let default = hybrid_app();
    assert_eq!(
        default.engine.encoder().map(Encoder::precision),
        Some(Precision::best()),
        "the default encoder is the best this CPU runs"
    );
    // Entry vectors are f32 for every precision: this engine reads the default's.
    let k = Knowledge::load(&shipped_dir()).unwrap();
    let data = Path::new(env!("CARGO_TARGET_TMPDIR")).join("semantic-data");
    let exact = App::from_engine(
        Engine::with_encoder(k, Some(&data), Some(encoder(Precision::F32))).unwrap(),
    );
    let corpus = archie::eval::corpus(&repo_path("tests/eval/corpus")).unwrap();
    for part in [archie::eval::Part::Fit, archie::eval::Part::Held] {
        let qs: Vec<_> = corpus
            .iter()
            .filter(|(p, _)| *p == part)
            .map(|(_, q)| q.clone())
            .collect();
        let right = |app: &App| {
            let s = quality::score(app, &qs);
            (s.hit3 + s.none_ok) as i64
        };
        let (int8, f32) = (right(default), right(&exact));
        // int8 may lose one question to rounding; answering a few more than fp32 is the
        // same rounding the other way, but more than three either way would mean the two
        // precisions no longer read questions alike.
        assert!(
            int8 >= f32 - 1 && (int8 - f32).abs() <= 3,
            "{part:?}: {int8} questions right with {}, {f32} with fp32",
            Precision::best()
        );
    }
}

#[test]
fn a_bad_encoder_setting_stops_the_start_naming_the_variable_and_the_choices() {
    let out = archie()
        .env("ARCHIE_ENCODER", "avx3")
        .args(["ask", "kafka"])
        .output();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("ARCHIE_ENCODER is 'avx3'"), "{err}");
    assert!(err.contains("auto, vnni, avx2, portable or fp32"), "{err}");
    for bad in ["0", "two", "1000"] {
        let out = archie()
            .env("ARCHIE_ENCODER_THREADS", bad)
            .args(["ask", "kafka"])
            .output();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains(&format!("ARCHIE_ENCODER_THREADS is '{bad}'")) && err.contains("1 to 64"),
            "{err}"
        );
    }
    let ok = archie()
        .env("ARCHIE_ENCODER", "FP32")
        .env("ARCHIE_ENCODER_THREADS", "2")
        .args(["ask", "kafka"])
        .output();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn encoder_names_parse_and_a_kernel_this_cpu_lacks_is_refused_naming_its_best() {
    assert_eq!("auto".parse::<Precision>(), Ok(Precision::best()));
    assert_eq!(" FP32 ".parse::<Precision>(), Ok(Precision::F32));
    for k in Kernel::ALL {
        let parsed = k.name().parse::<Precision>();
        if k.available() {
            assert_eq!(parsed, Ok(Precision::Int8(k)));
        } else {
            let err = parsed.unwrap_err();
            assert!(
                err.contains("cannot run") && err.contains("auto (here"),
                "{err}"
            );
        }
    }
    assert!("avx512"
        .parse::<Precision>()
        .unwrap_err()
        .contains("expected auto"));
}
