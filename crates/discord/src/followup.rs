//! Files after a response: Discord cannot carry a file in an inline interaction response,
//! so `/kb export` answers with a deferral and sends the file in a followup message, and
//! `/stack` and `/compare` send their diagram in one after their answer
//! (multipart, `POST /webhooks/{application}/{token}`) through the app's REST client —
//! which honours `ARCHIE_DISCORD_API_URL`.

use serenity::all::{ApplicationId, CreateAttachment, Http};
use std::time::Duration;

/// A file to send after the response, with its (rendered, escaped) text.
#[derive(Clone, PartialEq)]
pub struct File {
    pub content: String,
    pub filename: String,
    pub bytes: Vec<u8>,
    /// Only the person who asked sees it (an export); a diagram goes where its answer went.
    pub ephemeral: bool,
}

impl File {
    /// `a`, sent with the reply's title and summary as its text.
    pub fn of(
        reply: &archie_core::reply::Reply,
        a: &archie_core::reply::Attachment,
        ephemeral: bool,
    ) -> File {
        File {
            content: crate::render::discord::file_text(reply),
            filename: a.filename.clone(),
            bytes: a.bytes.clone(),
            ephemeral,
        }
    }
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("File")
            .field("filename", &self.filename)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Sends `file` as an ephemeral followup to the interaction `token`.
pub async fn send(
    http: &Http,
    application: ApplicationId,
    token: &str,
    file: File,
) -> serenity::Result<()> {
    if http.application_id().is_none() {
        http.set_application_id(application);
    }
    // Written out rather than built with `CreateInteractionResponseFollowup`, which numbers
    // the upload `"id": 0`: Discord's API description types an attachment id as a snowflake
    // string, so the file's place is sent as `"0"`.
    let mut body = serde_json::json!({
        "content": file.content,
        "allowed_mentions": {"parse": []},
        "attachments": [{"id": "0", "filename": file.filename}],
    });
    if file.ephemeral {
        body["flags"] = EPHEMERAL.into();
    }
    http.create_followup_message(
        token,
        &body,
        vec![CreateAttachment::bytes(file.bytes, file.filename)],
    )
    .await
    .map(|_| ())
}

/// Message flag: only the person who asked sees it.
const EPHEMERAL: u64 = 1 << 6;

/// [`send`], after `delay` and again (up to 3 tries, doubling the wait) if Discord has
/// not seen the deferral yet (HTTP mode answers it inline, so the two can race).
pub async fn send_with_retry(
    http: &Http,
    application: ApplicationId,
    token: &str,
    file: File,
    mut delay: Duration,
) {
    for attempt in 1..=3 {
        tokio::time::sleep(delay).await;
        match send(http, application, token, file.clone()).await {
            Ok(()) => {
                tracing::debug!(file = %file.filename, "file sent");
                return;
            }
            Err(e) => {
                tracing::warn!(attempt, error = %e, "sending a file failed");
                delay = (delay * 2).max(Duration::from_millis(250));
            }
        }
    }
}
