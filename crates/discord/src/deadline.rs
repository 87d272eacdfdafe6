//! Discord's deadline: an interaction must get its first response within 3 seconds, or
//! the member sees "The application did not respond". Archie answers inline when the
//! work is done within [`DEADLINE`]. Otherwise it sends a deferral ("thinking…", or for a
//! button a silent acknowledgement), lets the work finish, and then edits the original
//! response with the true outcome (`PATCH /webhooks/{application}/{token}/messages/@original`,
//! which the interaction token alone allows). A write is never shown as done, or as
//! failed, before it is.

use super::followup;
use super::Outgoing;
use crate::render::discord::wire::{self, Message, Response, ResponseData};
use serenity::all::{ApplicationId, Http};
use std::time::Duration;

/// How long the work may take before the interaction is deferred: well inside Discord's
/// 3 s, leaving room for the network.
pub const DEADLINE: Duration = Duration::from_millis(2000);

/// How long after the deferral the original response may still be edited (Discord keeps
/// an interaction token for 15 minutes).
const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60);

/// What a late interaction shows at once: a button click acknowledges silently and its
/// message is edited later; anything else shows "thinking…", to the member alone when
/// the answer will be theirs alone.
pub fn deferral(update: bool, private: bool) -> Response {
    if update {
        return Response {
            kind: wire::DEFERRED_UPDATE,
            data: None,
        };
    }
    Response {
        kind: wire::DEFERRED,
        data: Some(ResponseData::Message(Message {
            flags: private.then_some(wire::EPHEMERAL),
            ..Default::default()
        })),
    }
}

/// The body that turns a deferred response into `response`: its message without the
/// flags, which an edit cannot change. `None` when the response is itself a deferral (a
/// file follows). A form cannot follow a deferral: the member is told to try again.
pub fn edit_body(response: &Response) -> Option<serde_json::Value> {
    match (&response.data, response.kind) {
        (_, wire::DEFERRED) | (_, wire::DEFERRED_UPDATE) => None,
        (Some(ResponseData::Message(m)), _) => {
            let mut v = serde_json::to_value(m).ok()?;
            if let Some(o) = v.as_object_mut() {
                o.remove("flags");
                o.remove("tts");
            }
            Some(v)
        }
        _ => {
            let notice = crate::render::discord::notice_text(SLOW_FORM);
            match notice.data {
                Some(ResponseData::Message(m)) => edit_body(&Response {
                    kind: wire::MESSAGE,
                    data: Some(ResponseData::Message(m)),
                }),
                _ => None,
            }
        }
    }
}

/// What a member sees when a form could not be opened in time.
pub const SLOW_FORM: &str = "Archie's knowledge store answered too slowly to open the form; \
                             nothing was changed. Try again in a minute.";

/// Finishes a deferred interaction: edits the original response with `answer`, retrying
/// while Discord may not have taken the deferral yet, then sends its files.
pub async fn complete(http: &Http, application: ApplicationId, token: &str, answer: Outgoing) {
    if http.application_id().is_none() {
        http.set_application_id(application);
    }
    if let Some(body) = edit_body(&answer.response) {
        let mut delay = Duration::from_millis(100);
        let started = std::time::Instant::now();
        loop {
            match http
                .edit_original_interaction_response(token, &body, Vec::new())
                .await
            {
                Ok(_) => {
                    tracing::debug!("a deferred interaction was completed");
                    break;
                }
                Err(e) if started.elapsed() + delay < TOKEN_LIFETIME && delay.as_secs() < 8 => {
                    tracing::warn!(error = %e, "completing a deferred interaction failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(e) => {
                    tracing::error!(error = %e, "a deferred interaction could not be completed");
                    return;
                }
            }
        }
    }
    for file in [answer.file, answer.image].into_iter().flatten() {
        followup::send_with_retry(http, application, token, file, Duration::ZERO).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_button_acknowledges_silently_and_a_private_command_privately() {
        assert_eq!(deferral(true, false).kind, wire::DEFERRED_UPDATE);
        let d = serde_json::to_value(deferral(false, true)).unwrap();
        assert_eq!(d["type"], 5);
        assert_eq!(d["data"]["flags"], 64);
        let d = serde_json::to_value(deferral(false, false)).unwrap();
        assert!(d["data"].get("flags").is_none(), "{d}");
    }

    #[test]
    fn an_edit_carries_the_message_without_flags_and_a_form_becomes_a_notice() {
        let notice = crate::render::discord::notice_text("Added.");
        let body = edit_body(&notice).unwrap();
        assert!(body.get("flags").is_none(), "{body}");
        assert!(body.to_string().contains("Added."), "{body}");
        assert_eq!(edit_body(&crate::render::discord::deferred()), None);
        let form = Response {
            kind: wire::MODAL,
            data: Some(ResponseData::Modal(wire::Modal {
                custom_id: "x".into(),
                title: "t".into(),
                components: Vec::new(),
            })),
        };
        assert!(edit_body(&form)
            .unwrap()
            .to_string()
            .contains("too slowly to open the form"));
    }
}
