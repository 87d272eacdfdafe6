//! Discord's own OpenAPI description (`tests/fixtures/discord/openapi.json`, vendored with
//! its MIT licence) as the judge of every body the tests see Archie send Discord: command
//! definitions, interaction responses, follow-ups, edits of the original message and
//! messages posted to a channel.
//!
//! Each validator is the whole document compiled as a JSON Schema 2020-12 root whose
//! top-level `$ref` points at the request body's schema, so the `#/components/schemas/…`
//! references resolve inside the document. They are compiled once per test binary.
//!
//! One deliberate deviation from the document: a command's `default_member_permissions` is
//! typed integer in the spec, but Discord documents and accepts the string serenity sends
//! (a permission bit set as decimal digits), so that one property also accepts a digit
//! string. Nothing else is relaxed.
//!
//! One deliberate tightening: the document lets a channel message's `content` run to 4000
//! characters (a Nitro user's limit), but Discord documents, and enforces for a bot, 2000
//! (`check_create_message` holds the body to that).

use jsonschema::Validator;
use serde_json::{json, Value};
use std::sync::{Arc, LazyLock};

const COMMANDS: &str = "#/paths/~1applications~1{application_id}~1commands/put/requestBody/content/application~1json/schema";
const CALLBACK: &str = "#/paths/~1interactions~1{interaction_id}~1{interaction_token}~1callback/post/requestBody/content/application~1json/schema";
const FOLLOWUP: &str = "#/paths/~1webhooks~1{webhook_id}~1{webhook_token}/post/requestBody/content/application~1json/schema";
const EDIT: &str = "#/paths/~1webhooks~1{webhook_id}~1{webhook_token}~1messages~1@original/patch/requestBody/content/application~1json/schema";
const CREATE_MESSAGE: &str =
    "#/paths/~1channels~1{channel_id}~1messages/post/requestBody/content/application~1json/schema";

/// A bot's limit on a channel message's `content`, in characters.
const BOT_MESSAGE_CONTENT: u64 = 2000;

/// The vendored document with the one quirk allowed, parsed once.
static DOCUMENT: LazyLock<Arc<Value>> = LazyLock::new(|| {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/discord/openapi.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    allow_string_permissions(&mut doc);
    Arc::new(doc)
});

/// `default_member_permissions` of a command: the spec's integer, or the same number as a
/// decimal string (what Discord's documentation describes and serenity sends).
fn allow_string_permissions(doc: &mut Value) {
    let mut patched = 0;
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("the document has components.schemas");
    for (name, schema) in schemas.iter_mut() {
        if !name.starts_with("ApplicationCommand") {
            continue;
        }
        let Some(p) = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut("default_member_permissions"))
        else {
            continue;
        };
        let integer = p.take();
        *p = json!({"anyOf": [
            integer,
            {"type": "string", "pattern": "^[0-9]{1,20}$"}
        ]});
        patched += 1;
    }
    assert!(
        patched > 0,
        "no default_member_permissions found to patch in the vendored document"
    );
}

/// The whole document as a 2020-12 root that validates against `pointer`.
fn compile(pointer: &str) -> Validator {
    compile_with(pointer, |_| {})
}

/// [`compile`], with `tighten` applied to this validator's copy of the document only.
fn compile_with(pointer: &str, tighten: impl FnOnce(&mut Value)) -> Validator {
    let mut root = (**DOCUMENT).clone();
    tighten(&mut root);
    let obj = root.as_object_mut().expect("the document is an object");
    obj.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    // A `$ref` is a URI: the braces of the path templates must be percent-encoded.
    let uri = pointer.replace('{', "%7B").replace('}', "%7D");
    obj.insert("$ref".into(), json!(uri));
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("the schema at {pointer} does not compile: {e}"))
}

static COMMANDS_V: LazyLock<Validator> = LazyLock::new(|| compile(COMMANDS));
static CALLBACK_V: LazyLock<Validator> = LazyLock::new(|| compile(CALLBACK));
static FOLLOWUP_V: LazyLock<Validator> = LazyLock::new(|| compile(FOLLOWUP));
static EDIT_V: LazyLock<Validator> = LazyLock::new(|| compile(EDIT));
static CREATE_MESSAGE_V: LazyLock<Validator> = LazyLock::new(|| {
    compile_with(CREATE_MESSAGE, |doc| {
        let limit = doc
            .pointer_mut("/components/schemas/MessageCreateRequest/properties/content/maxLength")
            .expect("the document limits a channel message's content");
        *limit = json!(BOT_MESSAGE_CONTENT);
    })
});

/// The component schema a response of this `type` is meant to match: the callback schema
/// is a union, and "valid under none of the schemas" alone does not say what is wrong.
fn callback_branch(kind: Option<u64>) -> Option<&'static str> {
    Some(match kind? {
        1 => "PongInteractionCallbackRequest",
        4 | 5 => "CreateMessageInteractionCallbackRequest",
        6 | 7 => "UpdateMessageInteractionCallbackRequest",
        8 => "ApplicationCommandAutocompleteCallbackRequest",
        9 => "ModalInteractionCallbackRequest",
        _ => return None,
    })
}

/// Every violation of `body` under `v`, one per line with where it is.
fn violations(v: &Validator, body: &Value) -> Vec<String> {
    v.iter_errors(body)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect()
}

/// `Err` with the violations (and, for a union, those of the branch meant) when `body`
/// does not validate.
fn check(what: &str, v: &Validator, body: &Value, branch: Option<&str>) -> Result<(), String> {
    let errors = violations(v, body);
    if errors.is_empty() {
        return Ok(());
    }
    let mut msg = format!("{what} does not validate against Discord's OpenAPI schema:\n");
    for e in errors.iter().take(20) {
        msg.push_str(&format!("  {e}\n"));
    }
    if let Some(name) = branch {
        let detail = compile(&format!("#/components/schemas/{name}"));
        for e in violations(&detail, body).iter().take(20) {
            msg.push_str(&format!("  as {name}, {e}\n"));
        }
    }
    let shown = serde_json::to_string_pretty(body).unwrap_or_default();
    let shown: String = shown.chars().take(8000).collect();
    msg.push_str(&format!("body:\n{shown}"));
    Err(msg)
}

/// Checks an interaction response (HTTP body or the gateway's callback POST).
pub fn check_interaction_response(body: &Value) -> Result<(), String> {
    let branch = callback_branch(body["type"].as_u64());
    check("interaction response", &CALLBACK_V, body, branch)
}

/// Checks the command definitions (bulk overwrite body, `archie commands --json`).
pub fn check_commands(body: &Value) -> Result<(), String> {
    check("command definitions", &COMMANDS_V, body, None)
}

/// Checks a follow-up message body (`POST /webhooks/{application}/{token}`).
pub fn check_followup(body: &Value) -> Result<(), String> {
    check(
        "follow-up message",
        &FOLLOWUP_V,
        body,
        Some("IncomingWebhookRequestPartial"),
    )
}

/// Checks an edit of the original response (`PATCH …/messages/@original`).
pub fn check_edit(body: &Value) -> Result<(), String> {
    check("edit of the original response", &EDIT_V, body, None)
}

/// Checks a message posted to a channel (`POST /channels/{channel}/messages`), with a
/// bot's 2000-character limit on its content.
pub fn check_create_message(body: &Value) -> Result<(), String> {
    check("channel message", &CREATE_MESSAGE_V, body, None)
}

pub fn assert_interaction_response(body: &Value) {
    if let Err(e) = check_interaction_response(body) {
        panic!("{e}");
    }
}

pub fn assert_commands(body: &Value) {
    if let Err(e) = check_commands(body) {
        panic!("{e}");
    }
}

/// The JSON of a multipart body's `payload_json` part (how serenity sends a message with
/// files), or `None` when there is no such part.
pub fn payload_json(content_type: &str, raw: &[u8]) -> Option<Value> {
    let boundary = boundary(content_type)?;
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(raw);
    for part in text.split(delimiter.as_str()) {
        let Some((headers, body)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        if headers.contains("name=\"payload_json\"") {
            let body = body.strip_suffix("\r\n").unwrap_or(body);
            return serde_json::from_str(body).ok();
        }
    }
    None
}

/// The first file part of a multipart body: its filename and bytes.
pub fn multipart_file(content_type: &str, raw: &[u8]) -> Option<(String, Vec<u8>)> {
    let boundary = boundary(content_type)?;
    let delimiter = format!("\r\n--{boundary}");
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    };
    let mut at = 0;
    while let Some(start) = find(raw, b"filename=\"", at) {
        let name_end = find(raw, b"\"", start + 10)?;
        let filename = String::from_utf8_lossy(&raw[start + 10..name_end]).to_string();
        let body = find(raw, b"\r\n\r\n", name_end)? + 4;
        let end = find(raw, delimiter.as_bytes(), body)?;
        if !filename.is_empty() {
            return Some((filename, raw[body..end].to_vec()));
        }
        at = end;
    }
    None
}

/// The boundary a `multipart/form-data` content type names.
fn boundary(content_type: &str) -> Option<&str> {
    content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"'))
}
