//! `cargo bench --bench search`: Archie's answer latency and quality next to SQLite FTS5
//! (bm25 over the same entries), on the same questions, plus index build time.
//!
//! Questions: tests/eval/questions.jsonl, and ../shared/eval/dev.jsonl when present.

use archie::eval::{parse, score_with, Question, Scores};
use archie::knowledge::{Kind, Knowledge};
use archie::search::excerpt::{Excerpt, Segment};
use archie::search::{Engine, SearchResult};
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

const ROUNDS: usize = 200;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut questions: Vec<Question> = parse(&std::fs::read_to_string(
        root.join("tests/eval/questions.jsonl"),
    )?)?;
    let dev = root.join("../shared/eval/dev.jsonl");
    if let Ok(t) = std::fs::read_to_string(&dev) {
        questions.extend(parse(&t)?);
    }
    let t = Instant::now();
    let k = Knowledge::load(&root.join("knowledge"))?;
    let load = t.elapsed();
    let entries = k.entries.len();

    let t = Instant::now();
    let data = tempfile::tempdir()?;
    let built = Engine::new(k.clone(), Some(data.path()))?;
    let build = t.elapsed();
    drop(built);
    let t = Instant::now();
    let engine = Engine::new(k.clone(), Some(data.path()))?;
    let reopen = t.elapsed();
    assert!(!engine.index_was_built());

    let t = Instant::now();
    let db = fts5_build(&k)?;
    let fts_build = t.elapsed();

    // Per-question medians, to see which paths are slow.
    let mut per_q: Vec<(f64, &str)> = questions
        .iter()
        .map(|q| {
            let mut v: Vec<Duration> = (0..50)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(engine.ask(&q.q, 5));
                    t.elapsed()
                })
                .collect();
            v.sort();
            (v[25].as_secs_f64() * 1e6, q.q.as_str())
        })
        .collect();
    per_q.sort_by(|a, b| b.0.total_cmp(&a.0));

    let archie_lat = latencies(&questions, |q| {
        std::hint::black_box(engine.ask(q, 5));
    });
    let fts_lat = latencies(&questions, |q| {
        std::hint::black_box(fts5_ask(&db, q, 5));
    });
    let archie_q = score_with(&questions, |q| engine.ask(q, 5).results);
    let fts_q = score_with(&questions, |q| fts5_ask(&db, q, 5));

    println!(
        "entries: {entries}, questions: {} x {ROUNDS} rounds",
        questions.len()
    );
    println!("knowledge load: {:.1} ms", ms(load));
    println!(
        "index build (tantivy, persisted): {:.1} ms; reopen: {:.1} ms; fts5 build: {:.1} ms",
        ms(build),
        ms(reopen),
        ms(fts_build)
    );
    println!();
    println!(
        "{:<14} {:>9} {:>9} {:>9} {:>7} {:>7} {:>7} {:>8}",
        "engine", "p50 µs", "p99 µs", "max µs", "hit@1", "hit@3", "mrr@5", "none-ok"
    );
    row("archie", &archie_lat, &archie_q);
    row("sqlite-fts5", &fts_lat, &fts_q);
    println!();
    println!("slowest questions for archie (median of 50 runs):");
    for (us, q) in per_q.iter().take(5) {
        println!("  {us:>8.1} µs  {q}");
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn latencies(questions: &[Question], mut f: impl FnMut(&str)) -> Vec<Duration> {
    for q in questions {
        f(&q.q); // warm up
    }
    let mut v = Vec::with_capacity(questions.len() * ROUNDS);
    for _ in 0..ROUNDS {
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

fn row(name: &str, lat: &[Duration], s: &Scores) {
    println!(
        "{:<14} {:>9.1} {:>9.1} {:>9.1} {:>7.3} {:>7.3} {:>7.3} {:>5}/{}",
        name,
        pct(lat, 0.5),
        pct(lat, 0.99),
        pct(lat, 1.0),
        s.hit_at_1(),
        s.hit_at_3(),
        s.mrr(),
        s.none_ok,
        s.none_total
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
