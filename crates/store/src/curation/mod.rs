//! The curation loop's records, kept per server beside the entries and as durable:
//!
//! - **asks**: every question asked in a server, whether it was answered, the kind of the
//!   best answer and the ids shown (what stats count and votes point at);
//! - **votes**: one 👍 or 👎 per member and answer, the member kept only as a key (an
//!   HMAC of their id with the store's own secret), so a second click changes the vote
//!   without the store knowing who voted;
//! - **gaps**: unanswered questions and answers voted 👎, similar questions folded into
//!   one gap with a count, until a moderator answers or dismisses it;
//! - **proposals**: entries or edits members propose, not searchable until a moderator
//!   approves them (the approval is a normal write whose revision names both people);
//! - **settings**: whether a server takes proposals.
//!
//! Every statement is written once for both backends ([`Backend::exec`], [`Backend::query`]);
//! every change commits before the caller acknowledges it.

use super::backend::{from_sql_id, gid, int, text, Backend, Cells, Param};
use super::{Actor, CommunityEntry, Draft, Store, StoreError};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};

mod asks;
mod gaps;
mod proposals;
mod report;

pub use asks::new_ask_id;

/// Pending proposals one member may hold in one server.
pub const MAX_PENDING_PER_MEMBER: i64 = 5;

/// Pending proposals one server may hold.
pub const MAX_PENDING_PER_SERVER: i64 = 500;

/// Open gaps one server keeps; questions beyond it still count in the stats.
pub const MAX_OPEN_GAPS: i64 = 1000;

/// "What was missing" notes kept on one gap (the first ones).
pub(super) const MAX_NOTES: usize = 20;

/// Longest "what was missing" note, and longest rejection reason.
pub const MAX_NOTE_CHARS: usize = 500;

/// Share of topic terms two questions with the same names must have in common to be one gap.
pub(super) const FOLD_OVERLAP: f32 = 0.5;

pub(super) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub(super) fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| corrupt("json", e))
}

pub(super) fn from_json<T: for<'de> Deserialize<'de>>(
    what: &str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

/// One question asked in a server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskRecord {
    pub id: i64,
    pub guild: u64,
    pub question: String,
    pub answered: bool,
    /// The kind of the best answer shown.
    pub kind: Option<String>,
    /// The ids of the entries shown.
    pub shown: Vec<String>,
    pub at: i64,
}

/// A member's opinion of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Up,
    Down,
}

impl Vote {
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Up => "up",
            Vote::Down => "down",
        }
    }

    fn parse(s: &str) -> Option<Vote> {
        match s {
            "up" => Some(Vote::Up),
            "down" => Some(Vote::Down),
            _ => None,
        }
    }
}

/// What a question is about, as the search understands it: the names it mentions and its
/// topic terms (analyzed). Two questions with the same names and most terms in common are
/// one gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Signature {
    pub names: Vec<String>,
    pub terms: Vec<String>,
}

impl Signature {
    pub fn new(mut names: Vec<String>, mut terms: Vec<String>) -> Signature {
        names.sort();
        names.dedup();
        terms.sort();
        terms.dedup();
        Signature { names, terms }
    }

    /// Whether a question of this signature is the same gap as one of `other`'s.
    pub fn same_gap(&self, other: &Signature) -> bool {
        if self.names != other.names {
            return false;
        }
        if self.terms.is_empty() || other.terms.is_empty() {
            return self.terms == other.terms && !self.names.is_empty();
        }
        let shared = self
            .terms
            .iter()
            .filter(|t| other.terms.binary_search(t).is_ok())
            .count();
        let union = self.terms.len() + other.terms.len() - shared;
        shared as f32 / union as f32 >= FOLD_OVERLAP
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapState {
    Open,
    Answered,
    Dismissed,
}

impl GapState {
    pub fn as_str(self) -> &'static str {
        match self {
            GapState::Open => "open",
            GapState::Answered => "answered",
            GapState::Dismissed => "dismissed",
        }
    }

    fn parse(s: &str) -> Option<GapState> {
        match s {
            "open" => Some(GapState::Open),
            "answered" => Some(GapState::Answered),
            "dismissed" => Some(GapState::Dismissed),
            _ => None,
        }
    }
}

/// A question (or several alike) Archie could not answer well in a server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub id: i64,
    pub guild: u64,
    /// The first wording asked.
    pub question: String,
    #[serde(skip)]
    pub signature: Signature,
    /// How many times it was asked unanswered or voted 👎.
    pub asked: i64,
    pub state: GapState,
    /// What members said was missing.
    pub notes: Vec<String>,
    /// The entry that answered it.
    pub entry_id: Option<String>,
    pub first_at: i64,
    pub last_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposalState {
    Pending,
    Approved,
    Rejected,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Pending => "pending",
            ProposalState::Approved => "approved",
            ProposalState::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Option<ProposalState> {
        match s {
            "pending" => Some(ProposalState::Pending),
            "approved" => Some(ProposalState::Approved),
            "rejected" => Some(ProposalState::Rejected),
            _ => None,
        }
    }
}

/// A member's proposed new entry (`entry_id` None) or edit of an entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub id: i64,
    pub guild: u64,
    pub entry_id: Option<String>,
    pub draft: Draft,
    pub proposer_id: u64,
    pub proposer_name: String,
    pub state: ProposalState,
    pub reason: Option<String>,
    pub reviewer_name: Option<String>,
    /// The entry the approval wrote.
    pub result_id: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// A server's curation figures over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub since: i64,
    pub asked: i64,
    pub answered: i64,
    /// 👍 and 👎 per kind of the best answer, by kind.
    pub votes: Vec<KindVotes>,
    pub open_gaps: i64,
    pub pending_proposals: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindVotes {
    pub kind: String,
    pub up: i64,
    pub down: i64,
}

/// Everything of the loop a server holds, for `/kb export` (votes without member keys).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurationExport {
    pub gaps: Vec<Gap>,
    pub proposals: Vec<Proposal>,
    pub votes: Vec<ExportedVote>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedVote {
    pub question: String,
    pub shown: Vec<String>,
    pub vote: Vote,
    pub note: Option<String>,
    pub at: i64,
}

pub(super) fn refused(msg: impl Into<String>) -> StoreError {
    StoreError::Refused(msg.into())
}

/// A note as kept: trimmed, at most [`MAX_NOTE_CHARS`], `None` when empty.
pub fn clean_note(note: &str) -> Option<String> {
    let n = archie_text::truncate_words(note.trim(), MAX_NOTE_CHARS);
    (!n.is_empty()).then_some(n)
}
