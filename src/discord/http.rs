//! The HTTP interactions endpoint (axum): every request's Ed25519 signature is checked
//! over the timestamp and the raw body before anything is parsed (401 otherwise), PING
//! gets PONG, malformed JSON gets 400, everything else goes to [`super::answer`] and its
//! response is the HTTP body. A file (an export) follows over REST when the endpoint has a
//! bot token. `GET /healthz` answers 200 with counters.

use super::{answer, followup, Settings};
use crate::app::App;
use axum::body::Bytes;
use axum::extract::State;
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

/// The endpoint's state: the app, the verifier and what it has seen.
pub struct Endpoint {
    pub app: Arc<App>,
    verifier: Verifier,
    /// Moderator roles.
    pub settings: Settings,
    /// The REST client (from `DISCORD_TOKEN`) for files after a response; without it
    /// `/kb export` says it needs the token.
    rest: Option<Arc<Http>>,
    /// Requests whose signature held and whose interaction was answered.
    pub handled: AtomicU64,
    /// Requests refused for a missing or wrong signature.
    pub rejected: AtomicU64,
}

impl Endpoint {
    pub fn new(app: Arc<App>, verifier: Verifier) -> Arc<Endpoint> {
        Endpoint::with(app, verifier, Settings::default(), None)
    }

    /// An endpoint with moderator roles and, optionally, a REST client for files.
    pub fn with(
        app: Arc<App>,
        verifier: Verifier,
        settings: Settings,
        rest: Option<Arc<Http>>,
    ) -> Arc<Endpoint> {
        Arc::new(Endpoint {
            app,
            verifier,
            settings,
            rest,
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
        .with_state(endpoint)
}

/// A verifier from the public key's 32 bytes (never panics, unlike `Verifier::new`).
pub fn verifier(public_key: [u8; 32]) -> Option<Verifier> {
    Verifier::try_new(public_key).ok()
}

async fn healthz(State(ep): State<Arc<Endpoint>>) -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "ok": true,
        "handled": ep.handled.load(Ordering::Relaxed),
        "rejected": ep.rejected.load(Ordering::Relaxed),
    }))
}

#[tracing::instrument(skip_all, fields(kind))]
async fn interactions(
    State(ep): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verified = match (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) {
        (Some(sig), Some(ts)) => ep.verifier.verify(sig, ts, &body).is_ok(),
        _ => false,
    };
    if !verified {
        ep.rejected.fetch_add(1, Ordering::Relaxed);
        tracing::debug!("rejected a request with a missing or invalid signature");
        return (StatusCode::UNAUTHORIZED, "invalid request signature").into_response();
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "signed body is not an interaction");
            return (StatusCode::BAD_REQUEST, "malformed interaction").into_response();
        }
    };
    tracing::Span::current().record("kind", tracing::field::debug(interaction.kind()));
    let application = interaction.application_id();
    let token = interaction.token().to_string();
    let answer = answer(ep.app.clone(), &ep.settings, interaction, ep.rest.is_some()).await;
    let response = answer.response;
    if let (Some(file), Some(rest)) = (answer.file, ep.rest.clone()) {
        tokio::spawn(async move {
            followup::send_with_retry(&rest, application, &token, file, FOLLOWUP_DELAY).await;
        });
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
