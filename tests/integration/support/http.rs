//! The HTTP interactions endpoint on 127.0.0.1:0 (zero2prod's `spawn_app`), built by one
//! builder ([`http_app`]), the test keypair that signs requests, and the schema check every
//! 200 answer passes.

use super::schema;
use archie::app::App;
use archie::discord::http::{router_for, Endpoint};
use archie::discord::Options;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;

pub fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

pub fn public_key_hex() -> String {
    hex(signing_key().verifying_key().as_bytes())
}

fn hex(bytes: &[u8]) -> String {
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

/// The one way tests build the HTTP app: `http_app(app)`, optionally with settings, a
/// REST client for files, or interaction webhooks pointed at a stand-in, then `.spawn()`.
pub struct HttpApp {
    app: Arc<App>,
    settings: Options,
    rest: Option<Arc<serenity::all::Http>>,
    webhooks_api: Option<String>,
}

/// The endpoint over `app` with default settings, no REST client, and the test key.
pub fn http_app(app: Arc<App>) -> HttpApp {
    HttpApp {
        app,
        settings: Options::default(),
        rest: None,
        webhooks_api: None,
    }
}

impl HttpApp {
    /// Moderator roles and fair-use limits.
    pub fn settings(mut self, settings: Options) -> HttpApp {
        self.settings = settings;
        self
    }

    /// A REST client for files (attachments, exports).
    pub fn rest(mut self, rest: Option<Arc<serenity::all::Http>>) -> HttpApp {
        self.rest = rest;
        self
    }

    /// Interaction webhooks (follow-ups) sent to `api`, the stand-in's base URL, without a
    /// bot token.
    pub fn webhooks(mut self, api: &str) -> HttpApp {
        self.webhooks_api = Some(api.to_string());
        self
    }

    /// Starts the real router on 127.0.0.1:0.
    pub async fn spawn(self) -> TestServer {
        let key: [u8; 32] = *signing_key().verifying_key().as_bytes();
        let verifier = archie::discord::http::verifier(key).expect("the test key is valid");
        let endpoint = match self.webhooks_api {
            None => Endpoint::with(self.app, verifier, self.settings, self.rest),
            Some(api) => {
                let webhooks = serenity::all::HttpBuilder::new("")
                    .proxy(api)
                    .ratelimiter_disabled(true)
                    .build();
                Endpoint::with_webhooks(
                    self.app,
                    verifier,
                    self.settings,
                    self.rest,
                    Arc::new(webhooks),
                )
            }
        };
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
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub endpoint: Arc<Endpoint>,
    pub client: reqwest::Client,
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
