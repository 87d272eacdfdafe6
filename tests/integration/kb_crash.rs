//! Durability of `/kb` writes through the real binary: `archie serve --http` takes a
//! burst of concurrent signed form submissions, is SIGKILLed mid-burst, restarts on the
//! same store, and every add it acknowledged is still there — found by `/ask` in its
//! server, listed by `/kb history`. On SQLite the file then passes SQLite's integrity
//! check; the same burst runs on PostgreSQL (a throwaway cluster, `support::postgres`).
//! Members rate an answer and propose entries during the same burst: every vote and
//! proposal acknowledged is kept too.

use crate::support::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BURST: Duration = Duration::from_secs(60);
const WRITERS: u64 = 8;
const ACKS_BEFORE_KILL: usize = 25;

/// A word no other note shares (nor comes within a typo of): letters from `n`'s digits.
fn word(n: u64) -> String {
    const SYL: [&str; 10] = [
        "brak", "dolm", "fex", "gurn", "hilt", "jov", "kwy", "lisp", "mucq", "nebz",
    ];
    let d = format!("{n:03}");
    d.chars()
        .map(|c| SYL[c.to_digit(10).unwrap_or(0) as usize])
        .collect::<Vec<_>>()
        .join("")
}

/// The Discord id of the `i`th member who votes and proposes.
fn member_id(i: u64) -> u64 {
    700_000_000_000_000_000 + i
}

fn title(n: u64) -> String {
    format!("Crash note {}", word(n))
}

/// The store of a run: a SQLite file in the test's folder, or a PostgreSQL database.
fn database(tmp: &tempfile::TempDir, postgres: bool) -> archie::store::Database {
    if postgres {
        archie::store::Database::Postgres(crate::support::postgres::cluster().database("crash"))
    } else {
        archie::store::Database::Sqlite(tmp.path().join("db").join("archie.db"))
    }
}

fn add(n: u64) -> serde_json::Value {
    let w = word(n);
    by(
        modal_submit(
            1_000_000 + n,
            "kbform:add:note",
            &entry_fields(
                &title(n),
                &format!("The {w} write survives a crash because {w} is committed first."),
                "",
                "",
                &format!("https://example.com/crash/{n}"),
            ),
        ),
        &Who::moderator(GUILD),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_add_vote_and_proposal_survives_a_sigkill_mid_burst() {
    burst_kill_restart(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_add_vote_and_proposal_survives_a_sigkill_mid_burst_on_postgres() {
    burst_kill_restart(true).await;
}

async fn burst_kill_restart(postgres: bool) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = database(&tmp, postgres);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut server = Served::spawn(tmp.path(), "archie", &db);
    server.ready(&client).await;
    let url = server.url();

    // A public answer members rate during the burst.
    let asked = by(
        command(
            900_000,
            "ask",
            json!([string_opt("question", "what does Twitter use for backend")]),
        ),
        &Who::member(GUILD),
    );
    let (_, body) = post_signed_to(&client, &url, &asked).await.expect("ask");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("json");
    let down = answer["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"].as_str().is_some_and(|l| l.starts_with("👎")))
        .and_then(|b| b["custom_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no 👎 on {answer:#}"));

    // A burst of adds from several writers; each acknowledged add is recorded. Members
    // vote and propose at the same time; each acknowledged vote and proposal is recorded.
    let acked: Arc<Mutex<Vec<(u64, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let votes = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let proposals: Arc<Mutex<Vec<(u64, i64)>>> = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    {
        let (client, url, votes, proposals) = (
            client.clone(),
            url.clone(),
            votes.clone(),
            proposals.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0..200u64 {
                let who = Who {
                    user: member_id(i).to_string(),
                    name: format!("m{i}"),
                    ..Who::member(GUILD)
                };
                let vote = by(button(4_000_000 + 2 * i, &down, json!([])), &who);
                match post_signed_to(&client, &url, &vote).await {
                    Ok((200, body)) if body.contains("rated") => {
                        votes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    Ok((status, body)) => panic!("vote {i} answered {status}: {body}"),
                    Err(_) => return,
                }
                let w = word(500 + i);
                let propose = by(
                    modal_submit(
                        4_000_001 + 2 * i,
                        "kbform:padd:note",
                        &entry_fields(
                            &format!("Proposed note {w}"),
                            &format!("The {w} proposal survives a crash too."),
                            "",
                            "",
                            &format!("https://example.com/proposed/{i}"),
                        ),
                    ),
                    &who,
                );
                match post_signed_to(&client, &url, &propose).await {
                    Ok((200, body)) if body.contains("sent for review") => {
                        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                        let n = v["data"]["embeds"][0]["title"]
                            .as_str()
                            .and_then(|t| t.split('#').nth(1))
                            .and_then(|t| t.split_whitespace().next())
                            .and_then(|t| t.parse().ok())
                            .unwrap_or_else(|| panic!("no proposal number in {body}"));
                        proposals
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((i, n));
                    }
                    Ok((status, body)) => panic!("proposal {i} answered {status}: {body}"),
                    Err(_) => return,
                }
            }
        }));
    }
    for w in 0..WRITERS {
        let (client, url, acked) = (client.clone(), url.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..100 {
                let n = i * WRITERS + w;
                match post_signed_to(&client, &url, &add(n)).await {
                    Ok((200, body)) if body.contains("Added kb-") => {
                        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                        let id = v["data"]["embeds"][0]["title"]
                            .as_str()
                            .unwrap_or_default()
                            .trim_start_matches("Added ")
                            .replace('\\', "");
                        acked
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((n, id));
                    }
                    Ok((status, body)) => panic!("add {n} answered {status}: {body}"),
                    // The server was killed: unacknowledged, may or may not be there.
                    Err(_) => return,
                }
            }
        }));
    }
    let deadline = tokio::time::Instant::now() + BURST;
    loop {
        let n = acked.lock().unwrap_or_else(|p| p.into_inner()).len();
        if n >= ACKS_BEFORE_KILL {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {n} adds acknowledged within {BURST:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().await.expect("SIGKILL");
    for w in writers {
        let _ = tokio::time::timeout(Duration::from_secs(15), w).await;
    }
    let acked = acked.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(acked.len() >= ACKS_BEFORE_KILL);
    let proposals = proposals.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let votes = votes.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!(
        "{} adds, {votes} votes and {} proposals acknowledged before SIGKILL",
        acked.len(),
        proposals.len()
    );

    // Restart on the same files: every acknowledged add is found in its server.
    let mut server = Served::spawn(tmp.path(), "archie", &db);
    server.ready(&client).await;
    let url = server.url();
    for (k, (n, id)) in acked.iter().enumerate() {
        let t = title(*n);
        let ask = by(
            command(
                2_000_000 + k as u64,
                "ask",
                json!([string_opt("question", &t)]),
            ),
            &Who::member(GUILD),
        );
        let (status, body) = post_signed_to(&client, &url, &ask).await.expect("ask");
        assert_eq!(status, 200);
        assert!(
            body.contains(&t),
            "/ask finds '{t}' after the crash: {body}"
        );
        let hist = by(
            kb(
                3_000_000 + k as u64,
                "history",
                json!([string_opt("id", id)]),
            ),
            &Who::member(GUILD),
        );
        let (status, body) = post_signed_to(&client, &url, &hist).await.expect("history");
        assert_eq!(status, 200);
        assert!(
            body.contains(" add ") && body.contains("by Moira"),
            "/kb history lists the add of {id}: {body}"
        );
    }
    server.child.kill().await.expect("stop");

    // The store's client blocks: off the async runtime.
    let live = tokio::task::spawn_blocking(move || {
        let store = archie::store::Store::connect(&db).expect("store opens");
        if !postgres {
            assert_eq!(store.integrity_check().expect("integrity check"), "ok");
        }
        let guild: u64 = GUILD.parse().expect("guild id");
        let down: i64 = store
            .stats(guild, 0)
            .expect("stats")
            .votes
            .iter()
            .map(|k| k.down)
            .sum();
        assert!(down >= votes, "{down} 👎 kept of {votes} acknowledged");
        for (i, n) in &proposals {
            let p = store.proposal(guild, *n).expect("read").expect("kept");
            assert_eq!(p.proposer_id, member_id(*i), "proposal #{n}");
        }
        store.live(guild).expect("live entries")
    })
    .await
    .expect("the store check ran");
    assert!(
        live.len() >= acked.len(),
        "{} < {}",
        live.len(),
        acked.len()
    );
    for (_, id) in &acked {
        assert!(live.iter().any(|e| e.id == *id), "{id} is live");
    }
}
