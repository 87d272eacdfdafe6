//! `cargo bench --bench scale`: what a public instance serving many servers costs, as the
//! community store grows. For synthetic community entries at 10k, 100k and 1M (1M across
//! 10,000 servers), one server always holding 10k of them, it measures:
//!
//! - import: the entries written to the store (one transaction per server), then the
//!   community index brought up to date by a process opening the store;
//! - `serve` start: the real binary, from spawn to `/healthz` answering, with an index
//!   already current (the normal restart), and its RSS at rest;
//! - `/ask` p50/p99 in process, through `commands::execute`, in the server of 10k entries;
//! - one server's CLI command: `archie kb show ID --guild G`, the whole process.
//!
//! Then the replica lag over PostgreSQL (two processes' apps on one database, a write in one
//! found by `/ask` in the other), and how much one server's commands slow down when the
//! other servers hold 20k entries instead of 1k.
//!
//! Lexical answering (`ARCHIE_SEMANTIC=off`): the sentence encoder would add its own cost
//! per question (see `cargo bench --bench search`) and 106 MB. PostgreSQL comes from the
//! test harness (a throwaway cluster from the distribution's packages).
//!
//! Knobs: BENCH_SCALE_SIZES (default `10000,100000,1000000`), BENCH_SCALE_ASKS (default 400).

#[path = "../tests/integration/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use archie::app::App;
use archie::commands::{self, Caller, Command};
use archie::config::Settings;
use archie::knowledge::{Kind, Knowledge};
use archie::search::community::Views;
use archie::store::{Actor, Database, Draft, ImportPlan, PlannedAdd, Store};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The server whose commands are measured; it holds [`BIG`] entries.
const SERVER: u64 = 900_000_000_000_000_001;
const BIG: usize = 10_000;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Words to write synthetic entries with: the knowledge's own vocabulary.
struct Vocabulary {
    words: Vec<String>,
    techs: Vec<String>,
    companies: Vec<String>,
}

impl Vocabulary {
    fn new(k: &Knowledge) -> Vocabulary {
        let mut words: Vec<String> = k
            .entries
            .iter()
            .flat_map(|e| e.text.split_whitespace())
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .collect();
        words.sort();
        words.dedup();
        let mut techs: Vec<String> = k.techs.keys().map(|(_, t)| t.name.clone()).collect();
        techs.sort();
        techs.dedup();
        let mut companies: Vec<String> = k.companies.keys().map(|(_, c)| c.name.clone()).collect();
        companies.sort();
        companies.dedup();
        Vocabulary {
            words,
            techs,
            companies,
        }
    }

    fn pick<'a>(&self, rng: &mut StdRng, from: &'a [String]) -> &'a str {
        &from[rng.random_range(0..from.len())]
    }

    /// Entry `n` of `guild`: a note or a Q&A of a dozen sentences' worth of words.
    fn draft(&self, rng: &mut StdRng, guild: u64, n: usize) -> Draft {
        let tech = self.pick(rng, &self.techs).to_string();
        let company = self.pick(rng, &self.companies).to_string();
        let words: Vec<&str> = (0..60).map(|_| self.pick(rng, &self.words)).collect();
        let title = format!("{company} {tech} {} {} {n}", words[0], words[1]);
        let text = words
            .chunks(12)
            .map(|c| format!("{} uses {tech} for {}.", company, c.join(" ")))
            .collect::<Vec<_>>()
            .join(" ");
        Draft {
            kind: if n.is_multiple_of(3) {
                Kind::Qa
            } else {
                Kind::Note
            },
            title,
            text,
            company: Some(company),
            technologies: vec![tech],
            sources: vec![format!("https://example.com/{guild}/{n}")],
        }
    }
}

/// Servers and their entry counts: [`SERVER`] with `big`, the rest spread over `others`
/// servers.
fn layout(total: usize, others: usize) -> Vec<(u64, usize)> {
    let big = BIG.min(total);
    let mut v = vec![(SERVER, big)];
    let rest = total - big;
    if rest > 0 && others > 0 {
        for i in 0..others {
            let n = rest / others + usize::from(i < rest % others);
            v.push((1_000_000_000_000_000_000 + i as u64, n));
        }
    }
    v
}

/// Writes every server's entries, one transaction per server; returns the seconds taken.
fn import(store: &Store, k: &Knowledge, servers: &[(u64, usize)]) -> f64 {
    let vocab = Vocabulary::new(k);
    let who = Actor::new(1, "bench");
    let t = Instant::now();
    for (g, n) in servers {
        let mut rng = StdRng::seed_from_u64(*g);
        let plan = ImportPlan {
            add: (0..*n)
                .map(|i| PlannedAdd {
                    index: i,
                    id: None,
                    draft: vocab.draft(&mut rng, *g, i),
                })
                .collect(),
            ..ImportPlan::default()
        };
        store.apply_import(*g, &who, &plan).expect("import");
    }
    t.elapsed().as_secs_f64()
}

fn settings(data: &Path, db: &Database) -> Settings {
    Settings {
        knowledge_dir: Some(repo().join("knowledge")),
        data_dir: Some(data.to_path_buf()),
        database: Some(db.clone()),
        semantic: false,
        ..Settings::default()
    }
}

fn open_app(data: &Path, db: &Database) -> App {
    {
        let s = settings(data, db);
        App::open(&s, repo().join("knowledge"), s.semantic, Some(Views::Index))
    }
    .expect("app opens")
}

fn env_value(db: &Database) -> std::ffi::OsString {
    match db {
        Database::Sqlite(p) => p.clone().into_os_string(),
        Database::Postgres(url) => url.into(),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn healthy(port: u16) -> bool {
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /healthz HTTP/1.1\r\nhost: bench\r\nconnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.starts_with("HTTP/1.1 200")
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// `archie serve --http`: seconds from spawn to `/healthz`, and RSS (MB) two seconds later.
fn serve_start(data: &Path, db: &Database) -> (f64, f64) {
    let port = free_port();
    let t = Instant::now();
    let mut child: Child = std::process::Command::new(env!("CARGO_BIN_EXE_archie"))
        .args(["serve", "--http", &format!("127.0.0.1:{port}")])
        .env("ARCHIE_KNOWLEDGE_DIR", repo().join("knowledge"))
        .env("ARCHIE_DATA_DIR", data)
        .env("ARCHIE_DATABASE", env_value(db))
        .env("ARCHIE_SEMANTIC", "off")
        .env(
            "DISCORD_PUBLIC_KEY",
            "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c",
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("archie serve starts");
    while !healthy(port) {
        assert!(
            t.elapsed() < Duration::from_secs(600),
            "serve did not answer /healthz"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("serve exited: {status}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let start = t.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(2));
    let rss = rss_mb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    (start, rss)
}

/// The median seconds of `archie kb show ID --guild G`, the whole process.
fn cli_show(data: &Path, db: &Database, guild: u64, id: &str) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_archie"))
                .args(["kb", "show", id, "--guild", &guild.to_string()])
                .env("ARCHIE_KNOWLEDGE_DIR", repo().join("knowledge"))
                .env("ARCHIE_DATA_DIR", data)
                .env("ARCHIE_DATABASE", env_value(db))
                .env("ARCHIE_SEMANTIC", "off")
                .output()
                .expect("archie kb show runs");
            assert!(
                out.status.success(),
                "kb show: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Questions a member of [`SERVER`] might ask: words of its own entries, and general ones.
fn questions(store: &Store, n: usize) -> Vec<String> {
    let live = store.live(SERVER).expect("live");
    let mut rng = StdRng::seed_from_u64(7);
    let general = [
        "what does Twitter use for backend",
        "how does Instagram store photos",
        "who uses cassandra",
        "what is gizzard",
        "articles on consistent hashing",
    ];
    (0..n)
        .map(|i| {
            if i % 4 == 3 {
                return general[i % general.len()].to_string();
            }
            let e = &live[rng.random_range(0..live.len())];
            let words: Vec<&str> = e.draft.text.split_whitespace().collect();
            let at = rng.random_range(0..words.len().saturating_sub(4).max(1));
            format!(
                "what about {}",
                words[at..(at + 4).min(words.len())].join(" ")
            )
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// `/ask` in [`SERVER`] through the one command path: (p50, p99) in milliseconds.
fn ask_latency(app: &App, questions: &[String]) -> (f64, f64) {
    let caller = Caller {
        guild: Some(SERVER),
        actor: None,
        moderator: false,
        typed: false,
    };
    let run = |q: &str| {
        commands::execute(
            app,
            &caller,
            &Command::Ask {
                question: q.to_string(),
                page: 0,
                per_page: 5,
            },
        )
    };
    for q in questions.iter().take(20) {
        run(q);
    }
    let mut timed: Vec<(f64, &str)> = questions
        .iter()
        .map(|q| {
            let t = Instant::now();
            std::hint::black_box(run(q));
            (t.elapsed().as_secs_f64() * 1e3, q.as_str())
        })
        .collect();
    timed.sort_by(|a, b| a.0.total_cmp(&b.0));
    if std::env::var_os("BENCH_SCALE_SLOWEST").is_some() {
        for (ms, q) in timed.iter().rev().take(8) {
            println!("    {ms:.2} ms  {q}");
        }
    }
    let ms: Vec<f64> = timed.iter().map(|t| t.0).collect();
    (percentile(&ms, 0.5), percentile(&ms, 0.99))
}

struct Row {
    total: usize,
    servers: usize,
    import_s: f64,
    index_s: f64,
    start_s: f64,
    /// In process: the app opened and its community index open and current.
    ready_s: f64,
    rss_mb: f64,
    /// The first `/ask` in the server of 10k: its entries read into memory.
    first_ms: f64,
    ask: (f64, f64),
    show_ms: f64,
}

/// Opens the app and its community index (caught up with the store).
fn ready_app(data: &Path, db: &Database) -> App {
    let app = open_app(data, db);
    app.sync().expect("the community index opens");
    app
}

fn tier(total: usize, others: usize, asks: usize) -> Row {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let db = Database::Sqlite(data.join("archie.db"));
    let k = Knowledge::load(&repo().join("knowledge")).expect("knowledge");
    let servers = layout(total, others);
    let store = Store::connect(&db).expect("store");
    let import_s = import(&store, &k, &servers);
    let qs = questions(&store, asks);
    let some_id = store.live(SERVER).expect("live")[BIG.min(total) / 2]
        .id
        .clone();
    drop(store);
    // The first process on the store indexes every entry (an instance keeps its index
    // current as writes arrive; this is the catch-up of a bulk import).
    let t = Instant::now();
    drop(ready_app(&data, &db));
    let index_s = t.elapsed().as_secs_f64();
    let (start_s, rss_mb) = serve_start(&data, &db);
    let t = Instant::now();
    let app = ready_app(&data, &db);
    let ready_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    ask_latency(&app, &qs[..1]);
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    let ask = ask_latency(&app, &qs);
    drop(app);
    let show_ms = cli_show(&data, &db, SERVER, &some_id) * 1e3;
    Row {
        total,
        servers: servers.len(),
        import_s,
        index_s,
        start_s,
        ready_s,
        rss_mb,
        first_ms,
        ask,
        show_ms,
    }
}

/// Replica lag over PostgreSQL: two processes' apps on one database, each with its own
/// data folder and follower; a write acknowledged by one, then `/ask` on the other until
/// it shows the entry. Returns the lags in milliseconds, sorted.
fn replica_lag(writes: usize) -> Vec<f64> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Database::Postgres(postgres::cluster().database("lag"));
    let k = Knowledge::load(&repo().join("knowledge")).expect("knowledge");
    let store = Store::connect(&db).expect("store");
    import(&store, &k, &layout(1_000, 0));
    drop(store);
    let one = std::sync::Arc::new(ready_app(&tmp.path().join("one"), &db));
    let two = std::sync::Arc::new(ready_app(&tmp.path().join("two"), &db));
    let _followers = [
        App::follow(&one, Duration::from_millis(200)).expect("follower"),
        App::follow(&two, Duration::from_millis(200)).expect("follower"),
    ];
    let vocab = Vocabulary::new(&k);
    let mut rng = StdRng::seed_from_u64(99);
    let who = Actor::new(1, "bench");
    let search = |title: &str| {
        two.engine
            .search_in(title, 5, &[], Some(SERVER))
            .expect("search")
            .results
    };
    search("warm up");
    let mut lags: Vec<f64> = (0..writes)
        .map(|i| {
            let mut d = vocab.draft(&mut rng, SERVER, 100_000 + i);
            d.title = format!("Lagmeasure {} {}", d.title, i);
            let e = one
                .store
                .as_ref()
                .expect("store")
                .add(SERVER, &who, &d)
                .expect("add");
            one.written(SERVER);
            let t = Instant::now();
            while !search(&d.title).iter().any(|r| r.id == e.id) {
                assert!(t.elapsed() < Duration::from_secs(30), "never replicated");
                std::thread::sleep(Duration::from_millis(2));
            }
            let lag = t.elapsed().as_secs_f64() * 1e3;
            // Writes arrive at a moderator's pace, not in lockstep with the follower.
            std::thread::sleep(Duration::from_millis(rng.random_range(0..200)));
            lag
        })
        .collect();
    lags.sort_by(f64::total_cmp);
    lags
}

/// One server of 1k entries, the other servers holding `others` entries: its `/ask` p50
/// (ms) and `kb show` (ms).
fn one_server_among(others: usize) -> (f64, f64) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let db = Database::Sqlite(data.join("archie.db"));
    let k = Knowledge::load(&repo().join("knowledge")).expect("knowledge");
    let store = Store::connect(&db).expect("store");
    let mut servers = vec![(SERVER, 1_000)];
    servers.extend(layout(others, others / 100).into_iter().skip(1));
    import(&store, &k, &servers);
    let qs = questions(&store, 200);
    let id = store.live(SERVER).expect("live")[500].id.clone();
    drop(store);
    let app = ready_app(&data, &db);
    let (p50, _) = ask_latency(&app, &qs);
    drop(app);
    (p50, cli_show(&data, &db, SERVER, &id) * 1e3)
}

fn main() {
    let sizes: Vec<usize> = env_or("BENCH_SCALE_SIZES", "10000,100000,1000000")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let asks: usize = env_or("BENCH_SCALE_ASKS", "400").parse().unwrap_or(400);
    println!("scale: synthetic community entries, one server holding {BIG}; lexical answering");
    let mut rows = Vec::new();
    for total in sizes {
        let others = if total >= 1_000_000 {
            9_999
        } else {
            total.saturating_sub(BIG) / 100
        };
        let row = tier(total, others, asks);
        println!(
            "  {} entries: import {:.1} s + index {:.1} s, start {:.2} s, RSS {:.0} MB, /ask p50 {:.2} ms p99 {:.2} ms, kb show {:.0} ms",
            row.total, row.import_s, row.index_s, row.start_s, row.rss_mb, row.ask.0, row.ask.1, row.show_ms
        );
        rows.push(row);
    }
    let lags = replica_lag(20);
    println!(
        "  replica lag over PostgreSQL ({} writes): p50 {:.0} ms, max {:.0} ms",
        lags.len(),
        percentile(&lags, 0.5),
        lags[lags.len() - 1]
    );
    let (ask_1k, show_1k) = one_server_among(1_000);
    let (ask_20k, show_20k) = one_server_among(20_000);
    println!(
        "  a server of 1k among 1k / 20k other entries: /ask p50 {ask_1k:.2} / {ask_20k:.2} ms ({:.2}x), kb show {show_1k:.0} / {show_20k:.0} ms ({:.2}x)",
        ask_20k / ask_1k,
        show_20k / show_1k
    );
    println!();
    println!("| community entries (servers) | import: store + index | `serve` start | in process: ready / first `/ask` | `serve` RSS at rest | `/ask` p50 / p99, server of 10k | `kb show` (CLI process) |");
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} ({}) | {:.1} s + {:.1} s | {:.2} s | {:.2} s / {:.0} ms | {:.0} MB | {:.2} / {:.2} ms | {:.0} ms |",
            r.total, r.servers, r.import_s, r.index_s, r.start_s, r.ready_s, r.first_ms, r.rss_mb, r.ask.0, r.ask.1, r.show_ms
        );
    }
    println!(
        "| replica lag over PostgreSQL | p50 {:.0} ms, max {:.0} ms of {} writes | | | | | |",
        percentile(&lags, 0.5),
        lags[lags.len() - 1],
        lags.len()
    );
}
