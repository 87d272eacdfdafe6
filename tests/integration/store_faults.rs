//! Faults outside Archie, from outside: the real `archie serve --http` on a PostgreSQL store
//! of the test's own, which is stopped for 10 s and then frozen (`SIGSTOP`) for 10 s while
//! members ask and moderators add. Every interaction gets its first response within
//! Discord's 3 s; a write not done in time is deferred and its original response edited
//! with the true outcome once it is; every acknowledged add is in the store afterwards and
//! every add reported as failed is not; writes resume without a restart; `/healthz` says
//! the store is down while it is.

use crate::support::fake_discord::{Event, FakeDiscord};
use crate::support::postgres::Cluster;
use crate::support::*;
use archie::store::Database;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Discord's deadline for the first response.
const DEADLINE: Duration = Duration::from_secs(3);
/// How long each fault lasts.
const OUTAGE: Duration = Duration::from_secs(10);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// What a moderator was told about one add.
#[derive(Debug)]
enum Told {
    Added,
    Failed(String),
    /// Deferred: the outcome comes as an edit of the original response.
    Later(u64),
}

/// The title of a response's (or an edit's) first embed, else its content.
fn headline(message: &Value) -> String {
    message["embeds"][0]["title"]
        .as_str()
        .or_else(|| message["content"].as_str())
        .unwrap_or_default()
        .replace('\\', "")
}

fn told_by(message: &Value) -> Told {
    let h = headline(message);
    if h.starts_with("Added kb-") {
        Told::Added
    } else {
        Told::Failed(h)
    }
}

/// Posts `body` signed; the response and how long its first response took, which must be
/// within the deadline.
async fn post(client: &reqwest::Client, to: &Served, body: &Value, what: &str) -> Value {
    let t = Instant::now();
    let (status, text) = post_signed_to(client, &to.url(), body)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let took = t.elapsed();
    assert!(
        took < DEADLINE,
        "{what}: first response after {took:?}; log:\n{}",
        to.log_text()
    );
    assert_eq!(status, 200, "{what}: {text}");
    serde_json::from_str(&text).expect("json")
}

async fn add(client: &reqwest::Client, to: &Served, n: u64, title: &str) -> Told {
    let body = by(
        modal_submit(
            n,
            "kbform:add:note",
            &entry_fields(
                title,
                &format!("{title}: what an outage of the store taught us about deadlines."),
                "",
                "",
                &format!("https://example.com/faults/{n}"),
            ),
        ),
        &Who::moderator(GUILD),
    );
    let r = post(client, to, &body, &format!("add {title}")).await;
    match r["type"].as_u64() {
        Some(4) => told_by(&r["data"]),
        Some(5) => Told::Later(n),
        other => panic!("add {title}: response type {other:?}: {r:#}"),
    }
}

async fn ask(client: &reqwest::Client, to: &Served, n: u64) {
    let body = ask_as(n, "what does Twitter use for backend", &Who::member(GUILD));
    let r = post(client, to, &body, "ask").await;
    let shown = match r["type"].as_u64() {
        Some(4) => r["data"].clone(),
        other => panic!("/ask answered {other:?}, not from memory: {r:#}"),
    };
    assert!(shown.to_string().contains("Manhattan"), "{shown:#}");
}

async fn health(client: &reqwest::Client, to: &Served) -> (u16, Value) {
    let r = client
        .get(format!("http://127.0.0.1:{}/healthz", to.port))
        .send()
        .await
        .expect("healthz");
    let status = r.status().as_u16();
    (status, r.json().await.expect("healthz json"))
}

/// One figure of `to`'s `/metrics`.
async fn figure(
    client: &reqwest::Client,
    to: &Served,
    metric: &str,
    labels: &[(&str, &str)],
) -> f64 {
    let (scrape, _) = crate::operations::scrape(client, to.port).await;
    crate::operations::value(&scrape, metric, labels)
}

/// Members ask and moderators add for [`OUTAGE`]; every add's title with what its
/// moderator was told at once. `/healthz` must report the store down meanwhile.
async fn during_the_fault(
    client: &reqwest::Client,
    to: &Served,
    ids: &mut u64,
    name: &str,
) -> Vec<(String, Told)> {
    let t = Instant::now();
    let mut adds = Vec::new();
    let mut said_down = false;
    while t.elapsed() < OUTAGE {
        *ids += 1;
        ask(client, to, *ids).await;
        *ids += 1;
        let title = format!("Outage lesson {name} {}", *ids);
        let told = add(client, to, *ids, &title).await;
        adds.push((title, told));
        let (status, h) = health(client, to).await;
        if h["store"] == "down" {
            assert_eq!(status, 503, "{h}");
            assert_eq!(h["ok"], false, "{h}");
            if !said_down {
                assert_eq!(
                    figure(client, to, "archie_store_up", &[]).await,
                    0.0,
                    "/metrics"
                );
            }
            said_down = true;
        }
    }
    assert!(
        said_down,
        "/healthz never reported the store down while it was {name}"
    );
    assert!(
        figure(client, to, "archie_store_errors_total", &[]).await >= 1.0,
        "/metrics counts the store's errors while it was {name}"
    );
    adds
}

/// The outcome of a deferred add: the edit of its original response.
async fn edited(fake: &mut FakeDiscord, n: u64) -> Told {
    let original = format!("/api/v10/webhooks/{APP_ID}/tok{n}/messages/@original");
    let edit = fake
        .wait_for(Duration::from_secs(60), |e| {
            matches!(e, Event::Rest { method, path, .. } if method == "PATCH" && *path == original)
        })
        .await
        .unwrap_or_else(|| panic!("the deferred add {n} was never completed"));
    let Event::Rest { body, .. } = edit else {
        unreachable!()
    };
    assert_eq!(body["allowed_mentions"], json!({"parse": []}));
    told_by(&body)
}

/// Adds until one is acknowledged; how long that took after the fault ended.
async fn writes_resume(client: &reqwest::Client, to: &Served, ids: &mut u64) -> Duration {
    let t = Instant::now();
    loop {
        *ids += 1;
        let title = format!("Resumed lesson {}", *ids);
        if let Told::Added = add(client, to, *ids, &title).await {
            return t.elapsed();
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "writes did not resume; log:\n{}",
            to.log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_postgresql_stopped_then_frozen_every_interaction_is_answered_in_time_and_nothing_acknowledged_is_lost(
) {
    let pg = Cluster::own();
    let url = pg.database("faults");
    let db = Database::Postgres(url.clone());
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut fake = FakeDiscord::start().await;
    let log = tmp.path().join("served.log");
    let file = std::fs::File::create(&log).expect("log");
    let api = fake.api_url();
    let served = Served::spawn_with(tmp.path(), &db, file.into(), log, |c| {
        c.env("RUST_LOG", "warn")
            .env("ARCHIE_DISCORD_API_URL", &api);
    });
    let client = client();
    served.ready(&client).await;
    let mut ids = 70_000;
    assert!(matches!(
        add(&client, &served, ids, "Before the outage").await,
        Told::Added
    ));
    ask(&client, &served, ids + 1).await;
    ids += 1;

    pg.stop();
    let stopped = during_the_fault(&client, &served, &mut ids, "stopped").await;
    // The questions asked meanwhile could not be logged: counted as dropped.
    let deadline = Instant::now() + Duration::from_secs(30);
    while figure(&client, &served, "archie_question_log_dropped_total", &[]).await < 1.0 {
        assert!(
            Instant::now() < deadline,
            "/metrics never counted a dropped question"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    pg.start_again();
    let resumed_after_stop = writes_resume(&client, &served, &mut ids).await;

    pg.freeze(true);
    let frozen = during_the_fault(&client, &served, &mut ids, "frozen").await;
    pg.freeze(false);
    let resumed_after_freeze = writes_resume(&client, &served, &mut ids).await;

    let mut acked = vec!["Before the outage".to_string()];
    let mut failed = Vec::new();
    for (title, told) in stopped.into_iter().chain(frozen) {
        let outcome = match told {
            Told::Later(n) => edited(&mut fake, n).await,
            now => now,
        };
        match outcome {
            Told::Added => acked.push(title),
            Told::Failed(why) => {
                assert!(
                    why.contains("knowledge store is unavailable"),
                    "{title}: the moderator was told {why:?}"
                );
                failed.push(title)
            }
            Told::Later(_) => unreachable!(),
        }
    }
    let stored = pg.psql(
        &url,
        &format!("SELECT title FROM entries WHERE guild_id = {GUILD} AND state = 'live'"),
    );
    let stored: Vec<&str> = stored.lines().collect();
    for t in &acked {
        assert!(
            stored.contains(&t.as_str()),
            "acknowledged {t:?} is missing: {stored:?}"
        );
    }
    for t in &failed {
        assert!(
            !stored.contains(&t.as_str()),
            "{t:?} was reported failed but is stored"
        );
    }
    eprintln!(
        "{} adds acknowledged, {} reported failed; writes resumed {resumed_after_stop:?} after \
         the stop and {resumed_after_freeze:?} after the freeze",
        acked.len(),
        failed.len()
    );
    let (status, h) = health(&client, &served).await;
    assert_eq!((status, &h["store"]), (200, &json!("up")), "{h}");
    assert_eq!(h["index"], "ok", "{h}");
}

/// `archie serve --http` over the fixture with its SQLite store in `store` (a tmpfs of
/// `size` mounted there inside a mount namespace of the process's own: a small disk that
/// the test can fill through `/proc/<pid>/root`), or `None` where this machine allows no
/// mount namespaces (not root).
fn serve_on_a_small_disk(
    tmp: &std::path::Path,
    store: &std::path::Path,
    size: &str,
) -> Option<Served> {
    let probe = std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(format!("mount -t tmpfs -o size={size} tmpfs \"$1\"").as_str())
        .arg("sh")
        .arg(store)
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let port = free_port();
    let mut serve = archie_in(tmp);
    serve
        .fixture_knowledge()
        .data(tmp.join("data"))
        .database(store.join("archie.db"))
        .env("DISCORD_PUBLIC_KEY", public_key_hex())
        .env("ARCHIE_KB_COOLDOWN", "off")
        .env("ARCHIE_ASK_COOLDOWN", "off")
        .env("RUST_LOG", "warn")
        .args(["serve", "--http", &format!("127.0.0.1:{port}")]);
    let mut wrapped = tokio::process::Command::new("unshare");
    wrapped
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(format!("mount -t tmpfs -o size={size} tmpfs \"$1\" && shift && exec \"$@\"").as_str())
        .arg("sh")
        .arg(store)
        .arg(serve.get_program())
        .args(serve.get_args())
        .kill_on_drop(true);
    for (name, value) in serve.get_envs() {
        match value {
            Some(v) => wrapped.env(name, v),
            None => wrapped.env_remove(name),
        };
    }
    if let Some(d) = serve.get_current_dir() {
        wrapped.current_dir(d);
    }
    let log = tmp.join("served.log");
    let file = std::fs::File::create(&log).expect("log");
    wrapped.stdout(std::process::Stdio::null()).stderr(file);
    let child = wrapped.spawn().expect("unshare runs");
    Some(Served { child, port, log })
}

/// Fills the disk holding `path` (seen through the process `pid`'s mounts) with one file;
/// the file, to remove for space to return.
fn fill(pid: u32, path: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write;
    let filler = std::path::PathBuf::from(format!("/proc/{pid}/root"))
        .join(path.strip_prefix("/").expect("absolute"))
        .join("filler");
    let mut f = std::fs::File::create(&filler).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
    filler
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_sqlite_on_a_full_disk_the_moderator_is_told_and_nothing_is_lost_and_writes_resume() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = tmp.path().join("store");
    std::fs::create_dir_all(&store).expect("store folder");
    let Some(served) = serve_on_a_small_disk(tmp.path(), &store, "8m") else {
        // A full disk needs a small file system of the test's own; without mount
        // namespaces (a non-root developer machine) there is none to fill. CI runs as root.
        eprintln!("no mount namespaces here: the full-disk check needs root");
        return;
    };
    let client = client();
    served.ready(&client).await;
    let mut ids = 90_000;
    assert!(matches!(
        add(&client, &served, ids, "Before the disk filled").await,
        Told::Added
    ));
    let pid = served.child.id().expect("running");
    let filler = fill(pid, &store);
    let mut acked = vec!["Before the disk filled".to_string()];
    let mut refused = Vec::new();
    // SQLite may still place a change in pages it has free; the disk shows within a few.
    for _ in 0..20 {
        ids += 1;
        let title = format!("Written on a full disk {ids}");
        match add(&client, &served, ids, &title).await {
            Told::Added => acked.push(title),
            Told::Failed(why) => {
                assert!(
                    why.contains("disk is full"),
                    "the moderator was told {why:?}"
                );
                refused.push(title);
                break;
            }
            Told::Later(_) => panic!("a full disk answers at once"),
        }
    }
    assert!(!refused.is_empty(), "no add was refused on a full disk");
    std::fs::remove_file(&filler).expect("space returns");
    let resumed = writes_resume(&client, &served, &mut ids).await;
    // What the store holds: its files copied out through the process's mounts (SQLite
    // resolves /proc/<pid>/root to the test's own mounts) and read here.
    let inside = std::path::PathBuf::from(format!("/proc/{pid}/root"))
        .join(store.strip_prefix("/").unwrap());
    let copy = tmp.path().join("copy");
    std::fs::create_dir_all(&copy).expect("copy folder");
    for f in ["archie.db", "archie.db-wal"] {
        if inside.join(f).exists() {
            std::fs::copy(inside.join(f), copy.join(f)).expect("copy the store");
        }
    }
    let conn = rusqlite::Connection::open(copy.join("archie.db")).expect("the store's copy");
    let mut stmt = conn
        .prepare("SELECT title FROM entries WHERE state = 'live'")
        .expect("select");
    let stored: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("title"))
        .collect();
    for t in &acked {
        assert!(
            stored.contains(t),
            "acknowledged {t:?} is missing: {stored:?}"
        );
    }
    for t in &refused {
        assert!(!stored.contains(t), "{t:?} was refused but is stored");
    }
    eprintln!("{} adds kept, {} refused for the full disk; writes resumed {resumed:?} after space returned", acked.len(), refused.len());
}
