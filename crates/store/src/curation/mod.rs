//! The curation loop's records, kept per server beside the entries and as durable:
//!
//! - **asks** (`asks.rs`): every question asked in a server, whether it was answered, the
//!   kind of the best answer and the ids shown (what stats count and votes point at);
//! - **votes** (`feedback.rs`): one 👍 or 👎 per member and answer, the member kept only as
//!   a key (an HMAC of their id with the store's own secret), so a second click changes the
//!   vote without the store knowing who voted;
//! - **gaps** (`gaps.rs`): unanswered questions and answers voted 👎, similar questions
//!   folded into one gap with a count, until a moderator answers or dismisses it;
//! - **proposals** (`proposals.rs`): entries or edits members propose, not searchable until
//!   a moderator approves them (the approval is a normal write whose revision names both
//!   people);
//! - **settings** (`proposals.rs`): whether a server takes proposals;
//! - a server's figures (`stats.rs`) and everything of the loop it holds (`export.rs`).
//!
//! Every statement is written once for both backends
//! ([`Backend::exec`](crate::backend::Backend::exec),
//! [`Backend::query`](crate::backend::Backend::query)); every change commits before the
//! caller acknowledges it.

mod asks;
mod export;
mod feedback;
mod gaps;
mod proposals;
mod stats;

pub use asks::{new_ask_id, AskRecord};
pub use export::{CurationExport, ExportedVote};
pub use feedback::Vote;
pub use gaps::{Gap, GapState, Signature, MAX_OPEN_GAPS};
pub use proposals::{Proposal, ProposalState, MAX_PENDING_PER_MEMBER, MAX_PENDING_PER_SERVER};
pub use stats::{KindVotes, Stats};

use crate::StoreError;
use serde::{Deserialize, Serialize};

/// Longest "what was missing" note, and longest rejection reason.
pub const MAX_NOTE_CHARS: usize = 500;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| corrupt("json", e))
}

fn from_json<T: for<'de> Deserialize<'de>>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

fn refused(msg: impl Into<String>) -> StoreError {
    StoreError::Refused(msg.into())
}

/// A note as kept: trimmed, at most [`MAX_NOTE_CHARS`], `None` when empty.
pub fn clean_note(note: &str) -> Option<String> {
    let n = archie_text::truncate_words(note.trim(), MAX_NOTE_CHARS);
    (!n.is_empty()).then_some(n)
}
