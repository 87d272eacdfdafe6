//! Operating Archie: `GET /metrics` in Prometheus's text format, read with a text-format
//! parser, moving under real requests (the real binary over signed HTTP, and the gateway
//! handler against the stand-in), with no label carrying an id or text; and JSON logs, one
//! object per line, with the interaction's fields and no secret or question unless asked.

use crate::support::served::{terminate, Served};
use crate::support::*;
use prometheus_parse::{Scrape, Value};
use serde_json::json;
use std::collections::HashMap;

/// `/metrics` of a served process, parsed.
pub(crate) async fn scrape(client: &reqwest::Client, port: u16) -> (Scrape, String) {
    let r = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let text = r.text().await.unwrap();
    (parse(&text), text)
}

pub(crate) fn parse(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text format")
}

/// The sum of the samples of `metric` whose labels include `labels`.
pub(crate) fn value(s: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    s.samples
        .iter()
        .filter(|x| x.metric == metric)
        .filter(|x| labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .map(|x| match &x.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            _ => 0.0,
        })
        .fold(0.0, |a, b| a + b)
}

/// Every label value is one of a small set of words: never an id, a name or text.
pub(crate) fn assert_bounded_labels(s: &Scrape, text: &str, never: &[&str]) {
    for sample in &s.samples {
        for (k, v) in sample.labels.iter() {
            let long_number = v
                .split(|c: char| !c.is_ascii_digit())
                .any(|run| run.len() >= 6);
            assert!(
                !long_number && v.len() <= 24 && !v.contains('@'),
                "{}{{{k}={v:?}}} looks like an id or text",
                sample.metric
            );
        }
    }
    for n in never {
        assert!(!text.contains(n), "/metrics shows {n:?}");
    }
}

fn signed_ask(id: u64, q: &str) -> serde_json::Value {
    by(
        command(id, "ask", json!([string_opt("question", q)])),
        &Who::member(GUILD),
    )
}

/// The served binary with `env`, logging to a file; ready.
async fn served(dir: &tempfile::TempDir, env: &[(&str, &str)], client: &reqwest::Client) -> Served {
    let db = archie::store::Database::Sqlite(dir.path().join("data").join("archie.db"));
    let log = dir.path().join("archie.log");
    let file = std::fs::File::create(&log).unwrap();
    let s = Served::spawn_with(dir.path(), &db, std::process::Stdio::from(file), log, |c| {
        for (k, v) in env {
            c.env(k, v);
        }
    });
    s.ready(client).await;
    s
}

const ASKED: &str = "what does Twitter use for backend";
const BOT_TOKEN: &str = "MTEx.bot-token-that-must-stay-secret.xyz";
const DECLINED: &str = "how do i get my sourdough bread to rise higher";

#[tokio::test]
async fn metrics_move_under_signed_requests_and_no_label_carries_an_id_or_text() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    // A bot token too: it must never reach the log.
    let s = served(
        &dir,
        &[("ARCHIE_LOG_FORMAT", "json"), ("DISCORD_TOKEN", BOT_TOKEN)],
        &client,
    )
    .await;
    let (before, _) = scrape(&client, s.port).await;
    let answered = [("command", "ask"), ("outcome", "answered")];
    let declined = [("command", "ask"), ("outcome", "declined")];

    let url = s.url();
    let first = signed_ask(41_001, ASKED);
    let (status, _) = post_signed_to(&client, &url, &first).await.unwrap();
    assert_eq!(status, 200);
    let (status, _) = post_signed_to(&client, &url, &signed_ask(41_002, DECLINED))
        .await
        .unwrap();
    assert_eq!(status, 200);
    // The same delivery again is a replay; a body signed by someone else is refused.
    let (status, _) = post_signed_to(&client, &url, &first).await.unwrap();
    assert_eq!(status, 401);
    let forged = client
        .post(&url)
        .header("x-signature-ed25519", "00".repeat(64))
        .header("x-signature-timestamp", timestamp(0))
        .body(serde_json::to_vec(&signed_ask(41_003, ASKED)).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let (after, text) = scrape(&client, s.port).await;
    let moved = |m: &str, l: &[(&str, &str)]| value(&after, m, l) - value(&before, m, l);
    assert_eq!(moved("archie_interactions_total", &answered), 1.0, "{text}");
    assert_eq!(moved("archie_interactions_total", &declined), 1.0, "{text}");
    assert_eq!(
        moved(
            "archie_interaction_duration_seconds_count",
            &[("command", "ask")]
        ),
        2.0
    );
    for stage in ["understand", "encode", "retrieve", "rank", "render"] {
        assert!(
            moved(
                "archie_ask_stage_duration_seconds_count",
                &[("stage", stage)]
            ) >= 2.0,
            "stage {stage}: {text}"
        );
    }
    assert!(
        moved("archie_store_calls_total", &[("backend", "sqlite")]) >= 1.0,
        "{text}"
    );
    assert_eq!(
        moved("archie_refused_requests_total", &[("reason", "replay")]),
        1.0
    );
    assert_eq!(
        moved("archie_refused_requests_total", &[("reason", "signature")]),
        1.0
    );
    assert_eq!(value(&after, "archie_store_up", &[]), 1.0, "{text}");
    let states: HashMap<&str, f64> = ["built", "rebuilding", "damaged"]
        .iter()
        .map(|st| (*st, value(&after, "archie_index_state", &[("state", st)])))
        .collect();
    assert_eq!(
        states.values().sum::<f64>(),
        1.0,
        "one state at a time: {states:?}"
    );
    assert_eq!(states["damaged"], 0.0);
    assert!(text.contains("archie_community_index_lag"), "{text}");
    assert!(text.contains("archie_question_log_queued"), "{text}");
    assert!(text.contains("archie_question_log_dropped_total"), "{text}");
    assert_eq!(
        value(
            &after,
            "archie_encoder_kernel",
            &[("kernel", "none (lexical)")]
        ),
        1.0,
        "{text}"
    );
    assert_bounded_labels(&after, &text, &[GUILD, MEMBER, "Twitter use", "sourdough"]);

    let mut child = s.child;
    terminate(&mut child).await;
    let log = std::fs::read_to_string(dir.path().join("archie.log")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let handled = lines
        .iter()
        .find(|l| l["command"] == "ask" && l["outcome"] == "answered")
        .unwrap_or_else(|| panic!("no line for the answered ask:\n{log}"));
    assert_eq!(handled["interaction"], 41_001, "{handled}");
    assert_eq!(
        handled["guild"].as_u64(),
        GUILD.parse::<u64>().ok(),
        "{handled}"
    );
    assert!(handled["duration_ms"].as_f64().is_some(), "{handled}");
    assert!(handled["level"].is_string() && handled["timestamp"].is_string());
    for secret in [
        public_key_hex().as_str(),
        BOT_TOKEN,
        ASKED,
        DECLINED,
        "tok41001",
    ] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
}

#[tokio::test]
async fn questions_are_logged_only_when_the_operator_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let s = served(
        &dir,
        &[("ARCHIE_LOG_FORMAT", "json"), ("ARCHIE_LOG_QUESTIONS", "1")],
        &client,
    )
    .await;
    let (status, _) = post_signed_to(&client, &s.url(), &signed_ask(42_001, ASKED))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let mut child = s.child;
    terminate(&mut child).await;
    let log = std::fs::read_to_string(dir.path().join("archie.log")).unwrap();
    let line = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["interaction"] == 42_001)
        .unwrap_or_else(|| panic!("no line for the ask:\n{log}"));
    assert_eq!(line["question"], ASKED, "{line}");
}

#[tokio::test]
async fn over_the_gateway_interactions_and_the_shard_show_in_the_metrics() {
    use crate::support::fake_discord::FakeDiscord;
    archie::metrics::install().expect("the recorder");
    let app = fixture_app();
    let before = parse(&archie::metrics::render(&app));
    let mut fake = FakeDiscord::start().await;
    let client = crate::gateway::in_process::connect_app(
        &mut fake,
        archie::discord::Options::default(),
        app.clone(),
    )
    .await;
    let r =
        crate::gateway::in_process::answer_to(&mut fake, signed_ask(43_001, ASKED), 43_001).await;
    assert!(answered(&r), "{r:#}");
    let text = archie::metrics::render(&app);
    let after = parse(&text);
    let answered = [("command", "ask"), ("outcome", "answered")];
    assert!(
        value(&after, "archie_interactions_total", &answered)
            >= value(&before, "archie_interactions_total", &answered) + 1.0,
        "{text}"
    );
    assert_eq!(
        value(&after, "archie_gateway_shard_connected", &[("shard", "0")]),
        1.0,
        "{text}"
    );
    assert_bounded_labels(&after, &text, &[GUILD, MEMBER, "Twitter use"]);
    client.abort();
}
