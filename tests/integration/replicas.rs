//! Several processes sharing one PostgreSQL store, as replicas behind a load balancer:
//! two real `archie serve --http` processes (one data folder: each takes its own community
//! index), a moderator's change acknowledged by one found by `/ask` on the other within a
//! second, both ways; and a replica killed while a change is made catches up from the
//! change log when it starts again.

use crate::support::*;
use archie::store::Database;
use serde_json::json;
use std::time::{Duration, Instant};

const GUILD_ID: &str = GUILD;
/// The promise: a change acknowledged by one replica is answered by every other within this.
const LAG: Duration = Duration::from_secs(1);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// A signed moderator's add of a note titled `title`; the id it got, once acknowledged.
async fn add(client: &reqwest::Client, to: &Served, n: u64, title: &str) -> String {
    let body = by(
        modal_submit(
            10_000 + n,
            "kbform:add:note",
            &entry_fields(
                title,
                &format!("{title} is shared by every replica through the store's change log."),
                "",
                "",
                &format!("https://example.com/replicas/{n}"),
            ),
        ),
        &Who::moderator(GUILD_ID),
    );
    let (status, text) = post_signed_to(client, &to.url(), &body).await.expect("add");
    assert_eq!(status, 200, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let title = v["data"]["embeds"][0]["title"].as_str().unwrap_or_default();
    assert!(title.starts_with("Added kb-"), "{text}");
    title.trim_start_matches("Added ").replace('\\', "")
}

/// `/ask` on `on` as a member; whether the answer shows `needle`.
async fn finds(
    client: &reqwest::Client,
    on: &Served,
    n: u64,
    question: &str,
    needle: &str,
) -> bool {
    let ask = by(
        command(n, "ask", json!([string_opt("question", question)])),
        &Who::member(GUILD_ID),
    );
    let (status, text) = post_signed_to(client, &on.url(), &ask).await.expect("ask");
    assert_eq!(status, 200, "{text}");
    text.contains(needle)
}

/// How long after now `/ask` on `on` starts (or stops, with `present` false) showing
/// `needle`; panics past [`LAG`] with the replica's log.
async fn lag_until(
    client: &reqwest::Client,
    on: &Served,
    ids: &mut u64,
    needle: &str,
    present: bool,
) -> Duration {
    let t = Instant::now();
    loop {
        *ids += 1;
        if finds(client, on, *ids, needle, needle).await == present {
            return t.elapsed();
        }
        assert!(
            t.elapsed() < LAG,
            "'{needle}' {} on the other replica within {LAG:?}; its log:\n{}",
            if present { "not found" } else { "still shown" },
            on.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_postgresql_share_every_change_within_a_second() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Database::Postgres(crate::support::postgres::cluster().database("replicas"));
    let client = client();
    let a = Served::spawn(tmp.path(), "a", &db);
    a.ready(&client).await;
    let mut b = Served::spawn(tmp.path(), "b", &db);
    b.ready(&client).await;
    let mut ids = 50_000;
    // Both replicas have answered in the server once (indexes open, views loaded).
    for r in [&a, &b] {
        ids += 1;
        finds(
            &client,
            r,
            ids,
            "what does Twitter use for backend",
            "Twitter",
        )
        .await;
    }

    // Added on A: found on B.
    let title = "Zorblatt replication note";
    let id = add(&client, &a, 1, title).await;
    let lag = lag_until(&client, &b, &mut ids, title, true).await;
    eprintln!("A → B: {id} found after {lag:?}");

    // Edited on B: the new title on A, the old one gone.
    let edit = by(
        modal_submit(
            20_001,
            &format!("kbform:edit:{id}"),
            &entry_fields(
                "Quuxwell replication note",
                "Quuxwell is the edited text, shared back through the log.",
                "",
                "",
                "https://example.com/replicas/1",
            ),
        ),
        &Who::moderator(GUILD_ID),
    );
    let (status, text) = post_signed_to(&client, &b.url(), &edit)
        .await
        .expect("edit");
    assert!(status == 200 && text.contains("Saved"), "{status} {text}");
    let lag = lag_until(&client, &a, &mut ids, "Quuxwell", true).await;
    eprintln!("B → A: edit found after {lag:?}");
    lag_until(&client, &a, &mut ids, "Zorblatt", false).await;

    // A replica killed while another takes a change catches up when it starts again.
    b.child.kill().await.expect("SIGKILL b");
    let late = "Plimsoll catch-up note";
    add(&client, &a, 2, late).await;
    let b = Served::spawn(tmp.path(), "b", &db);
    b.ready(&client).await;
    lag_until(&client, &b, &mut ids, late, true).await;
    assert!(
        finds(&client, &b, 60_000, "Quuxwell replication note", "Quuxwell").await,
        "the earlier edit is still there after the restart"
    );
    // Another server never sees them.
    let other = by(
        command(60_001, "ask", json!([string_opt("question", late)])),
        &Who::member("999999999999999999"),
    );
    let (_, text) = post_signed_to(&client, &b.url(), &other)
        .await
        .expect("ask");
    assert!(!text.contains("Plimsoll"), "{text}");
}
