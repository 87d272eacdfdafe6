//! `cargo bench --bench fit`: fits the ranking [`Weights`] on the question sets by
//! coordinate search, with 5-fold cross-validation, and prints the figures on the folds
//! each fit did not see, then the weights fitted on everything (to paste into
//! `Weights::default()` in src/search/rank.rs).
//!
//! Questions: tests/eval/questions.jsonl, and ../shared/eval/dev.jsonl and dev2.jsonl when
//! present. Retrieval runs once per question; only ranking and folding run per trial.
//! `ARCHIE_SEMANTIC=off` fits the lexical weights instead.

use archie::eval::{parse, score_with, Question, Scores};
use archie::knowledge::Knowledge;
use archie::search::rank::Weights;
use archie::search::retrieve::Retrieved;
use archie::search::semantic::{model_dir, Encoder};
use archie::search::{Engine, SearchResult};
use std::collections::HashMap;
use std::path::Path;

const FOLDS: usize = 5;
const PASSES: usize = 3;

struct Case {
    set: &'static str,
    q: Question,
    r: Retrieved,
    /// Each candidate's result with its excerpt, by entry id.
    shown: HashMap<String, SearchResult>,
}

fn main() -> anyhow::Result<()> {
    archie::search::semantic::settle_thread_count();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let semantic = std::env::var("ARCHIE_SEMANTIC").map_or(true, |v| v != "off");
    let k = Knowledge::load(&root.join("knowledge"))?;
    let encoder = if semantic {
        Some(Encoder::load(&model_dir(&root.join("knowledge")))?)
    } else {
        None
    };
    let data = root.join("target/fit-data");
    let engine = Engine::with_encoder(k, Some(&data), encoder)?;
    let start = if semantic {
        Weights::default()
    } else {
        Weights::lexical()
    };

    let mut cases = Vec::new();
    for (set, path) in [
        ("own", root.join("tests/eval/questions.jsonl")),
        ("dev", root.join("../shared/eval/dev.jsonl")),
        ("dev2", root.join("../shared/eval/dev2.jsonl")),
    ] {
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipping {} (not found)", path.display());
            continue;
        };
        for q in parse(&text)? {
            let r = engine.retrieve(&q.q, &[], None)?;
            let shown = engine
                .candidate_results(&r)
                .into_iter()
                .map(|s| (s.id.clone(), s))
                .collect();
            cases.push(Case { set, q, r, shown });
        }
    }
    println!(
        "{} questions, semantic {}",
        cases.len(),
        if semantic { "on" } else { "off" }
    );

    // Cross-validation: fit on four folds, score the fifth.
    let mut held_out: Vec<(&Case, Vec<SearchResult>)> = Vec::new();
    for fold in 0..FOLDS {
        let in_fold = |i: usize| i % FOLDS == fold;
        let pick = |keep: bool| -> Vec<&Case> {
            let chosen = cases
                .iter()
                .enumerate()
                .filter(|(i, _)| in_fold(*i) == keep);
            chosen.map(|x| x.1).collect()
        };
        let (test, train) = (pick(true), pick(false));
        let w = fit(&engine, &train, start);
        for c in test {
            held_out.push((c, answers(&engine, c, &w)));
        }
    }
    println!("\nheld-out figures (each question scored by weights fitted without it):");
    report(&held_out);

    let all: Vec<&Case> = cases.iter().collect();
    let before: Vec<(&Case, Vec<SearchResult>)> = all
        .iter()
        .map(|c| (*c, answers(&engine, c, &start)))
        .collect();
    println!("\nstarting weights on all questions:");
    report(&before);
    let w = fit(&engine, &all, start);
    let after: Vec<(&Case, Vec<SearchResult>)> =
        all.iter().map(|c| (*c, answers(&engine, c, &w))).collect();
    println!("\nweights fitted on all questions (in-sample):");
    report(&after);
    println!("\n{w:#?}");
    Ok(())
}

fn answers(engine: &Engine, c: &Case, w: &Weights) -> Vec<SearchResult> {
    engine
        .rank_with(&c.r, w, 5)
        .into_iter()
        .filter_map(|r| c.shown.get(&r.id).cloned())
        .collect()
}

fn scores(engine: &Engine, cases: &[&Case], w: &Weights) -> Scores {
    let by_q: HashMap<&str, &Case> = cases.iter().map(|c| (c.q.q.as_str(), *c)).collect();
    let qs: Vec<Question> = cases.iter().map(|c| c.q.clone()).collect();
    score_with(&qs, |q| {
        by_q.get(q)
            .map(|c| answers(engine, c, w))
            .unwrap_or_default()
    })
}

/// What the search maximises: answers high up, and no answer where none is right (a wrong
/// answer to an off-topic question costs as much as a missed answer).
fn objective(s: &Scores) -> f64 {
    0.4 * s.hit1 as f64 + 0.4 * s.hit3 as f64 + 0.2 * s.mrr5 + 1.0 * s.none_ok as f64
}

/// Coordinate search from `start`: each weight in turn tries a few multiples and offsets
/// and keeps the best; ties keep the current value.
fn fit(engine: &Engine, train: &[&Case], start: Weights) -> Weights {
    let mut w = start;
    let mut best = objective(&scores(engine, train, &w));
    for _ in 0..PASSES {
        let mut improved = false;
        for i in 0..w.as_slice_mut().len() {
            let cur = *w.as_slice_mut()[i].1;
            let trials = [
                cur * 0.0,
                cur * 0.5,
                cur * 0.8,
                cur * 1.25,
                cur * 1.6,
                cur * 2.0,
                cur - 0.1,
                cur + 0.1,
                cur + 0.3,
            ];
            for v in trials {
                let mut t = w;
                *t.as_slice_mut()[i].1 = v;
                let o = objective(&scores(engine, train, &t));
                if o > best + 1e-9 {
                    best = o;
                    w = t;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    w
}

fn report(rows: &[(&Case, Vec<SearchResult>)]) {
    for set in ["dev", "dev2", "own"] {
        let picked: Vec<&(&Case, Vec<SearchResult>)> =
            rows.iter().filter(|(c, _)| c.set == set).collect();
        if picked.is_empty() {
            continue;
        }
        let by_q: HashMap<&str, &Vec<SearchResult>> =
            picked.iter().map(|(c, r)| (c.q.q.as_str(), r)).collect();
        let qs: Vec<Question> = picked.iter().map(|(c, _)| c.q.clone()).collect();
        let s = score_with(&qs, |q| {
            by_q.get(q).map(|r| (*r).clone()).unwrap_or_default()
        });
        let cats: Vec<String> = s
            .per_cat
            .iter()
            .map(|(c, (ok, n))| format!("{c} {ok}/{n}"))
            .collect();
        println!("  {set:<5} {}   [{}]", s.summary(), cats.join(", "));
    }
}
