//! `/kb` over the signed HTTP interactions endpoint, the way Discord sends it: forms
//! (modals) and their submissions, confirm buttons, history pages, rights checked on
//! every interaction, one server's entries never showing in another's, DMs that cannot
//! write, export as a file after a deferral, import from an attached file, and many
//! concurrent writes that all survive.

use crate::support::fake_discord::FakeDiscord;
use crate::support::*;
use archie::discord::Options;
use axum::routing::get;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

mod curation;
mod files;
mod writes;

const WAIT: Duration = Duration::from_secs(10);

const TITLE: &str = "How Discord stores trillions of messages";
const TEXT: &str = "Discord moved its message store from Cassandra to ScyllaDB and put \
                    data services written in Rust in front of it to coalesce hot reads.";
const SOURCE: &str = "https://discord.com/blog/how-discord-stores-trillions-of-messages";
const QUESTION: &str = "how does discord store trillions of messages";

fn gid(g: &str) -> u64 {
    g.parse().expect("a numeric guild id")
}

struct Kb {
    server: TestServer,
    app: Arc<archie::app::App>,
    _dir: tempfile::TempDir,
    next: std::sync::atomic::AtomicU64,
}

impl Kb {
    async fn start() -> Kb {
        Kb::start_with(Options::default(), None).await
    }

    async fn start_with(settings: Options, rest: Option<Arc<serenity::all::Http>>) -> Kb {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = kb_app(&dir.path().join("kb.db"));
        let server = http_app(app.clone())
            .settings(settings)
            .rest(rest)
            .spawn()
            .await;
        Kb {
            server,
            app,
            _dir: dir,
            next: std::sync::atomic::AtomicU64::new(10_000),
        }
    }

    fn id(&self) -> u64 {
        self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends `payload` as `who`; the answer must be 200 and obey Discord's limits.
    async fn send(&self, payload: Value, who: &Who) -> Value {
        let (status, resp) = self.server.post_signed(&by(payload, who)).await;
        assert_eq!(status, 200, "{resp}");
        if let Err(e) = limits::check(&resp, None) {
            panic!("{e}\n{resp:#}");
        }
        resp
    }

    async fn kb(&self, sub: &str, options: Value, who: &Who) -> Value {
        self.send(kb(self.id(), sub, options), who).await
    }

    async fn submit(&self, custom_id: &str, fields: &[(&str, &str)], who: &Who) -> Value {
        self.send(modal_submit(self.id(), custom_id, fields), who)
            .await
    }

    async fn click(&self, custom_id: &str, who: &Who) -> Value {
        self.send(button(self.id(), custom_id, json!([])), who)
            .await
    }

    async fn ask(&self, question: &str, who: &Who) -> String {
        let r = self
            .send(
                command(self.id(), "ask", json!([string_opt("question", question)])),
                who,
            )
            .await;
        visible_text(&r)
    }

    /// Adds the Discord note as `who`; its id.
    async fn add(&self, who: &Who) -> String {
        let r = self
            .submit(
                "kbform:add:note",
                &entry_fields(TITLE, TEXT, "Discord", "cassandra", SOURCE),
                who,
            )
            .await;
        added_id(&r)
    }

    fn revisions(&self, guild: &str) -> u64 {
        self.app
            .store
            .as_ref()
            .expect("a store")
            .revision_count(gid(guild), None)
            .expect("count")
    }
}

/// The id in an "Added kb-…" (or "Saved", "Removed") reply, unescaped.
fn added_id(r: &Value) -> String {
    let title = r["data"]["embeds"][0]["title"].as_str().unwrap_or_default();
    let id = title
        .split_once(' ')
        .map(|(_, id)| id.replace('\\', ""))
        .unwrap_or_default();
    assert!(
        title.starts_with("Added kb-") && id.starts_with("kb-"),
        "{r:#}"
    );
    id
}

fn is_ephemeral(r: &Value) -> bool {
    r["data"]["flags"].as_u64() == Some(64)
}

fn inputs(modal: &Value) -> Vec<Value> {
    modal["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row["components"][0].as_object().cloned().map(Value::Object))
        .collect()
}

fn buttons_of(r: &Value) -> Vec<Value> {
    r["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn choices(r: &Value) -> Vec<(String, String)> {
    r["data"]["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["value"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// "#12 edit kb-… by Moira" headings of a history reply, in order.
fn history_lines(r: &Value) -> Vec<String> {
    r["data"]["embeds"][0]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .map(|n| n.replace('\\', ""))
        .filter(|n| n.starts_with('#'))
        .map(|n| n.split(" · ").next().unwrap_or_default().to_string())
        .collect()
}

fn revision_of(lines: &[String], action: &str) -> i64 {
    lines
        .iter()
        .find(|l| l.split_whitespace().nth(1) == Some(action))
        .and_then(|l| l.trim_start_matches('#').split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {action} in {lines:?}"))
}
