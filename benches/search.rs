//! `cargo bench --bench search`: answer quality and latency of hybrid Archie (lexical
//! ranking fused with the sentence encoder), lexical-only Archie (`ARCHIE_SEMANTIC=off`)
//! and SQLite FTS5 (bm25 over the same entries), side by side on the same questions: per
//! question set and per category, p50/p99 per question, index build time, and the model's
//! load time and memory. Hybrid runs with the encoder in the best precision this CPU has
//! (named: int8 on VNNI or AVX2, else fp32), and again with AVX2's int8 kernel forced and
//! in fp32, with the cosine of their question vectors to fp32's over every question.
//!
//! Question sets: the corpus's fit and held-out parts (tests/eval/corpus, split by
//! `archie::eval::Part`), tests/eval/questions.jsonl ("own"), and ../shared/eval/dev.jsonl
//! and dev2.jsonl when present.

use archie::app::App;
use archie::eval::{parse, score_with, EvalQuestion, Scores};
use archie::knowledge::{Kind, Knowledge};
use archie::quality;
use archie::search::excerpt::{Excerpt, Segment};
use archie::search::semantic::{model_dir, Encoder, Kernel, Precision};
use archie::search::{Engine, SearchResult};
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// Timed rounds over every question: the lexical engines are fast enough for many.
const ROUNDS_LEXICAL: usize = 10;
const ROUNDS_HYBRID: usize = 5;

fn main() -> anyhow::Result<()> {
    archie::search::semantic::settle_thread_count(archie::config::encoder_threads()?);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sets: Vec<(&str, Vec<EvalQuestion>)> = Vec::new();
    for (name, path) in [
        ("dev", root.join("../shared/eval/dev.jsonl")),
        ("dev2", root.join("../shared/eval/dev2.jsonl")),
        ("own", root.join("tests/eval/questions.jsonl")),
    ] {
        match std::fs::read_to_string(&path) {
            Ok(t) => sets.push((name, parse(&t)?)),
            Err(_) => eprintln!("skipping {} (not found)", path.display()),
        }
    }
    let corpus = archie::eval::corpus(&root.join("tests/eval/corpus"))?;
    for (name, part) in [
        ("corpus-fit", archie::eval::Part::Fit),
        ("corpus-held", archie::eval::Part::Held),
    ] {
        let qs = corpus
            .iter()
            .filter(|(p, _)| *p == part)
            .map(|(_, q)| q.clone())
            .collect();
        sets.push((name, qs));
    }
    let t = Instant::now();
    let k = Knowledge::load(&root.join("knowledge"))?;
    let load = t.elapsed();
    let entries = k.entries.len();

    let dir = model_dir(&root.join("knowledge"));
    let best = Precision::best();
    let rss0 = rss_mb();
    let t = Instant::now();
    let encoder = Encoder::load_with(&dir, best)?;
    let model_load = t.elapsed();
    let model_rss = rss_mb() - rss0;

    let data = tempfile::tempdir()?;
    let t = Instant::now();
    let built = Engine::new(k.clone(), Some(data.path()))?;
    let build = t.elapsed();
    drop(built);
    let t = Instant::now();
    let lexical = App::from_engine(Engine::new(k.clone(), Some(data.path()))?);
    let reopen = t.elapsed();
    assert!(!lexical.engine.index_was_built());
    let t = Instant::now();
    let hybrid_built = Engine::with_encoder(k.clone(), Some(data.path()), Some(encoder))?;
    let vectors = t.elapsed();
    drop(hybrid_built);
    let t = Instant::now();
    let encoder = Encoder::load_with(&dir, best)?;
    let hybrid = App::from_engine(Engine::with_encoder(
        k.clone(),
        Some(data.path()),
        Some(encoder),
    )?);
    let hybrid_reopen = t.elapsed();
    // The same answering with the encoder forced to the other precisions: AVX2's int8
    // kernel (the many hosts without AVX-512) and fp32. Each has its own stored vectors.
    let mut others = Vec::new();
    for p in [Precision::Int8(Kernel::Avx2), Precision::F32] {
        if p != best && (p == Precision::F32 || Kernel::Avx2.available()) {
            let encoder = Encoder::load_with(&dir, p)?;
            let engine = Engine::with_encoder(k.clone(), Some(data.path()), Some(encoder))?;
            others.push((p, App::from_engine(engine)));
        }
    }

    let t = Instant::now();
    let db = fts5_build(&k)?;
    let fts_build = t.elapsed();

    println!("entries: {entries}; knowledge load {:.1} ms", ms(load));
    println!(
        "index build {:.1} ms, reopen {:.1} ms; entry and sentence vectors computed in {:.0} ms; \
         hybrid reopen (model load + stored vectors) {:.1} ms; fts5 build {:.1} ms",
        ms(build),
        ms(reopen),
        ms(vectors),
        ms(hybrid_reopen),
        ms(fts_build)
    );
    println!(
        "model ({best}, the kernel in use): load {:.1} ms, resident memory +{model_rss:.0} MB; \
         encoder threads per question: {}",
        ms(model_load),
        std::env::var("RAYON_NUM_THREADS").unwrap_or_default()
    );

    let all: Vec<&EvalQuestion> = sets.iter().flat_map(|(_, qs)| qs.iter()).collect();
    let texts: Vec<&str> = all.iter().map(|q| q.q.as_str()).collect();
    if let Some((_, fp32)) = others.iter().find(|(p, _)| *p == Precision::F32) {
        let reference = encode_each(fp32, &texts)?;
        println!(
            "\nquestion vectors against fp32's, cosine over all {} questions:",
            texts.len()
        );
        let mut int8: Vec<(Precision, &App)> = vec![(best, &hybrid)];
        int8.extend(
            others
                .iter()
                .filter(|(p, _)| *p != Precision::F32)
                .map(|(p, a)| (*p, a)),
        );
        for (p, app) in int8.into_iter().filter(|(p, _)| *p != Precision::F32) {
            let mut cos: Vec<f32> = encode_each(app, &texts)?
                .iter()
                .zip(&reference)
                .map(|(a, b)| archie::search::semantic::cosine(a, b))
                .collect();
            cos.sort_by(f32::total_cmp);
            println!(
                "  {:<14} median {:.4}, min {:.4}",
                p.name(),
                cos[cos.len() / 2],
                cos[0]
            );
        }
    }
    let mut engines: Vec<(String, &App)> = vec![(format!("hybrid {}", best.name()), &hybrid)];
    for (p, app) in &others {
        engines.push((format!("hybrid {}", p.name()), app));
    }
    let mut lat = Vec::new();
    for (name, app) in &engines {
        let l = latencies(&all, ROUNDS_HYBRID, |q| {
            std::hint::black_box(app.engine.ask(q, 5).ok());
        });
        lat.push((name.clone(), l));
    }
    lat.push((
        "archie lexical".into(),
        latencies(&all, ROUNDS_LEXICAL, |q| {
            std::hint::black_box(lexical.engine.ask(q, 5).ok());
        }),
    ));
    lat.push((
        "sqlite-fts5".into(),
        latencies(&all, ROUNDS_LEXICAL, |q| {
            std::hint::black_box(fts5_ask(&db, q, 5));
        }),
    ));
    println!(
        "\n{} questions; latency per question in process (µs):",
        all.len()
    );
    println!("{:<22} {:>9} {:>9} {:>9}", "engine", "p50", "p99", "max");
    for (name, lat) in &lat {
        println!(
            "{name:<22} {:>9.0} {:>9.0} {:>9.0}",
            pct(lat, 0.5),
            pct(lat, 0.99),
            pct(lat, 1.0)
        );
    }
    for (set, qs) in &sets {
        println!("\n{set} ({} questions)", qs.len());
        println!(
            "{:<22} {:>7} {:>7} {:>7} {:>8}   per category (hit@3, none-ok for none)",
            "engine", "hit@1", "hit@3", "mrr@5", "none-ok"
        );
        // Quality is what the /ask command answers (the first page of five).
        let mut hits = Vec::new();
        for (name, app) in &engines {
            let scores = quality::score(app, qs);
            row(name, &scores);
            hits.push((name.clone(), scores.hit3 + scores.none_ok));
        }
        row("archie lexical", &quality::score(&lexical, qs));
        row("sqlite-fts5", &score_with(qs, |q| fts5_ask(&db, q, 5)));
        if let Some((_, fp32)) = hits.iter().find(|(n, _)| n.ends_with("fp32")) {
            let diffs: Vec<String> = hits
                .iter()
                .filter(|(n, _)| !n.ends_with("fp32"))
                .map(|(n, h)| format!("{n} {:+}", *h as i64 - *fp32 as i64))
                .collect();
            println!(
                "questions right (hit@3 or declined) against fp32: {}",
                diffs.join(", ")
            );
        }
    }
    Ok(())
}

/// Each text's question vector, encoded alone as `/ask` encodes it.
fn encode_each(app: &App, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
    let enc = app
        .engine
        .encoder()
        .ok_or_else(|| anyhow::anyhow!("no encoder"))?;
    texts
        .iter()
        .map(|t| Ok(enc.encode(&[t])?.remove(0)))
        .collect()
}

/// Resident memory of this process in MB (Linux), 0 elsewhere.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn latencies(questions: &[&EvalQuestion], rounds: usize, mut f: impl FnMut(&str)) -> Vec<Duration> {
    for q in questions {
        f(&q.q); // warm up
    }
    let mut v = Vec::with_capacity(questions.len() * rounds);
    for _ in 0..rounds {
        for q in questions {
            let t = Instant::now();
            f(&q.q);
            v.push(t.elapsed());
        }
    }
    v.sort();
    v
}

fn pct(v: &[Duration], p: f64) -> f64 {
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1e6
}

fn row(name: &str, s: &Scores) {
    let cats: Vec<String> = s
        .per_cat
        .iter()
        .map(|(c, (ok, n))| format!("{c} {ok}/{n}"))
        .collect();
    println!(
        "{:<18} {:>7.3} {:>7.3} {:>7.3} {:>5}/{}   {}",
        name,
        s.hit_at_1(),
        s.hit_at_3(),
        s.mrr(),
        s.none_ok,
        s.none_total,
        cats.join(", ")
    );
}

/// The baseline a bot author would reach for: one FTS5 table over the same text, bm25.
fn fts5_build(k: &Knowledge) -> rusqlite::Result<Connection> {
    let db = Connection::open_in_memory()?;
    db.execute_batch(
        "CREATE VIRTUAL TABLE docs USING fts5(kind UNINDEXED, title, text, company, technologies, tokenize = 'porter unicode61 remove_diacritics 2');",
    )?;
    let mut ins = db.prepare("INSERT INTO docs(rowid, kind, title, text, company, technologies) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
    for (i, e) in k.entries.iter().enumerate() {
        ins.execute(rusqlite::params![
            i as i64,
            e.kind.as_str(),
            e.title,
            e.text,
            e.company,
            e.technologies.join(" ")
        ])?;
    }
    drop(ins);
    Ok(db)
}

fn fts5_ask(db: &Connection, q: &str, limit: usize) -> Vec<SearchResult> {
    // Every word as a quoted term, OR-ed: safe against FTS5 syntax, and how most bots do it.
    let terms: Vec<String> = archie::text::normalize(q)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect();
    if terms.is_empty() {
        return Vec::new();
    }
    let sql = "SELECT kind, title, snippet(docs, 2, '**', '**', '…', 40), company, bm25(docs) FROM docs WHERE docs MATCH ?1 ORDER BY bm25(docs) LIMIT ?2";
    let Ok(mut st) = db.prepare_cached(sql) else {
        return Vec::new();
    };
    let rows = st.query_map(rusqlite::params![terms.join(" OR "), limit as i64], |r| {
        let kind: String = r.get(0)?;
        let excerpt: String = r.get(2)?;
        Ok(SearchResult {
            id: String::new(),
            kind: Kind::parse(&kind).unwrap_or(Kind::Note),
            title: r.get(1)?,
            excerpt: excerpt.clone(),
            excerpt_marked: excerpt.clone(),
            company: r.get(3)?,
            sources: Vec::new(),
            score: -(r.get::<_, f64>(4)? as f32),
            also: Vec::new(),
            parts: Excerpt {
                segments: vec![Segment {
                    text: excerpt,
                    hit: false,
                }],
            },
        })
    });
    match rows {
        Ok(rows) => rows.filter_map(Result::ok).collect(),
        Err(_) => Vec::new(),
    }
}
