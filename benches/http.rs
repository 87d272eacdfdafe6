//! `cargo bench --bench http`: throughput and latency of the HTTP interactions endpoint.
//! Starts the real router in-process on 127.0.0.1:0 (its own 2-thread runtime), then
//! drives it from concurrent keep-alive connections with pre-signed `/ask` requests
//! (the dev questions), for a bounded time and count; loopback only. Prints requests/s
//! and p50/p90/p99/max latency. Target on a 2-core machine: ≥5,000 req/s, p99 ≤5 ms.
//!
//! Every request is a distinct interaction stamped now, as Discord sends them: the endpoint
//! refuses a replayed id and a stale timestamp, so the requests are signed before the run
//! (one per request, BENCH_MAX_REQUESTS of them plus the warm-up's).
//!
//! Knobs (environment): BENCH_CONNECTIONS (default 8), BENCH_SECONDS (default 5),
//! BENCH_MAX_REQUESTS (default 60000), BENCH_PATH=ping to measure the transport alone.
//!
//! Then the cost of the figures (`GET /metrics`): BENCH_METRICS_ROUNDS (default 3) pairs
//! of runs of BENCH_SECONDS each, recording off then on (scraped every second, as a busy
//! Prometheus would), side by side in this process; the medians and the cost, against the
//! target of at most 1% of `/ask` throughput. BENCH_METRICS_PNG=FILE draws the figures
//! seen under the load (interactions by outcome, `/ask` by stage).

use archie::app::App;
use archie::knowledge::Knowledge;
use ed25519_dalek::{Signer, SigningKey};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One complete HTTP/1.1 request, signed like Discord signs it, stamped now.
fn request(key: &SigningKey, body: &serde_json::Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).unwrap_or_default();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string();
    let mut msg = ts.as_bytes().to_vec();
    msg.extend_from_slice(&body);
    let sig = hex(&key.sign(&msg).to_bytes());
    let mut req = format!(
        "POST /interactions HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n\
         x-signature-ed25519: {sig}\r\nx-signature-timestamp: {ts}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    req
}

fn ask(i: usize, question: &str) -> serde_json::Value {
    serde_json::json!({
        "id": (1000 + i).to_string(), "application_id": "111111111111111111", "type": 2,
        "data": {"id": "555555555555555555", "name": "ask", "type": 1,
                 "options": [{"name": "question", "type": 3, "value": question}]},
        "guild_id": "333333333333333333", "channel_id": "444444444444444444",
        "member": {"user": {"id": "222222222222222222", "username": "bench", "discriminator": "0"},
                   "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00",
                   "deaf": false, "mute": false, "flags": 0, "permissions": "0"},
        "token": format!("tok{i}"), "version": 1, "locale": "en-US", "entitlements": [],
        "attachment_size_limit": 8388608
    })
}

/// Reads one response (headers + content-length body); returns its status code.
async fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    buf.clear();
    let mut chunk = [0u8; 16384];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0u16);
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(status);
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Where the time of one request goes, single-threaded: signature check, JSON parsing,
/// `execute` (search), rendering and serialization.
fn stages(app: &App, verifier: &serenity::interactions_endpoint::Verifier, requests: &[Vec<u8>]) {
    use archie::commands::{execute, Caller};
    use archie::discord::interaction::{parse, Incoming};
    let stash = archie::discord::stash::Stash::default();
    let rounds = 20;
    let mut t = [Duration::ZERO; 5];
    let mut n = 0u32;
    for _ in 0..rounds {
        for req in requests {
            let Some(split) = req.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&req[..split]);
            let body = &req[split + 4..];
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or_default()
                    .to_string()
            };
            let (sig, ts) = (
                header("x-signature-ed25519: "),
                header("x-signature-timestamp: "),
            );
            let s0 = Instant::now();
            let ok = verifier.verify(&sig, &ts, body).is_ok();
            let s1 = Instant::now();
            let Ok(i) = serde_json::from_slice::<serenity::all::Interaction>(body) else {
                continue;
            };
            let s2 = Instant::now();
            let Incoming::Run(run) = parse(&i, &stash) else {
                continue;
            };
            let reply = execute(app, &Caller::default(), &run.command);
            let s3 = Instant::now();
            let ctx = archie::render::discord::Delivery {
                command: &run.command,
                view: 0,
                mention: None,
                private: false,
                update: false,
                stash: &stash,
                follow_up: None,
            };
            let resp = archie::render::discord::reply(&reply, &ctx);
            let s4 = Instant::now();
            let bytes = serde_json::to_vec(&resp).unwrap_or_default();
            let s5 = Instant::now();
            assert!(ok && !bytes.is_empty());
            for (k, d) in [s1 - s0, s2 - s1, s3 - s2, s4 - s3, s5 - s4]
                .into_iter()
                .enumerate()
            {
                t[k] += d;
            }
            n += 1;
        }
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6 / n.max(1) as f64;
    println!(
        "per request, one thread ({n} requests): verify {:.0} µs, parse {:.0} µs, execute {:.0} µs, render {:.0} µs, serialize {:.0} µs",
        us(t[0]), us(t[1]), us(t[2]), us(t[3]), us(t[4])
    );
}

fn main() -> anyhow::Result<()> {
    archie::search::semantic::settle_thread_count(archie::config::encoder_threads()?);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let connections = env_or("BENCH_CONNECTIONS", 8).max(1);
    let seconds = env_or("BENCH_SECONDS", 5).clamp(1, 60);
    let max_requests = env_or("BENCH_MAX_REQUESTS", 60_000).max(1);
    let ping_only = std::env::var("BENCH_PATH").is_ok_and(|v| v == "ping");

    let shipped = root.join("knowledge");
    let (k, which) = match Knowledge::load(&shipped) {
        Ok(k) => (k, "knowledge/"),
        Err(_) => (
            Knowledge::load(&root.join("tests/fixtures/discord-kb"))?,
            "tests/fixtures/discord-kb",
        ),
    };
    let entries = k.entries.len();
    // Both answering modes: hybrid by default (the shipped model, index and vectors in
    // data/), lexical with ARCHIE_SEMANTIC=off, as `archie serve` runs them.
    let settings = archie::config::Settings::from_env()?;
    let semantic = settings.semantic && which == "knowledge/";
    let app = Arc::new(if semantic {
        App::open(&settings, shipped.clone(), settings.semantic, None)?
    } else {
        App::in_memory(k)?
    });
    let which = format!(
        "{which}, {} answering",
        if semantic { "hybrid" } else { "lexical" }
    );

    let key = SigningKey::from_bytes(&[7u8; 32]);
    let verifier = archie::discord::http::verifier(*key.verifying_key().as_bytes())
        .ok_or_else(|| anyhow::anyhow!("bad bench key"))?;
    let questions: Vec<String> = include_str!("../tests/fixtures/questions-dev.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["q"].as_str().map(String::from))
        .collect();
    // One distinct interaction per request: the measured run's and the warm-up's.
    let pool = max_requests + 10_000;
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..pool)
            .map(|i| {
                let body = if ping_only {
                    serde_json::json!({"id": (1 + i).to_string(), "application_id": "1",
                                       "type": 1, "token": "t", "version": 1})
                } else {
                    ask(i, &questions[i % questions.len().max(1)])
                };
                request(&key, &body)
            })
            .collect(),
    );

    if !ping_only {
        stages(&app, &verifier, &requests[..questions.len()]);
    }
    // The next unused request, across the warm-up and the run.
    let next = Arc::new(AtomicUsize::new(0));

    // The server: its own runtime, as `archie serve --http` runs it.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let router = archie::discord::http::router(app.clone(), verifier);
    server_rt.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });

    // The clients: one thread, raw keep-alive HTTP/1.1 so the load generator stays light.
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sent = Arc::new(AtomicUsize::new(0));
    let run = |duration: Duration, record: bool| {
        let requests = requests.clone();
        let sent = sent.clone();
        let next = next.clone();
        client_rt.block_on(async move {
            let deadline = Instant::now() + duration;
            let mut tasks = Vec::new();
            for _ in 0..connections {
                let requests = requests.clone();
                let sent = sent.clone();
                let next = next.clone();
                tasks.push(tokio::spawn(async move {
                    let mut lat = Vec::new();
                    let mut errors = 0usize;
                    let Ok(mut s) = TcpStream::connect(addr).await else {
                        return (lat, 1);
                    };
                    let _ = s.set_nodelay(true);
                    let mut buf = Vec::with_capacity(16384);
                    while Instant::now() < deadline
                        && sent.fetch_add(1, Ordering::Relaxed) < max_requests
                    {
                        let Some(req) = requests.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            break;
                        };
                        let t = Instant::now();
                        if s.write_all(req).await.is_err() {
                            errors += 1;
                            break;
                        }
                        match read_response(&mut s, &mut buf).await {
                            Ok(200) => {
                                if record {
                                    lat.push(t.elapsed());
                                }
                            }
                            Ok(status) => {
                                if errors == 0 {
                                    eprintln!("unexpected status {status}");
                                }
                                errors += 1
                            }
                            Err(_) => {
                                errors += 1;
                                break;
                            }
                        }
                    }
                    (lat, errors)
                }));
            }
            let mut all = Vec::new();
            let mut errors = 0;
            for t in tasks {
                if let Ok((l, e)) = t.await {
                    all.extend(l);
                    errors += e;
                }
            }
            (all, errors)
        })
    };

    archie::metrics::install();
    let _ = run(Duration::from_millis(500), false); // warm-up: connections, caches
    sent.store(0, Ordering::Relaxed);
    let t = Instant::now();
    let (mut lat, errors) = run(Duration::from_secs(seconds as u64), true);
    let elapsed = t.elapsed();
    let main_rate = lat.len() as f64 / elapsed.as_secs_f64();
    lat.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "http endpoint ({}) over {which} ({entries} entries), {connections} connections, {:.1} s",
        if ping_only {
            "signed PING"
        } else {
            "signed /ask"
        },
        elapsed.as_secs_f64()
    );
    println!(
        "  {} requests, {errors} errors, {:.0} req/s",
        lat.len(),
        lat.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.90)),
        ms(percentile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default())
    );

    // The figures' cost: off and on, side by side, scraped every second while on.
    let rounds = env_or("BENCH_METRICS_ROUNDS", 3);
    if rounds > 0 && !ping_only {
        let mut off = Vec::new();
        let mut on = Vec::new();
        let scrapes = Arc::new(AtomicUsize::new(0));
        for _ in 0..rounds {
            for enabled in [false, true] {
                archie::metrics::set_enabled(enabled);
                let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let scraper = enabled.then(|| {
                    let (stop, scrapes) = (stop.clone(), scrapes.clone());
                    std::thread::spawn(move || {
                        while !stop.load(Ordering::Relaxed) {
                            if scrape(addr).is_some() {
                                scrapes.fetch_add(1, Ordering::Relaxed);
                            }
                            std::thread::sleep(Duration::from_secs(1));
                        }
                    })
                });
                sent.store(0, Ordering::Relaxed);
                let t = Instant::now();
                let (lat, _) = run(Duration::from_secs(seconds as u64), true);
                let rate = lat.len() as f64 / t.elapsed().as_secs_f64();
                stop.store(true, Ordering::Relaxed);
                if let Some(s) = scraper {
                    let _ = s.join();
                }
                if enabled {
                    on.push(rate)
                } else {
                    off.push(rate)
                }
            }
        }
        archie::metrics::set_enabled(true);
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (m_off, m_on) = (median(&mut off), median(&mut on));
        let cost = (m_off - m_on) / m_off * 100.0;
        println!(
            "  /metrics: {rounds} pairs of {seconds} s runs, {} scrapes: off {m_off:.0} req/s, \
             on {m_on:.0} req/s (medians; first run {main_rate:.0}): cost {cost:.1}% (target ≤ 1%: {})",
            scrapes.load(Ordering::Relaxed),
            if cost <= 1.0 { "met" } else { "NOT met" }
        );
        if let Ok(path) = std::env::var("BENCH_METRICS_PNG") {
            if let Some(text) = scrape(addr) {
                std::fs::write(&path, plot::png(&text)?)?;
                println!("  figures under the load drawn to {path}");
            }
        }
    }
    server_rt.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// `GET /metrics` on a fresh connection: the body.
fn scrape(addr: std::net::SocketAddr) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

#[path = "http/plot.rs"]
mod plot;
