//! The real `archie` binary against a local stand-in for Discord: gateway mode
//! (IDENTIFY, READY, command registration, interactions answered on the callback route),
//! HTTP mode end to end, `archie register`, graceful shutdown on SIGTERM, settings that
//! fail at start with the variable's name, and shard ranges in separate processes.

use crate::support::fake_discord::{Event, FakeDiscord};
use crate::support::*;
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

const WAIT: Duration = Duration::from_secs(60);

mod curation;
mod find_answer;
pub(crate) mod in_process;
mod posts;
mod serve;
mod settings;
mod shards;

/// `archie` run by the harness in `tmp` (`support::archie_in`: scrubbed environment, no
/// `.env`, data in `tmp/data`, lexical answering) over the fixture knowledge, logging at
/// info; killed when dropped.
fn archie(tmp: &tempfile::TempDir) -> Command {
    let mut c = archie_in(tmp.path());
    c.fixture_knowledge().env("RUST_LOG", "info");
    c.into_tokio()
}

fn log_file(tmp: &tempfile::TempDir) -> (Stdio, std::path::PathBuf) {
    let path = tmp.path().join("archie.log");
    let f = std::fs::File::create(&path).expect("log file");
    (Stdio::from(f), path)
}

fn log(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn callback_for(id: u64) -> impl Fn(&Event) -> bool {
    let path = format!("/api/v10/interactions/{id}/tok{id}/callback");
    move |e| matches!(e, Event::Rest { method, path: p, .. } if method == "POST" && *p == path)
}

fn body(e: Option<Event>) -> Value {
    match e {
        Some(Event::Rest { body, .. }) => body,
        other => panic!("expected a REST call, got {other:?}"),
    }
}

#[tokio::test]
#[should_panic(expected = "Archie sent Discord a body it would reject")]
async fn the_stand_in_answers_a_body_discord_would_refuse_with_400_and_fails_the_test() {
    let mut fake = FakeDiscord::start().await;
    let url = format!("{}/api/v10/interactions/1/tok1/callback", fake.api_url());
    let client = reqwest::Client::new();
    let ok = client
        .post(&url)
        .json(&json!({"type": 4, "data": {"content": "fine", "allowed_mentions": {"parse": []}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 204);
    let r = client
        .post(&url)
        .json(&json!({"type": 4, "data": {"content": "x".repeat(2001)}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "Discord refuses content over 2000 characters"
    );
    fake.wait_for(Duration::from_secs(5), |_| false).await;
}
