//! The HTTP interactions endpoint (axum): a body over [`MAX_BODY`] gets 413; every
//! request's Ed25519 signature is checked over the timestamp and the raw body before
//! anything is parsed, then its timestamp must be within 5 minutes of the server's clock
//! and its interaction id new ([`super::replay`]) — 401 otherwise. PING gets PONG,
//! malformed JSON gets 400, everything else goes to [`super::answer`] and its response is
//! the HTTP body. A file (an export) follows over REST when the endpoint has a bot token.
//! `GET /healthz` answers 200 with counters: requests handled and rejected, log lines dropped.
//! `GET /metrics` has the figures in Prometheus's text format.

use super::replay::Replays;
use super::{answer, followup, Options};
use archie_core::app::App;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serenity::all::{Http, Interaction};
use serenity::interactions_endpoint::Verifier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long a file followup waits for Discord to take the inline deferral.
const FOLLOWUP_DELAY: Duration = Duration::from_millis(300);

/// The largest request body accepted: 256 KiB. Discord's largest interactions are a
/// modal submit (5 inputs of up to 4,000 characters, at most about 80 KB of UTF-8, more
/// when escaped) and a button click carrying its message (embeds of up to 6,000
/// characters); anything bigger is refused before its signature is even checked.
pub const MAX_BODY: usize = 256 * 1024;

/// The endpoint's state: the app, the verifier and what it has seen.
pub struct Endpoint {
    pub app: Arc<App>,
    verifier: Verifier,
    /// Moderator roles.
    pub options: Options,
    /// The REST client (from `DISCORD_TOKEN`) for files after a response; without it
    /// `/kb export` says it needs the token.
    rest: Option<Arc<Http>>,
    /// The REST client for interaction webhooks (an earlier answer's message, for repeat
    /// links): the interaction token is all they need, so it works without a bot token.
    webhooks: Arc<Http>,
    /// Interaction ids delivered recently.
    replays: Replays,
    /// Requests whose signature held and whose interaction was answered.
    pub handled: AtomicU64,
    /// Requests refused for a missing or wrong signature, a timestamp outside the
    /// window, or an interaction id delivered before.
    pub rejected: AtomicU64,
}

impl Endpoint {
    pub fn new(app: Arc<App>, verifier: Verifier) -> Arc<Endpoint> {
        Endpoint::with(app, verifier, Options::default(), None)
    }

    /// An endpoint with moderator roles and, optionally, a REST client for files.
    pub fn with(
        app: Arc<App>,
        verifier: Verifier,
        options: Options,
        rest: Option<Arc<Http>>,
    ) -> Arc<Endpoint> {
        let webhooks = rest.clone().unwrap_or_else(|| Arc::new(Http::new("")));
        Endpoint::with_webhooks(app, verifier, options, rest, webhooks)
    }

    /// [`Endpoint::with`], with the client for interaction webhooks (without a bot token:
    /// one pointed at `ARCHIE_DISCORD_API_URL`, or at a test's stand-in).
    pub fn with_webhooks(
        app: Arc<App>,
        verifier: Verifier,
        options: Options,
        rest: Option<Arc<Http>>,
        webhooks: Arc<Http>,
    ) -> Arc<Endpoint> {
        Arc::new(Endpoint {
            app,
            verifier,
            options,
            rest,
            webhooks,
            replays: Replays::default(),
            handled: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        })
    }
}

/// The router: `POST /` and `POST /interactions` (use either as the Interactions
/// Endpoint URL), `GET /healthz`.
pub fn router(app: Arc<App>, verifier: Verifier) -> Router {
    router_for(Endpoint::new(app, verifier))
}

/// The router over an existing [`Endpoint`] (tests read its counters).
pub fn router_for(endpoint: Arc<Endpoint>) -> Router {
    Router::new()
        .route("/", post(interactions))
        .route("/interactions", post(interactions))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(endpoint)
}

/// A verifier from the public key's 32 bytes (never panics, unlike `Verifier::new`).
pub fn verifier(public_key: [u8; 32]) -> Option<Verifier> {
    Verifier::try_new(public_key).ok()
}

/// `GET /healthz`: 200 while this process can answer and write, 503 while its community
/// store is down (a load balancer then sends members elsewhere), with the counters; the
/// index is "damaged" while a damaged index is answered around and rebuilt.
async fn healthz(State(ep): State<Arc<Endpoint>>) -> impl IntoResponse {
    let app = &ep.app;
    let store = match &app.store {
        None => "none",
        Some(_) if app.store_health.is_up() => "up",
        Some(_) => "down",
    };
    // A damaged index is answered around (and rebuilt by the follower): degraded, not down.
    let community = app.engine.community_status();
    let index = if app.engine.index_damage().is_some() || community.damaged.is_some() {
        "damaged"
    } else {
        "ok"
    };
    let ok = store != "down";
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = axum::Json(serde_json::json!({
        "ok": ok,
        "store": store,
        "index": index,
        "handled": ep.handled.load(Ordering::Relaxed),
        "rejected": ep.rejected.load(Ordering::Relaxed),
        "log_lines_dropped": archie_core::logging::dropped_lines(),
        "questions_queued": app.questions.queued.load(Ordering::Relaxed),
        "questions_dropped": app.questions.dropped.load(Ordering::Relaxed),
    }));
    (status, body)
}

/// `GET /metrics`: the figures in Prometheus's text format ([`archie_core::metrics`]).
async fn metrics_text(State(ep): State<Arc<Endpoint>>) -> Response {
    metrics_response(ep.app.clone()).await
}

/// The figures of `app` as an HTTP response (the HTTP endpoint's `/metrics`, and
/// `ARCHIE_METRICS_ADDR`'s in gateway mode). Read off the async threads: the community
/// index lag asks the store.
pub async fn metrics_response(app: Arc<App>) -> Response {
    match tokio::task::spawn_blocking(move || archie_core::metrics::render(&app)).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering the metrics failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A listener serving only `GET /metrics` (gateway mode's `ARCHIE_METRICS_ADDR`).
pub fn metrics_router(app: Arc<App>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let app = app.clone();
            async move { metrics_response(app).await }
        }),
    )
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn refuse(ep: &Endpoint, reason: &'static str) -> Response {
    ep.rejected.fetch_add(1, Ordering::Relaxed);
    let label = if reason.contains("signature") {
        "signature"
    } else if reason.contains("timestamp") {
        "timestamp"
    } else {
        "replay"
    };
    metrics::counter!("archie_refused_requests_total", "reason" => label).increment(1);
    tracing::debug!(reason, "refused a request");
    (StatusCode::UNAUTHORIZED, reason).into_response()
}

#[tracing::instrument(skip_all, fields(kind))]
async fn interactions(
    State(ep): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            tracing::debug!("refused an oversized request body");
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "request body too large: at most {MAX_BODY} bytes ({} KiB)",
                    MAX_BODY / 1024
                ),
            )
                .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (sig, ts) = match (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) {
        (Some(sig), Some(ts)) => (sig, ts),
        _ => return refuse(&ep, "invalid request signature"),
    };
    if ep.verifier.verify(sig, ts, &body).is_err() {
        return refuse(&ep, "invalid request signature");
    }
    // A signature holds for ever: only a fresh timestamp and a new id make it a delivery.
    let now = now_secs();
    let ts = match Replays::check_time(ts, now) {
        Ok(ts) => ts,
        Err(r) => return refuse(&ep, r.reason()),
    };
    let interaction = match parse_interaction(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "signed body is not an interaction");
            return (StatusCode::BAD_REQUEST, "malformed interaction").into_response();
        }
    };
    let id = interaction.id();
    if let Err(r) = ep.replays.first_delivery(id.get(), ts, now) {
        tracing::warn!(interaction = %id, "refused a replayed interaction");
        return refuse(&ep, r.reason());
    }
    tracing::Span::current().record("kind", tracing::field::debug(interaction.kind()));
    let application = interaction.application_id();
    let token = interaction.token().to_string();
    let answer = answer(
        ep.app.clone(),
        &ep.options,
        interaction,
        ep.rest.is_some(),
        Some(ep.webhooks.clone()),
    )
    .await;
    let response = answer.response;
    // An export needs the bot's client; a diagram goes through the interaction's webhook.
    let sends = [
        (answer.file, ep.rest.clone()),
        (answer.image, Some(ep.webhooks.clone())),
    ];
    for (file, client) in sends {
        if let (Some(file), Some(client)) = (file, client) {
            let token = token.clone();
            tokio::spawn(async move {
                followup::send_with_retry(&client, application, &token, file, FOLLOWUP_DELAY).await;
            });
        }
    }
    ep.handled.fetch_add(1, Ordering::Relaxed);
    match serde_json::to_vec(&response) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "serializing a response failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The interaction a signed body holds. serenity's model panics on some damaged fields
/// (an image hash that is not ASCII is sliced by bytes), so a panic while reading the
/// body is a malformed body, never a dropped connection.
fn parse_interaction(body: &[u8]) -> Result<Interaction, String> {
    let read = std::panic::AssertUnwindSafe(|| serde_json::from_slice::<Interaction>(body));
    match std::panic::catch_unwind(read) {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(panic) => Err(super::panic_text(panic.as_ref())),
    }
}
