//! The HTTP interactions endpoint, driven the way Discord drives it: signed requests with
//! the documented payloads against the real router on 127.0.0.1:0.

use crate::support::*;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

mod answers;
mod deadline;
pub(crate) mod diagrams;
mod fair_use;
mod find_answer;
pub(crate) mod follow_up;
mod signatures;

async fn server() -> TestServer {
    http_app(fixture_app()).spawn().await
}

fn embed(resp: &Value) -> &Value {
    &resp["data"]["embeds"][0]
}

fn buttons(resp: &Value) -> Vec<Value> {
    resp["data"]["components"][0]["components"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn assert_limits(resp: &Value, mention: Option<&str>) {
    if let Err(e) = limits::check(resp, mention) {
        panic!("{e}\nresponse: {resp:#}");
    }
}

async fn ask(s: &TestServer, q: &str) -> Value {
    let (status, resp) = s
        .post_signed(&command(10, "ask", json!([string_opt("question", q)])))
        .await;
    assert_eq!(status, 200);
    resp
}
