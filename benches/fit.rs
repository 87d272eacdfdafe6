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
use archie::search::rank::{Fitted, Floor, Mode, Weights, FLOOR_INPUTS, QUESTION_INPUTS};
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

    let mut w = *engine.weights();
    let mut floor = learn_floor(&engine, &fit, &w, shipped.keep);
    floor = thresholds(&engine, &fit, &w, floor);
    for _ in 0..PASSES {
        w = fit_weights(&engine, &fit, w, &floor);
        floor = learn_floor(&engine, &fit, &w, floor.keep);
        floor = thresholds(&engine, &fit, &w, floor);
    }
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

/// The results a case gets with these weights and floor.
fn answers(engine: &Engine, c: &Case, w: &Weights, floor: &Floor) -> Vec<SearchResult> {
    engine
        .rank_with(&c.r, w, floor, 5)
        .into_iter()
        .filter_map(|r| c.shown.get(&r.id).cloned())
        .collect()
}

fn scores(engine: &Engine, cases: &[&Case], w: &Weights, floor: &Floor) -> Scores {
    let by_q: HashMap<&str, &Case> = cases.iter().map(|c| (c.q.id.as_str(), *c)).collect();
    let mut qs: Vec<EvalQuestion> = cases.iter().map(|c| c.q.clone()).collect();
    // score_with hands the question text back; the id keys it uniquely.
    for q in &mut qs {
        q.q = q.id.clone();
    }
    score_with(&qs, |id| {
        by_q.get(id)
            .map(|c| answers(engine, c, w, floor))
            .unwrap_or_default()
    })
}

/// What the fit maximises: answers high up, and no answer where none is right (a wrong
/// answer to an unanswerable question costs as much as a missed answer).
fn objective(s: &Scores) -> f64 {
    0.4 * s.hit1 as f64 + 0.4 * s.hit3 as f64 + 0.2 * s.mrr5 + 1.0 * s.none_ok as f64
}

/// Logistic regression over the best candidates of each fit question.
fn learn_floor(engine: &Engine, fit: &[&Case], w: &Weights, keep: f32) -> Floor {
    let mut rows: Vec<f32> = Vec::new();
    let mut labels: Vec<bool> = Vec::new();
    for c in fit {
        let asked = c.r.asked();
        let mut cands: Vec<_> = c.r.candidates.iter().collect();
        cands.sort_by(|x, y| w.score(&y.features).total_cmp(&w.score(&x.features)));
        let id_of = |ord: u64| engine.entry_id(&c.r, ord);
        for cand in cands.into_iter().take(TOP) {
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

/// The decline and keep thresholds that score best on the fit part.
fn thresholds(engine: &Engine, fit: &[&Case], w: &Weights, floor: Floor) -> Floor {
    let mut best = (f64::MIN, floor.clone());
    for answer in (10..=90).step_by(2).map(|p| p as f32 / 100.0) {
        for keep in [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3] {
            if keep > answer {
                continue;
            }
            let f = Floor {
                answer,
                keep,
                ..floor.clone()
            };
            let o = objective(&scores(engine, fit, w, &f));
            if o > best.0 + 1e-9 {
                best = (o, f);
            }
        }
    }
    // How sure the floor must be to keep a candidate the score cutoff would drop.
    let start = best.1.clone();
    for sure in [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01] {
        let f = Floor {
            sure,
            ..start.clone()
        };
        let o = objective(&scores(engine, fit, w, &f));
        if o > best.0 + 1e-9 {
            best = (o, f);
        }
    }
    best.1
}

/// Coordinate search of the ranking weights with the floor fixed.
fn fit_weights(engine: &Engine, fit: &[&Case], start: Weights, floor: &Floor) -> Weights {
    let mut w = start;
    let mut best = objective(&scores(engine, fit, &w, floor));
    let n = w.as_slice_mut().len();
    for i in 0..n {
        let cur = *w.as_slice_mut()[i].1;
        for v in [
            cur * 0.0,
            cur * 0.5,
            cur * 0.8,
            cur * 1.25,
            cur * 1.6,
            cur - 0.1,
            cur + 0.1,
            cur + 0.3,
            cur + 1.0,
        ] {
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
    for (name, cases) in [("fit", fit), ("held-out", held)] {
        let s = scores(engine, cases, w, floor);
        let cats: Vec<String> = s
            .per_cat
            .iter()
            .map(|(c, (ok, n))| format!("{c} {ok}/{n}"))
            .collect();
        println!("  {name:<9} {}   [{}]", s.summary(), cats.join(", "));
    }
}
