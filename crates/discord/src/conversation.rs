//! Conversations on Discord: the Follow up button under an answer, the form it opens, and
//! where the conversation's context lives between them. It travels in the button's id
//! when it fits ([`custom_id::follow_up`]: the minute it was made and a tag of its server
//! ride along, so it expires after a day and is not read in another server); otherwise
//! it is written to the store, per server, under a fresh key the id carries, before the
//! answer showing the button is sent.

use crate::custom_id::{self, ConversationId};
use crate::interaction::{Incoming, Run};
use archie_core::app::App;
use archie_core::commands::Command;
use archie_search::conversation::Context;
use archie_store::conversations::CONTEXT_SECONDS;

/// What a member is told when a conversation can no longer be followed.
pub const EXPIRED: &str =
    "That conversation has expired (they are kept for a day); ask again with /ask.";
/// … and when the button comes from another server's conversation.
pub const ELSEWHERE: &str =
    "That conversation belongs to another server; ask your question here with /ask.";

/// Minutes since the Unix epoch on the store's clock (the system clock without a store).
fn minute(app: &App) -> i64 {
    now(app).div_euclid(60)
}

fn now(app: &App) -> i64 {
    match &app.store {
        Some(s) => s.now(),
        None => archie_store::system_clock()(),
    }
}

/// The ids of the Follow up button and its form for an answer whose conversation is now
/// `context`, in `guild`: inline when they fit, else kept in the store first. `None`
/// when the context can be kept nowhere (no store, or the store failed: logged), and the
/// answer then shows no button rather than one that cannot work.
pub fn button_id(app: &App, guild: Option<u64>, context: &Context) -> Option<String> {
    let m = minute(app);
    if let (Some(_), Some(button)) = (
        custom_id::follow_up(true, context, m, guild),
        custom_id::follow_up(false, context, m, guild),
    ) {
        return Some(button);
    }
    let store = app.store.as_ref()?;
    let key = archie_store::curation::new_ask_id();
    match store.put_context(guild.unwrap_or(0), key, &context.encode()) {
        Ok(()) => Some(custom_id::follow_up_stored(false, key)),
        Err(e) => {
            tracing::warn!(error = %e, "a conversation's context could not be kept");
            None
        }
    }
}

/// The context of a conversation as `guild` may follow it, or what to tell the member.
pub fn resolve(
    app: &App,
    guild: Option<u64>,
    conversation: &ConversationId,
) -> Result<Context, &'static str> {
    match conversation {
        ConversationId::Inline {
            context,
            minute: made,
            tag,
        } => {
            if *tag != custom_id::server_tag(guild) {
                return Err(ELSEWHERE);
            }
            let age = minute(app) - made;
            if !(0..=CONTEXT_SECONDS / 60).contains(&age) {
                return Err(EXPIRED);
            }
            Ok(context.clone())
        }
        ConversationId::Stored(key) => {
            let store = app.store.as_ref().ok_or(EXPIRED)?;
            match store.context(guild.unwrap_or(0), *key) {
                Ok(Some(text)) => Context::decode(&text).ok_or(EXPIRED),
                // Another server's key is not found there: to the member, it has gone.
                Ok(None) => Err(EXPIRED),
                Err(e) => {
                    tracing::warn!(error = %e, "a conversation's context could not be read");
                    Err("Archie could not read that conversation just now; try again in a moment.")
                }
            }
        }
    }
}

/// A Follow up click or form as the command it runs, once its context is read.
pub fn incoming(
    app: &App,
    guild: Option<u64>,
    conversation: &ConversationId,
    question: Option<String>,
    private: bool,
) -> Incoming {
    let context = match resolve(app, guild, conversation) {
        Ok(c) => c,
        Err(why) => return Incoming::Refuse(why.to_string()),
    };
    let command = match question {
        None => Command::FollowUpForm { context },
        Some(question) => Command::FollowUp { question, context },
    };
    Incoming::Run(Run {
        private,
        ..Run::of(command)
    })
}
