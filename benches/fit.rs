//! `cargo bench --bench fit`: fits the learned relevance floor and the ranking weights on
//! the **fit part** of the project's corpus (`tests/eval/corpus`, split by
//! `archie::eval::Part`) and reports the fit and held-out parts side by side, by kind.
//! Nothing is fitted on the held-out part or on `../shared/eval`.
//!
//! 1. Retrieval runs once per question; each candidate's evidence and shown result are kept.
//! 2. The floor: a logistic regression (linfa-logistic) over [`Floor::inputs`] of each
//!    question's best candidates, labelled by whether the candidate's result answers it.
//! 3. Its two thresholds (decline below `answer`, hide below `keep`) by grid search.
//! 4. The ranking weights by coordinate search, then the thresholds again.
//!
//! `-- --write` stores the weights and the floor in `crates/search/src/fitted.json` (this mode's
//! half), which the program is built with. `ARCHIE_SEMANTIC=off` fits the lexical mode.

use archie::eval::{corpus, rank_of, score_with, EvalQuestion, Expect, Part, Scores};
use archie::knowledge::Knowledge;
use archie::search::rank::{Features, Fitted, Floor, Mode, Weights, FLOOR_INPUTS, QUESTION_INPUTS};
use archie::search::retrieve::Retrieved;
use archie::search::semantic::{model_dir, Encoder};
use archie::search::{Engine, SearchResult};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use std::collections::HashMap;
use std::path::Path;

/// Candidates per question the floor learns from: the best by the current weights.
const TOP: usize = 12;
const PASSES: usize = 2;
/// And the best few by each kind of evidence alone.
const EVIDENCE_TOP: usize = 4;

struct Case {
    part: Part,
    q: EvalQuestion,
    r: Retrieved,
    /// Each candidate's result with its excerpt, by entry id.
    shown: HashMap<String, SearchResult>,
}

fn main() -> anyhow::Result<()> {
    archie::search::semantic::settle_thread_count(archie::config::encoder_threads()?);
    let write = std::env::args().any(|a| a == "--write");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let semantic = std::env::var("ARCHIE_SEMANTIC").map_or(true, |v| v != "off");
    let k = Knowledge::load(&root.join("knowledge"))?;
    let encoder = if semantic {
        Some(Encoder::load(&model_dir(&root.join("knowledge")))?)
    } else {
        None
    };
    let mut engine = Engine::with_encoder(k, Some(&root.join("target/fit-data")), encoder)?;
    let mode = if semantic { "hybrid" } else { "lexical" };

    let mut cases = Vec::new();
    for (part, q) in corpus(&root.join("tests/eval/corpus"))? {
        let r = engine.retrieve(&q.q, &[], None)?;
        let shown = engine
            .candidate_results(&r)
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        cases.push(Case { part, q, r, shown });
    }
    let fit: Vec<&Case> = cases.iter().filter(|c| c.part == Part::Fit).collect();
    let held: Vec<&Case> = cases.iter().filter(|c| c.part == Part::Held).collect();
    println!(
        "{mode}: {} questions, {} to fit, {} held out",
        cases.len(),
        fit.len(),
        held.len()
    );

    let shipped = engine.floor().clone();
    println!("\nshipped floor and weights:");
    report(&engine, &fit, &held, engine.weights(), &shipped);

    // The floor learns from the candidates the weights rank high, and the weights are
    // searched with the floor fixed, so one start can settle where evidence the floor never
    // saw ranked high stays unused: the fit starts from the shipped weights and from each
    // with the glossary's evidence weighed more, and keeps the best on the fit part.
    let first = *engine.weights();
    let mut starts = vec![first];
    for concept in [1.0, 2.0, 3.0] {
        starts.push(Weights { concept, ..first });
    }
    let mut best: Option<(f64, Weights, Floors)> = None;
    for start in starts {
        let (o, w, floors) = fit_from(&engine, &fit, start, shipped.keep);
        println!("  from concept {:.2}: objective {o:.1}", start.concept);
        if best.as_ref().is_none_or(|b| o > b.0 + 1e-9) {
            best = Some((o, w, floors));
        }
    }
    let (_, w, floors) = best.expect("at least one start");
    let floor = floors.full.clone();
    println!("\ncross-validated on the fit part ({FOLDS} folds):");
    let s = scores(&engine, &fit, &w, &floors);
    println!("  fit       {}", s.summary());
    println!("\nfitted on the fit part:");
    report(&engine, &fit, &held, &w, &floor);
    println!("\n{w:#?}");
    if write {
        let path = root.join("crates/search/src/fitted.json");
        let mut fitted: Fitted = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        let m = Mode {
            weights: w,
            floor: floor.clone(),
        };
        if semantic {
            fitted.hybrid = m;
        } else {
            fitted.lexical = m;
        }
        std::fs::write(&path, serde_json::to_string_pretty(&fitted)? + "\n")?;
        println!("wrote the {mode} weights and floor to {}", path.display());
    }
    engine.set_floor(floor);
    Ok(())
}

/// The only weights that may go below zero: an entry about another company than the one
/// named, or about none. Any other evidence for an answer never counts against it.
const SIGNED: [&str; 2] = ["company_other", "company_none"];

/// How many folds the fit part is cut into: each question's score comes from a floor
/// learnt without it, so thresholds are chosen on probabilities the model did not fit.
const FOLDS: usize = 5;

fn fold_of(c: &Case) -> usize {
    let h = c.q.id.bytes().fold(0u64, |h, b| {
        h.wrapping_mul(1_000_003).wrapping_add(b as u64)
    });
    (h % FOLDS as u64) as usize
}

/// The floor learnt on the whole fit part (what ships) and one per fold learnt without
/// that fold; the thresholds are `full`'s.
#[derive(Clone)]
struct Floors {
    full: Floor,
    folds: Vec<Floor>,
}

impl Floors {
    /// The floor a case is scored with: its fold's model with the chosen thresholds.
    fn of(&self, c: &Case) -> Floor {
        Floor {
            answer: self.full.answer,
            keep: self.full.keep,
            sure: self.full.sure,
            ..self.folds[fold_of(c)].clone()
        }
    }

    fn with(&self, answer: f32, keep: f32, sure: f32) -> Floors {
        Floors {
            full: Floor {
                answer,
                keep,
                sure,
                ..self.full.clone()
            },
            folds: self.folds.clone(),
        }
    }

    /// A single floor used for every case (the shipped one, the held-out report).
    fn single(f: &Floor) -> Floors {
        Floors {
            full: f.clone(),
            folds: vec![f.clone(); FOLDS],
        }
    }
}

/// Weights and floor fitted from one start: `(objective, weights, floors)`.
fn fit_from(engine: &Engine, fit: &[&Case], start: Weights, keep: f32) -> (f64, Weights, Floors) {
    let mut w = start;
    for (name, v) in w.as_slice_mut() {
        if !SIGNED.contains(&name) {
            *v = v.max(0.0);
        }
    }
    let mut floors = learn_floors(engine, fit, &w, keep);
    floors = thresholds(engine, fit, &w, floors);
    for _ in 0..PASSES {
        w = fit_weights(engine, fit, w, &floors);
        floors = learn_floors(engine, fit, &w, floors.full.keep);
        floors = thresholds(engine, fit, &w, floors);
    }
    (objective(&scores(engine, fit, &w, &floors)), w, floors)
}

/// One floor per fold, learnt without it; the floor that ships is their average (the
/// models are linear in their inputs, so it is their ensemble in log-odds), whose
/// probabilities are on the scale the thresholds were chosen on.
fn learn_floors(engine: &Engine, fit: &[&Case], w: &Weights, keep: f32) -> Floors {
    let folds: Vec<Floor> = (0..FOLDS)
        .map(|k| {
            let rest: Vec<&Case> = fit.iter().copied().filter(|c| fold_of(c) != k).collect();
            learn_floor(engine, &rest, w, keep)
        })
        .collect();
    let mean = |f: &dyn Fn(&Floor) -> f32| folds.iter().map(f).sum::<f32>() / FOLDS as f32;
    let full = Floor {
        coef: (0..FLOOR_INPUTS.len())
            .map(|i| mean(&|f| f.coef[i]))
            .collect(),
        intercept: mean(&|f| f.intercept),
        question: (0..QUESTION_INPUTS.len())
            .map(|i| mean(&|f| f.question[i]))
            .collect(),
        question_intercept: mean(&|f| f.question_intercept),
        ..folds[0].clone()
    };
    Floors { full, folds }
}

/// The results a case gets with these weights and floor.
fn answers(engine: &Engine, c: &Case, w: &Weights, floor: &Floor) -> Vec<SearchResult> {
    engine
        .rank_with(&c.r, w, floor, 5)
        .into_iter()
        .filter_map(|r| c.shown.get(&r.id).cloned())
        .collect()
}

fn scores(engine: &Engine, cases: &[&Case], w: &Weights, floors: &Floors) -> Scores {
    let by_q: HashMap<&str, &Case> = cases.iter().map(|c| (c.q.id.as_str(), *c)).collect();
    let mut qs: Vec<EvalQuestion> = cases.iter().map(|c| c.q.clone()).collect();
    // score_with hands the question text back; the id keys it uniquely.
    for q in &mut qs {
        q.q = q.id.clone();
    }
    score_with(&qs, |id| {
        by_q.get(id)
            .map(|c| answers(engine, c, w, &floors.of(c)))
            .unwrap_or_default()
    })
}

/// What the fit maximises: answers high up, and no answer where none is right. An answer
/// to a question the knowledge cannot answer is invented, which members trust less than
/// "I don't know": it costs half again as much as a missed answer (the bars allow
/// 5% of such answers against 10% of misses).
fn objective(s: &Scores) -> f64 {
    0.4 * s.hit1 as f64 + 0.4 * s.hit3 as f64 + 0.2 * s.mrr5 + 1.5 * s.none_ok as f64
}

/// Logistic regression over the best candidates of each fit question.
fn learn_floor(engine: &Engine, fit: &[&Case], w: &Weights, keep: f32) -> Floor {
    let mut rows: Vec<f32> = Vec::new();
    let mut labels: Vec<bool> = Vec::new();
    for c in fit {
        let asked = c.r.asked();
        let mut cands: Vec<_> = c.r.candidates.iter().collect();
        cands.sort_by(|x, y| w.score(&y.features).total_cmp(&w.score(&x.features)));
        // The best by the current weights, and the best by each kind of evidence alone, so
        // that the floor learns what evidence the weights do not yet rank high is worth.
        let mut picked: Vec<_> = cands.iter().take(TOP).copied().collect();
        for by in [
            (|f: &Features| f.concept) as fn(&Features) -> f32,
            |f| f.semantic,
            |f| f.bm25,
        ] {
            let mut alt = cands.clone();
            alt.sort_by(|x, y| by(&y.features).total_cmp(&by(&x.features)));
            for cand in alt.into_iter().take(EVIDENCE_TOP) {
                if !picked.iter().any(|p| p.ord == cand.ord) {
                    picked.push(cand);
                }
            }
        }
        let id_of = |ord: u64| engine.entry_id(&c.r, ord);
        for cand in picked {
            let good = match (&c.q.expect, id_of(cand.ord).and_then(|id| c.shown.get(&id))) {
                (Expect::Any(alts), Some(res)) => {
                    rank_of(std::slice::from_ref(res), alts) == Some(1)
                }
                _ => false,
            };
            rows.extend(Floor::inputs(&cand.features, asked, cand.named));
            labels.push(good);
        }
    }
    let (coef, intercept) = logistic(rows, labels, FLOOR_INPUTS.len());
    let mut floor = Floor {
        coef,
        intercept,
        keep,
        ..Floor::neutral()
    };
    // The decision model: per question, over its candidates as the first model sees them;
    // answerable questions are the positive class.
    let mut rows: Vec<f32> = Vec::new();
    let mut labels: Vec<bool> = Vec::new();
    for c in fit {
        let asked = c.r.asked();
        let ps: Vec<f32> =
            c.r.candidates
                .iter()
                .map(|x| floor.probability(&x.features, asked, x.named))
                .collect();
        rows.extend(Floor::question_inputs(&c.r.candidates, &ps, asked));
        labels.push(matches!(c.q.expect, Expect::Any(_)));
    }
    let (question, question_intercept) = logistic(rows, labels, QUESTION_INPUTS.len());
    floor.question = question;
    floor.question_intercept = question_intercept;
    floor
}

/// An L2-regularised logistic regression: coefficients and intercept.
fn logistic(rows: Vec<f32>, labels: Vec<bool>, width: usize) -> (Vec<f32>, f32) {
    let n = labels.len();
    let x = Array2::from_shape_vec((n, width), rows)
        .expect("rows of the input width")
        .mapv(f64::from);
    let y = Array1::from_vec(labels);
    let model = LogisticRegression::default()
        .alpha(0.01)
        .max_iterations(500)
        .fit(&Dataset::new(x, y))
        .expect("the logistic regression converges on the fit part");
    // linfa's positive class is the label it saw second; find which one `true` is.
    let sign = if model.labels().pos.class { 1.0 } else { -1.0 };
    (
        model.params().iter().map(|c| (sign * c) as f32).collect(),
        (sign * model.intercept()) as f32,
    )
}

/// The decline and keep thresholds that score best on the fit part, each question scored
/// with the floor of the folds that did not see it.
fn thresholds(engine: &Engine, fit: &[&Case], w: &Weights, floors: Floors) -> Floors {
    let sure0 = floors.full.sure;
    let mut best = (f64::MIN, floors.clone());
    for answer in (10..=90).step_by(2).map(|p| p as f32 / 100.0) {
        for keep in [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3] {
            if keep > answer {
                continue;
            }
            let f = floors.with(answer, keep, sure0);
            let o = objective(&scores(engine, fit, w, &f));
            if o > best.0 + 1e-9 {
                best = (o, f);
            }
        }
    }
    // How sure the floor must be to keep a candidate the score cutoff would drop.
    let start = best.1.clone();
    for sure in [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01] {
        let f = start.with(start.full.answer, start.full.keep, sure);
        let o = objective(&scores(engine, fit, w, &f));
        if o > best.0 + 1e-9 {
            best = (o, f);
        }
    }
    best.1
}

/// Coordinate search of the ranking weights with the floor fixed.
fn fit_weights(engine: &Engine, fit: &[&Case], start: Weights, floor: &Floors) -> Weights {
    let mut w = start;
    let mut best = objective(&scores(engine, fit, &w, floor));
    let n = w.as_slice_mut().len();
    for i in 0..n {
        let cur = *w.as_slice_mut()[i].1;
        // Steps near the current value, and a coarse grid of values far from it, so that
        // a weight stuck where small steps all lose can still jump to a better region.
        let near = [
            cur * 0.5,
            cur * 0.8,
            cur * 1.25,
            cur * 1.6,
            cur - 0.1,
            cur + 0.1,
            cur + 0.3,
            cur + 1.0,
        ];
        let far = [-0.5, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0];
        let signed = SIGNED.contains(&w.as_slice_mut()[i].0);
        for v in near.into_iter().chain(far) {
            if v < 0.0 && !signed {
                continue;
            }
            let mut t = w;
            *t.as_slice_mut()[i].1 = v;
            let o = objective(&scores(engine, fit, &t, floor));
            if o > best + 1e-9 {
                best = o;
                w = t;
            }
        }
    }
    w
}

fn report(engine: &Engine, fit: &[&Case], held: &[&Case], w: &Weights, floor: &Floor) {
    let floors = Floors::single(floor);
    for (name, cases) in [("fit", fit), ("held-out", held)] {
        let s = scores(engine, cases, w, &floors);
        let cats: Vec<String> = s
            .per_cat
            .iter()
            .map(|(c, (ok, n))| format!("{c} {ok}/{n}"))
            .collect();
        println!("  {name:<9} {}   [{}]", s.summary(), cats.join(", "));
    }
}
