//! The stand-in's channel routes: messages posted (validated), fetched and refused for a
//! forbidden channel, and channels looked up.

use super::*;

/// Discord's JSON error: `status` with its `code` and `message`.
pub(super) fn discord_error(
    status: StatusCode,
    code: u64,
    message: &str,
) -> axum::response::Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

pub(super) fn missing_permissions() -> axum::response::Response {
    discord_error(StatusCode::FORBIDDEN, 50013, "Missing Permissions")
}

/// `POST /channels/{channel}/messages`: the message as Discord would return it, with the
/// next id; kept for a later GET.
pub(super) async fn create_message(
    State(s): State<Rest>,
    Path(channel): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    if let Err(why) = report(&s, Body::Message, &method, &uri, &headers, &body) {
        return rejected(why);
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let sent = if content_type.starts_with("multipart/form-data") {
        super::super::schema::payload_json(content_type, &body)
    } else {
        serde_json::from_slice(&body).ok()
    }
    .unwrap_or(Value::Null);
    let mut store = s.store.lock();
    if store.forbidden.contains(&channel) {
        return missing_permissions();
    }
    let id = (FIRST_MESSAGE_ID + store.next_id).to_string();
    store.next_id += 1;
    let content = sent["content"].as_str().unwrap_or_default();
    let components = match &sent["components"] {
        Value::Array(c) => Value::Array(c.clone()),
        _ => json!([]),
    };
    let message = json!({
        "id": id, "channel_id": channel,
        "author": {"id": APP_ID, "username": "archie", "discriminator": "0", "bot": true},
        "content": content, "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": [], "components": components,
        "pinned": false, "type": 0
    });
    store.messages.insert((channel, id), message.clone());
    Json(message).into_response()
}

/// `GET /channels/{channel}/messages/{message}`: a message put or posted earlier.
pub(super) async fn channel_message(
    State(s): State<Rest>,
    Path((channel, message)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let _ = report(&s, Body::Unchecked, &method, &uri, &headers, &body);
    let store = s.store.lock();
    if store.forbidden.contains(&channel) {
        return missing_permissions();
    }
    match store.messages.get(&(channel, message)) {
        Some(m) => Json(m.clone()).into_response(),
        None => discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message"),
    }
}

/// `GET /channels/{channel}`: a channel put earlier.
pub(super) async fn channel(
    State(s): State<Rest>,
    Path(channel): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let _ = report(&s, Body::Unchecked, &method, &uri, &headers, &body);
    match s.store.lock().channels.get(&channel) {
        Some(c) => Json(c.clone()).into_response(),
        None => discord_error(StatusCode::NOT_FOUND, 10003, "Unknown Channel"),
    }
}
