//! No path aborts the process (issue 22), each tried against the real binary: a log
//! stream that cannot be written, and SIGTERM with a PostgreSQL store.

use crate::support::postgres::cluster;
use crate::support::*;
use archie::store::Database;
use serde_json::json;
use std::process::Stdio;
use std::time::Duration;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// `/dev/full`, opened for writing: every write fails with ENOSPC, as on a full disk.
fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

/// `/ask` on `on` as a member of [`GUILD`]; the status and the answer's JSON text.
async fn ask(client: &reqwest::Client, on: &Served, n: u64, question: &str) -> (u16, String) {
    let body = by(
        command(n, "ask", json!([string_opt("question", question)])),
        &Who::member(GUILD),
    );
    post_signed_to(client, &on.url(), &body)
        .await
        .expect("the server answers")
}

async fn healthz(client: &reqwest::Client, on: &Served) -> serde_json::Value {
    client
        .get(format!("http://127.0.0.1:{}/healthz", on.port))
        .send()
        .await
        .expect("/healthz answers")
        .json()
        .await
        .expect("/healthz is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_stderr_is_dev_full_keeps_answering_and_counts_the_lines_it_dropped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Database::Sqlite(tmp.path().join("store/archie.db"));
    // The binary's default level (info for Archie): the start alone logs several lines.
    let mut server = Served::spawn_with(
        tmp.path(),
        &db,
        dev_full(),
        tmp.path().join("no-log: stderr is /dev/full"),
        |_| {},
    );
    let client = client();
    server.ready(&client).await;
    for n in 1..=3 {
        let (status, text) = ask(&client, &server, n, "what does Twitter use for backend").await;
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("Twitter"), "answer {n}: {text}");
    }
    let health = healthz(&client, &server).await;
    assert_eq!(health["ok"], true, "{health}");
    assert_eq!(health["handled"], 3, "{health}");
    let dropped = health["log_lines_dropped"].as_u64().unwrap_or(0);
    assert!(
        dropped >= 1,
        "the start's log lines are counted as dropped: {health}"
    );
    assert!(
        server.child.try_wait().expect("child state").is_none(),
        "the server is still running"
    );
    // Shutting down logs too ("shutting down", "stopped"): still a clean exit.
    let status = terminate(&mut server.child).await;
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn a_start_refused_while_stderr_is_dev_full_exits_2_instead_of_aborting() {
    // No DISCORD_PUBLIC_KEY: the start is refused with one `error:` line, which cannot be
    // written either.
    let out = archie()
        .fixture_knowledge()
        .args(["serve", "--http", "127.0.0.1:0"])
        .stderr(dev_full())
        .output()
        .expect("archie runs");
    assert_eq!(out.status.code(), Some(2), "{:?}", out.status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_postgresql_store_exits_0_in_10_of_10_runs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Database::Postgres(cluster().database("sigterm"));
    let client = client();
    let mut failed = Vec::new();
    for run in 1..=10u64 {
        let mut server = Served::spawn(tmp.path(), &format!("run{run}"), &db);
        server.ready(&client).await;
        // A request that reads the store (the question log), so pooled connections are in
        // use when the signal comes.
        let (status, text) = ask(&client, &server, run, "what does Twitter use for backend").await;
        assert_eq!(status, 200, "run {run}: {text}");
        let status = terminate(&mut server.child).await;
        if status.code() != Some(0) {
            failed.push(format!("run {run}: {status}\n{}", server.log_text()));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of 10 runs did not exit 0:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
