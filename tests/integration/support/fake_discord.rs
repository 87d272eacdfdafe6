//! A local stand-in for Discord: an axum REST server (the routes serenity calls for an
//! interactions bot, and for channel messages) and a tokio-tungstenite gateway (HELLO,
//! IDENTIFY → READY, heartbeat ACKs, dispatches: INTERACTION_CREATE by
//! [`FakeDiscord::dispatch`], any other event — MESSAGE_CREATE, THREAD_CREATE,
//! CHANNEL_DELETE, … — by [`FakeDiscord::dispatch_event`]). Everything it receives is
//! reported as an [`Event`], so tests assert on what the real binary sent.
//!
//! Channel messages: `POST /channels/{channel}/messages` answers with a message object (a
//! fresh id per post, authored by the bot, echoing the content and components), which
//! [`FakeDiscord::posted`] waits for; `GET /channels/{channel}/messages/{message}` answers
//! with a message given to [`FakeDiscord::put_message`] (or posted earlier) and
//! `GET /channels/{channel}` with a channel given to [`FakeDiscord::put_channel`], else
//! 404 with Discord's JSON error (10008 Unknown Message, 10003 Unknown Channel). After
//! [`FakeDiscord::forbid_channel`], posting to or reading messages of that channel answers
//! 403 (50013 Missing Permissions).
//!
//! Several connections may be open at once, one per shard: each IDENTIFY's `shard` is
//! reported ([`Event::identified_shard`]), and [`FakeDiscord::dispatch_to`] sends an event
//! on the connection that identified as that shard, as Discord sends a server's events on
//! shard [`shard_of`] its id. `/gateway/bot` reports [`FakeDiscord::with_shards`]'s count.
//!
//! Every body Archie sends that Discord's OpenAPI description covers — command
//! definitions, interaction callbacks, follow-ups, edits of the original response, channel
//! messages (for a multipart upload, its `payload_json` part) — is validated against it as
//! it arrives: the
//! stand-in answers a violation with 400 as Discord would, and the test panics with the
//! violations at its next [`FakeDiscord::wait_for`] or when the stand-in is dropped.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Mutex};
use tokio_tungstenite::tungstenite::Message;

use super::APP_ID;

#[derive(Debug, Clone)]
pub enum Event {
    Identify(Value),
    Rest {
        method: String,
        path: String,
        /// The JSON body (`Null` for a multipart upload: see `raw`).
        body: Value,
        content_type: String,
        raw: Vec<u8>,
        /// Where Discord's schema was not met, if it was not.
        violation: Option<String>,
    },
}

impl Event {
    /// The `[id, count]` an IDENTIFY asked for.
    pub fn identified_shard(&self) -> Option<[u64; 2]> {
        match self {
            Event::Identify(d) => Some([d["shard"][0].as_u64()?, d["shard"][1].as_u64()?]),
            Event::Rest { .. } => None,
        }
    }

    fn violation(&self) -> Option<&str> {
        match self {
            Event::Rest { violation, .. } => violation.as_deref(),
            Event::Identify(_) => None,
        }
    }
}

pub struct FakeDiscord {
    pub rest: SocketAddr,
    events: mpsc::UnboundedReceiver<Event>,
    /// Events received while waiting for another one, in arrival order.
    seen: Vec<Event>,
    queues: Queues,
    store: Store,
}

/// Discord's shard for a server: `(guild_id >> 22) % shard_count`.
pub fn shard_of(guild_id: u64, shard_count: u64) -> u64 {
    (guild_id >> 22) % shard_count
}

/// A dispatch: its event type (`t`) and data (`d`).
type Dispatch = (String, Value);

/// One queue of dispatches per shard id, made by whichever side needs it first; the
/// connection that identifies as the shard holds its receiver while it is open.
type Queue = (
    mpsc::UnboundedSender<Dispatch>,
    Arc<Mutex<mpsc::UnboundedReceiver<Dispatch>>>,
);

#[derive(Clone, Default)]
struct Queues(Arc<std::sync::Mutex<HashMap<u64, Queue>>>);

impl Queues {
    fn get(&self, shard: u64) -> Queue {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(shard)
            .or_insert_with(|| {
                let (tx, rx) = mpsc::unbounded_channel();
                (tx, Arc::new(Mutex::new(rx)))
            })
            .clone()
    }
}

/// The first id the stand-in gives a posted message; each post takes the next.
const FIRST_MESSAGE_ID: u64 = 880000000000000000;

/// What the channel routes answer from: messages by `(channel_id, id)`, channels by id,
/// the channels the bot may not post to or read, and the next posted message's id.
#[derive(Default)]
struct Channels {
    messages: HashMap<(String, String), Value>,
    channels: HashMap<String, Value>,
    forbidden: HashSet<String>,
    next_id: u64,
}

#[derive(Clone, Default)]
struct Store(Arc<std::sync::Mutex<Channels>>);

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Channels> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A snowflake given as a string or a number, as a string (`None` for anything else).
fn snowflake(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[derive(Clone)]
struct Rest {
    events: mpsc::UnboundedSender<Event>,
    ws_url: String,
    shards: u64,
    store: Store,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        FakeDiscord::with_shards(1).await
    }

    /// A stand-in whose `/gateway/bot` recommends `shards` shards.
    pub async fn with_shards(shards: u64) -> FakeDiscord {
        let (ev_tx, events) = mpsc::unbounded_channel();
        let queues = Queues::default();
        let store = Store::default();
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let gateway = ws.local_addr().expect("gateway addr");
        tokio::spawn(run_gateway(ws, ev_tx.clone(), queues.clone()));
        let state = Rest {
            events: ev_tx,
            ws_url: format!("ws://{gateway}"),
            shards,
            store: store.clone(),
        };
        let app = Router::new()
            .route("/api/v10/gateway", get(gateway_url))
            .route("/api/v10/gateway/bot", get(gateway_bot))
            .route("/api/v10/users/@me", get(me))
            .route("/api/v10/applications/{app}/commands", put(commands))
            .route(
                "/api/v10/applications/{app}/guilds/{guild}/commands",
                put(commands),
            )
            .route(
                "/api/v10/interactions/{id}/{token}/callback",
                post(callback),
            )
            // GET: the original response's message (repeat links); PATCH: edit it.
            .route(
                "/api/v10/webhooks/{app}/{token}/messages/@original",
                get(webhook_message).patch(webhook_message),
            )
            .route("/api/v10/webhooks/{app}/{token}", post(webhook_message))
            // Other methods on these paths are reported and answered 404, as before.
            .route(
                "/api/v10/channels/{channel}/messages",
                post(create_message).fallback(unknown),
            )
            .route(
                "/api/v10/channels/{channel}/messages/{message}",
                get(channel_message).fallback(unknown),
            )
            .route(
                "/api/v10/channels/{channel}",
                get(channel).fallback(unknown),
            )
            .fallback(unknown)
            .with_state(state);
        let rest_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind rest");
        let rest = rest_listener.local_addr().expect("rest addr");
        tokio::spawn(async move {
            let _ = axum::serve(rest_listener, app).await;
        });
        FakeDiscord {
            rest,
            events,
            seen: Vec::new(),
            queues,
            store,
        }
    }

    /// The value for `ARCHIE_DISCORD_API_URL`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.rest)
    }

    /// Sends an INTERACTION_CREATE to the connected bot (queued until it is READY), on
    /// shard 0: the only shard of a bot that runs one.
    pub fn dispatch(&self, interaction: Value) {
        self.dispatch_to(0, interaction);
    }

    /// Sends an INTERACTION_CREATE on the connection that identified as shard `shard`
    /// (queued until one has and is READY).
    pub fn dispatch_to(&self, shard: u64, interaction: Value) {
        self.send_dispatch(shard, "INTERACTION_CREATE", interaction);
    }

    fn send_dispatch(&self, shard: u64, event_type: &str, data: Value) {
        let _ = self
            .queues
            .get(shard)
            .0
            .send((event_type.to_string(), data));
    }

    /// The followup message posted to interaction `id`'s webhook: its content type, body
    /// and schema violation, if any; `None` after `timeout`.
    pub async fn followup(
        &mut self,
        timeout: Duration,
        id: u64,
    ) -> Option<(String, Vec<u8>, Option<String>)> {
        let path = format!("/api/v10/webhooks/{}/tok{id}", super::APP_ID);
        match self
            .wait_for(timeout, |e| {
                matches!(e, Event::Rest { method, path: p, .. } if method == "POST" && *p == path)
            })
            .await?
        {
            Event::Rest {
                content_type,
                raw,
                violation,
                ..
            } => Some((content_type, raw, violation)),
            Event::Identify(_) => None,
        }
    }

    /// The body of the next message posted to `channel` (`POST /channels/{channel}/messages`;
    /// for a multipart upload, its `payload_json`); `None` after `timeout`.
    #[allow(dead_code)]
    pub async fn posted(&mut self, timeout: Duration, channel: u64) -> Option<Value> {
        let path = format!("/api/v10/channels/{channel}/messages");
        match self
            .wait_for(timeout, |e| {
                matches!(e, Event::Rest { method, path: p, .. } if method == "POST" && *p == path)
            })
            .await?
        {
            Event::Rest {
                body,
                content_type,
                raw,
                ..
            } => {
                if content_type.starts_with("multipart/form-data") {
                    super::schema::payload_json(&content_type, &raw)
                } else {
                    Some(body)
                }
            }
            Event::Identify(_) => None,
        }
    }

    /// The first event (already received or still to come) for which `want` holds;
    /// `None` after `timeout`. Other events are kept for later calls, since serenity
    /// answers interactions concurrently and in no fixed order.
    pub async fn wait_for(
        &mut self,
        timeout: Duration,
        want: impl Fn(&Event) -> bool,
    ) -> Option<Event> {
        if let Some(i) = self.seen.iter().position(&want) {
            return Some(self.seen.remove(i));
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(e)) => {
                    if let Some(v) = e.violation() {
                        panic!("Archie sent Discord a body it would reject: {v}");
                    }
                    if want(&e) {
                        return Some(e);
                    }
                    self.seen.push(e);
                }
                _ => return None,
            }
        }
    }
}

/// Other dispatches and the channel routes' state: for the tests that need them.
#[allow(dead_code)]
impl FakeDiscord {
    /// Sends a DISPATCH of `event_type` (e.g. `MESSAGE_CREATE`, `THREAD_CREATE`,
    /// `CHANNEL_DELETE`) with `data` on shard 0 (queued until it is READY).
    pub fn dispatch_event(&self, event_type: &str, data: Value) {
        self.dispatch_event_to(0, event_type, data);
    }

    /// Sends a DISPATCH of `event_type` with `data` on the connection that identified as
    /// shard `shard` (queued until one has and is READY), after any queued before it.
    pub fn dispatch_event_to(&self, shard: u64, event_type: &str, data: Value) {
        self.send_dispatch(shard, event_type, data);
    }

    /// Makes `message` what `GET /channels/{channel_id}/messages/{id}` answers, keyed by
    /// its `channel_id` and `id` (replacing any message there).
    pub fn put_message(&self, message: Value) {
        let key = (
            snowflake(&message["channel_id"]).expect("a message has a channel_id"),
            snowflake(&message["id"]).expect("a message has an id"),
        );
        self.store.lock().messages.insert(key, message);
    }

    /// Makes `channel` what `GET /channels/{id}` answers, keyed by its `id`.
    pub fn put_channel(&self, channel: Value) {
        let id = snowflake(&channel["id"]).expect("a channel has an id");
        self.store.lock().channels.insert(id, channel);
    }

    /// From now on, posting a message to `channel` or reading one of its messages is
    /// answered 403 Missing Permissions (and still reported).
    pub fn forbid_channel(&self, channel: u64) {
        self.store.lock().forbidden.insert(channel.to_string());
    }
}

impl Drop for FakeDiscord {
    /// Bodies that arrived but no test waited for are held to the schema too.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        while let Ok(e) = self.events.try_recv() {
            if let Some(v) = e.violation() {
                panic!("Archie sent Discord a body it would reject: {v}");
            }
        }
    }
}

async fn gateway_url(State(s): State<Rest>) -> Json<Value> {
    Json(json!({"url": s.ws_url}))
}

async fn gateway_bot(State(s): State<Rest>) -> Json<Value> {
    Json(json!({"url": s.ws_url, "shards": s.shards,
        "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}))
}

async fn me() -> Json<Value> {
    Json(json!({"id": APP_ID, "username": "archie", "discriminator": "0", "bot": true}))
}

/// Which of Discord's request schemas a route's body must meet.
#[derive(Clone, Copy)]
enum Body {
    Commands,
    Callback,
    Followup,
    Edit,
    /// A message posted to a channel.
    Message,
    Unchecked,
}

/// Reports the request; `Err` (with the violations) when its body breaks `schema`.
fn report(
    s: &Rest,
    schema: Body,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    raw: &Bytes,
) -> Result<(), String> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = serde_json::from_slice(raw).unwrap_or(Value::Null);
    let checked = if content_type.starts_with("multipart/form-data") {
        super::schema::payload_json(&content_type, raw)
    } else {
        Some(body.clone())
    };
    let violation = match (schema, checked) {
        (Body::Unchecked, _) => None,
        (_, None) => Some(format!(
            "{method} {} has no JSON body ({content_type})",
            uri.path()
        )),
        (schema, Some(json)) => {
            let checked = match schema {
                Body::Commands => super::schema::check_commands(&json),
                Body::Callback => super::schema::check_interaction_response(&json),
                Body::Followup => super::schema::check_followup(&json),
                Body::Edit => super::schema::check_edit(&json),
                Body::Message => super::schema::check_create_message(&json),
                Body::Unchecked => Ok(()),
            };
            checked
                .err()
                .map(|e| format!("{method} {}: {e}", uri.path()))
        }
    };
    let result = violation.clone().map_or(Ok(()), Err);
    let _ = s.events.send(Event::Rest {
        method: method.to_string(),
        path: uri.path().to_string(),
        body,
        content_type,
        raw: raw.to_vec(),
        violation,
    });
    result
}

/// Discord's answer to a body that breaks its schema.
fn rejected(why: String) -> axum::response::Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"code": 50035, "message": "Invalid Form Body", "detail": why})),
    )
        .into_response()
}

async fn commands(
    State(s): State<Rest>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    if let Err(why) = report(&s, Body::Commands, &method, &uri, &headers, &body) {
        return rejected(why);
    }
    let defs: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
    let out: Vec<Value> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({"id": (900000000000000000u64 + i as u64).to_string(), "type": 1,
                   "application_id": APP_ID, "name": d["name"], "description": d["description"],
                   "options": d["options"], "version": "1"})
        })
        .collect();
    Json(Value::Array(out)).into_response()
}

async fn callback(
    State(s): State<Rest>,
    Path((_id, _token)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    match report(&s, Body::Callback, &method, &uri, &headers, &body) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(why) => rejected(why),
    }
}

async fn webhook_message(
    State(s): State<Rest>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    // A GET (the original response, looked up for a repeat link) has no body to check.
    let schema = if method == Method::PATCH {
        Body::Edit
    } else if method == Method::GET {
        Body::Unchecked
    } else {
        Body::Followup
    };
    if let Err(why) = report(&s, schema, &method, &uri, &headers, &body) {
        return rejected(why);
    }
    Json(json!({
        "id": "777777777777777777", "channel_id": super::CHANNEL,
        "author": {"id": APP_ID, "username": "archie", "discriminator": "0"},
        "content": "", "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0
    }))
    .into_response()
}

async fn unknown(
    State(s): State<Rest>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let _ = report(&s, Body::Unchecked, &method, &uri, &headers, &body);
    StatusCode::NOT_FOUND
}

mod channels;
mod gateway;
use channels::{channel, channel_message, create_message};
use gateway::run_gateway;
