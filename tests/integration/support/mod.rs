//! Shared test helpers: the fixture app, a signing test keypair, the HTTP endpoint on
//! port 0 (zero2prod's `spawn_app`), Discord's documented interaction payloads, an
//! independent checker of Discord's limits, a local stand-in for Discord, and Discord's
//! OpenAPI schemas, which judge every interaction response a signed request gets back.
#![allow(dead_code)]

pub mod fake_discord;
pub mod limits;
pub mod schema;

use archie::app::App;
use archie::discord::http::{router_for, Endpoint};
use archie::knowledge::Knowledge;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub const APP_ID: &str = "111111111111111111";
pub const ASKER: &str = "222222222222222222";
pub const GUILD: &str = "333333333333333333";
pub const CHANNEL: &str = "444444444444444444";

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discord-kb")
}

/// The app over the fixture knowledge, built once per test binary.
pub fn fixture_app() -> Arc<App> {
    static APP: OnceLock<Arc<App>> = OnceLock::new();
    APP.get_or_init(|| {
        let k = Knowledge::load(&fixture_dir()).expect("the fixture knowledge loads");
        Arc::new(App::in_memory(k).expect("the fixture index builds"))
    })
    .clone()
}

pub fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

pub fn public_key_hex() -> String {
    hex(signing_key().verifying_key().as_bytes())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Discord's signature: Ed25519 over timestamp + raw body, hex-encoded.
pub fn sign(timestamp: &str, body: &[u8]) -> String {
    let mut msg = timestamp.as_bytes().to_vec();
    msg.extend_from_slice(body);
    hex(&signing_key().sign(&msg).to_bytes())
}

/// `X-Signature-Timestamp` for a request sent now, `offset` seconds off the clock.
pub fn timestamp(offset: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    (now + offset).to_string()
}

/// The two signature headers Discord sends with `body`, stamped `offset` seconds off now.
pub fn signed_headers(body: &[u8], offset: i64) -> Vec<(&'static str, String)> {
    let ts = timestamp(offset);
    vec![
        ("x-signature-ed25519", sign(&ts, body)),
        ("x-signature-timestamp", ts),
    ]
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub endpoint: Arc<Endpoint>,
    pub client: reqwest::Client,
}

/// Starts the real endpoint on 127.0.0.1:0 with the test key.
pub async fn spawn_http(app: Arc<App>) -> TestServer {
    let key: [u8; 32] = *signing_key().verifying_key().as_bytes();
    let verifier = archie::discord::http::verifier(key).expect("the test key is valid");
    let endpoint = Endpoint::new(app, verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let router = router_for(endpoint.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    TestServer {
        addr,
        endpoint,
        client: reqwest::Client::new(),
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs raw bytes with the given signature headers.
    pub async fn post_raw(&self, body: Vec<u8>, headers: &[(&str, String)]) -> (u16, String) {
        let mut req = self
            .client
            .post(self.url("/interactions"))
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        validate_answer(status, &text);
        (status, text)
    }

    /// POSTs a correctly signed interaction, stamped now; returns the status and the
    /// JSON answer.
    pub async fn post_signed(&self, body: &Value) -> (u16, Value) {
        let bytes = serde_json::to_vec(body).expect("json");
        let headers = signed_headers(&bytes, 0);
        let (status, text) = self.post_raw(bytes, &headers).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn user(id: &str) -> Value {
    json!({"id": id, "username": "asker", "discriminator": "0", "global_name": "Asker", "avatar": null})
}

/// The fields every interaction carries (Discord's documented shape, guild context).
fn base(kind: u8, id: u64, data: Value) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID,
        "type": kind,
        "data": data,
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "channel": {"id": CHANNEL, "type": 0},
        "member": {
            "user": user(ASKER), "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "deaf": false, "mute": false, "flags": 0, "permissions": "0"
        },
        "token": format!("tok{id}"),
        "version": 1,
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD},
        "context": 0,
        "attachment_size_limit": 8388608
    })
}

pub fn ping() -> Value {
    json!({"id": "1", "application_id": APP_ID, "type": 1, "token": "tok1", "version": 1})
}

/// A slash command (type 2, CHAT_INPUT) with its options as `[{name, type, value}]`.
pub fn command(id: u64, name: &str, options: Value) -> Value {
    base(
        2,
        id,
        json!({"id": "555555555555555555", "name": name, "type": 1, "options": options}),
    )
}

pub fn string_opt(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

pub fn bool_opt(name: &str, value: bool) -> Value {
    json!({"name": name, "type": 5, "value": value})
}

pub fn user_opt(name: &str, id: &str) -> Value {
    json!({"name": name, "type": 6, "value": id})
}

/// Autocomplete (type 4): the focused option holds what was typed so far.
pub fn autocomplete(id: u64, name: &str, option: &str, typed: &str) -> Value {
    base(
        4,
        id,
        json!({"id": "555555555555555555", "name": name, "type": 1,
               "options": [{"name": option, "type": 3, "value": typed, "focused": true}]}),
    )
}

/// A button click (type 3) on a message whose embeds are `embeds`.
pub fn button(id: u64, custom_id: &str, embeds: Value) -> Value {
    let mut v = base(3, id, json!({"custom_id": custom_id, "component_type": 2}));
    v["message"] = json!({
        "id": "666666666666666666", "channel_id": CHANNEL, "author": user(APP_ID),
        "content": "", "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": embeds, "pinned": false, "type": 0,
        "flags": 0, "components": []
    });
    v
}

/// All text a user sees in a response: content, and every embed's texts.
pub fn visible_text(resp: &Value) -> String {
    let d = &resp["data"];
    let mut out = String::new();
    out.push_str(d["content"].as_str().unwrap_or_default());
    for e in d["embeds"].as_array().into_iter().flatten() {
        for k in ["title", "description"] {
            out.push('\n');
            out.push_str(e[k].as_str().unwrap_or_default());
        }
        for f in e["fields"].as_array().into_iter().flatten() {
            out.push('\n');
            out.push_str(f["name"].as_str().unwrap_or_default());
            out.push('\n');
            out.push_str(f["value"].as_str().unwrap_or_default());
        }
        out.push('\n');
        out.push_str(e["footer"]["text"].as_str().unwrap_or_default());
    }
    out
}

// ---- /kb: moderators, servers, forms and files -------------------------------------

pub const MODERATOR: &str = "888888888888888881";
pub const MEMBER: &str = "888888888888888882";
pub const ROLE_MOD: &str = "999999999999999991";
pub const GUILD_B: &str = "333333333333333334";

/// Who sends an interaction: a member of a server (permissions as Discord computed
/// them, roles) or a user in a DM (`guild: None`).
#[derive(Debug, Clone)]
pub struct Who {
    pub guild: Option<String>,
    pub user: String,
    pub name: String,
    pub permissions: String,
    pub roles: Vec<String>,
}

impl Who {
    /// A member with Manage Server in `guild`.
    pub fn moderator(guild: &str) -> Who {
        Who {
            guild: Some(guild.into()),
            user: MODERATOR.into(),
            name: "Moira".into(),
            permissions: "32".into(),
            roles: Vec::new(),
        }
    }

    /// A member without rights in `guild`.
    pub fn member(guild: &str) -> Who {
        Who {
            guild: Some(guild.into()),
            user: MEMBER.into(),
            name: "Mel".into(),
            permissions: "0".into(),
            roles: Vec::new(),
        }
    }

    /// A member without permissions whose role is `role`.
    pub fn with_role(guild: &str, role: &str) -> Who {
        Who {
            roles: vec![role.into()],
            name: "Rolf".into(),
            user: "888888888888888883".into(),
            ..Who::member(guild)
        }
    }

    /// A user in a direct message: no guild, `user` instead of `member`.
    pub fn dm() -> Who {
        Who {
            guild: None,
            ..Who::moderator(GUILD)
        }
    }
}

/// `payload` as sent by `who`.
pub fn by(mut v: Value, who: &Who) -> Value {
    let user = json!({"id": who.user, "username": who.name.to_lowercase(),
                      "discriminator": "0", "global_name": who.name, "avatar": null});
    let obj = v.as_object_mut().expect("an interaction object");
    match &who.guild {
        Some(g) => {
            obj.insert("guild_id".into(), json!(g));
            obj.insert(
                "member".into(),
                json!({
                    "user": user, "roles": who.roles,
                    "joined_at": "2024-01-01T00:00:00.000000+00:00",
                    "deaf": false, "mute": false, "flags": 0, "permissions": who.permissions
                }),
            );
            obj.remove("user");
            obj.insert("context".into(), json!(0));
        }
        None => {
            obj.remove("guild_id");
            obj.remove("member");
            obj.insert("user".into(), user);
            obj.insert("context".into(), json!(1));
            obj.insert("channel".into(), json!({"id": CHANNEL, "type": 1}));
        }
    }
    v
}

/// `/kb <sub>` with the subcommand's options.
pub fn kb(id: u64, sub: &str, options: Value) -> Value {
    command(
        id,
        "kb",
        json!([{"name": sub, "type": 1, "options": options}]),
    )
}

pub fn int_opt(name: &str, value: i64) -> Value {
    json!({"name": name, "type": 4, "value": value})
}

/// Autocomplete on `/kb <sub>`'s `option`.
pub fn kb_autocomplete(id: u64, sub: &str, option: &str, typed: &str) -> Value {
    base(
        4,
        id,
        json!({"id": "555555555555555555", "name": "kb", "type": 1,
               "options": [{"name": sub, "type": 1, "options": [
                   {"name": option, "type": 3, "value": typed, "focused": true}]}]}),
    )
}

/// `/kb import file:` with the attachment Discord resolved (its `url` is fetched).
pub fn kb_import(id: u64, url: &str, size: usize) -> Value {
    let mut v = kb(
        id,
        "import",
        json!([{"name": "file", "type": 11, "value": "1234"}]),
    );
    v["data"]["resolved"] = json!({"attachments": {"1234": {
        "id": "1234", "filename": "kb.json", "size": size, "url": url, "proxy_url": url,
        "content_type": "application/json"
    }}});
    v
}

/// A modal submission (type 5): `fields` as `(custom_id, value)`, one per row.
pub fn modal_submit(id: u64, custom_id: &str, fields: &[(&str, &str)]) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(k, v)| json!({"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}))
        .collect();
    base(5, id, json!({"custom_id": custom_id, "components": rows}))
}

/// The five fields of a `/kb` form.
pub fn entry_fields<'a>(
    title: &'a str,
    text: &'a str,
    company: &'a str,
    technologies: &'a str,
    sources: &'a str,
) -> [(&'static str, &'a str); 5] {
    [
        ("title", title),
        ("text", text),
        ("company", company),
        ("technologies", technologies),
        ("sources", sources),
    ]
}

/// The fixture knowledge with a community store in `db` (created).
pub fn kb_app(db: &std::path::Path) -> Arc<App> {
    let k = Knowledge::load(&fixture_dir()).expect("the fixture knowledge loads");
    let mut app = App::in_memory(k).expect("the fixture index builds");
    app.attach_store(archie::store::Store::open(db).expect("the store opens"))
        .expect("the store attaches");
    Arc::new(app)
}

/// The endpoint with moderator roles and, optionally, a REST client for files.
pub async fn spawn_http_with(
    app: Arc<App>,
    settings: archie::discord::Options,
    rest: Option<Arc<serenity::all::Http>>,
) -> TestServer {
    let key: [u8; 32] = *signing_key().verifying_key().as_bytes();
    let verifier = archie::discord::http::verifier(key).expect("the test key is valid");
    let endpoint = Endpoint::with(app, verifier, settings, rest);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let router = router_for(endpoint.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    TestServer {
        addr,
        endpoint,
        client: reqwest::Client::new(),
    }
}

/// The endpoint with `settings` whose interaction-webhook client talks to `api` (the
/// stand-in's base URL) without a bot token.
pub async fn spawn_http_webhooks(
    app: Arc<App>,
    settings: archie::discord::Options,
    api: &str,
) -> TestServer {
    let key: [u8; 32] = *signing_key().verifying_key().as_bytes();
    let verifier = archie::discord::http::verifier(key).expect("the test key is valid");
    let webhooks = serenity::all::HttpBuilder::new("")
        .proxy(api)
        .ratelimiter_disabled(true)
        .build();
    let endpoint = Endpoint::with_webhooks(app, verifier, settings, None, Arc::new(webhooks));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let router = router_for(endpoint.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    TestServer {
        addr,
        endpoint,
        client: reqwest::Client::new(),
    }
}

/// Fair use with the default limits, on a clock the test moves (ms since the epoch).
pub fn fair_use_on_a_test_clock() -> (
    Arc<archie::discord::fair_use::FairUse>,
    Arc<std::sync::atomic::AtomicU64>,
) {
    use archie::discord::fair_use::{FairUse, Limits};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64;
    let t = Arc::new(std::sync::atomic::AtomicU64::new(now));
    let c = t.clone();
    let clock = Arc::new(move || c.load(std::sync::atomic::Ordering::SeqCst));
    (Arc::new(FairUse::new(Limits::DEFAULT, clock)), t)
}

/// An executor that panics while answering (the test hook for caught panics).
pub fn panicking_executor(
    _: &App,
    _: &archie::commands::Caller,
    _: archie::discord::interaction::Incoming,
    _: bool,
) -> archie::discord::Outgoing {
    panic!("a test executor panicked on purpose")
}

/// A signed request to any endpoint address (the real binary in tests/integration/kb_crash.rs).
pub async fn post_signed_to(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
) -> Result<(u16, String), reqwest::Error> {
    let bytes = serde_json::to_vec(body).expect("json");
    let mut req = client.post(url).header("content-type", "application/json");
    for (k, v) in signed_headers(&bytes, 0) {
        req = req.header(k, v);
    }
    let resp = req.body(bytes).send().await?;
    let status = resp.status().as_u16();
    let text = resp.text().await?;
    validate_answer(status, &text);
    Ok((status, text))
}

/// Every 200 answer of the endpoint is an interaction response Discord accepts: JSON that
/// validates against Discord's OpenAPI schema (panics with the violations otherwise).
pub fn validate_answer(status: u16, text: &str) {
    if status != 200 {
        return;
    }
    let body: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("a 200 answer that is not JSON ({e}): {text}"));
    schema::assert_interaction_response(&body);
}
