//! `Reply`: what a command answers, independent of any transport. The Discord renderer
//! and the terminal renderer are the only places that turn it into bytes.

pub mod data;

use crate::commands::Command;
use archie_knowledge::Kind;
/// A titled link (a source, a further reading): the knowledge's own type, so a stack's
/// links pass into a reply as they are.
pub use archie_knowledge::Link;
use archie_search::excerpt::{Excerpt, Segment};
pub use data::Data;
use serde::Serialize;

/// Rich text: plain runs and matched (bold) runs. Never pre-escaped.
pub type Rich = Excerpt;

pub fn plain(s: impl Into<String>) -> Rich {
    Excerpt {
        segments: vec![Segment {
            text: s.into(),
            hit: false,
        }],
    }
}

/// One section of a reply: a result, a layer of a stack, a list.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub heading: String,
    /// A short tag shown beside the heading ("qa · Twitter").
    pub tag: Option<String>,
    /// When it happened (a revision): each transport shows time its own way.
    pub at: Option<UnixTime>,
    /// What kind of entry it shows (a search result): transports may mark kinds apart.
    pub kind: Option<Kind>,
    /// The larger work it comes from (an article, for one of its passages).
    pub context: Option<String>,
    pub body: Rich,
    pub sources: Vec<Link>,
}

impl Block {
    /// A block with a heading and a body, nothing else.
    pub fn new(heading: impl Into<String>, body: Rich) -> Block {
        Block {
            heading: heading.into(),
            tag: None,
            at: None,
            kind: None,
            context: None,
            body,
            sources: Vec::new(),
        }
    }

    pub fn tag(mut self, tag: impl Into<String>) -> Block {
        self.tag = Some(tag.into());
        self
    }

    pub fn sources(mut self, sources: Vec<Link>) -> Block {
        self.sources = sources;
        self
    }
}

/// A moment, in seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UnixTime(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// An answer with content.
    Answer,
    /// Nothing relevant is known; `suggestions` says what to try.
    NotFound,
    /// The request itself was wrong (empty, unknown name, bad option).
    Invalid,
    /// A moderator action was refused.
    Refused,
    /// Something failed on our side.
    Failed,
}

/// How the blocks are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Sections of equal weight (a stack's layers, a history), split into screens when long.
    #[default]
    Sections,
    /// Search results: the first is the answer, the rest are related.
    Results,
}

/// What submitting a form does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submit {
    /// Adds a new entry of this kind.
    Add(Kind),
    /// Saves the entry with this id (a server-local override for a base entry).
    Edit(String),
    /// Adds a new entry answering this gap (and closes it).
    AnswerGap(i64),
    /// Proposes a new entry of this kind for review.
    ProposeAdd(Kind),
    /// Proposes an edit of the entry with this id for review.
    ProposeEdit(String),
    /// What was missing from the answer of this ask (after a 👎).
    Missing(i64),
    /// Rejects this proposal, with an optional reason.
    Reject(i64),
    /// Asks a follow-up question in this conversation.
    FollowUp(archie_search::conversation::Context),
}

/// The fields an entry form can have; each transport names them its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKey {
    Title,
    Text,
    Company,
    Technologies,
    Sources,
    /// The one field of a short form: what was missing, why a proposal was rejected.
    Note,
    /// A follow-up question.
    Question,
}

impl FieldKey {
    pub const ALL: [FieldKey; 5] = [
        FieldKey::Title,
        FieldKey::Text,
        FieldKey::Company,
        FieldKey::Technologies,
        FieldKey::Sources,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKey::Title => "title",
            FieldKey::Text => "text",
            FieldKey::Company => "company",
            FieldKey::Technologies => "technologies",
            FieldKey::Sources => "sources",
            FieldKey::Note => "note",
            FieldKey::Question => "question",
        }
    }
}

/// A form to fill in (a Discord modal): at most 5 fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub submit: Submit,
    /// Shown on top (≤ 45 chars).
    pub title: String,
    pub fields: Vec<FormField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    pub key: FieldKey,
    /// ≤ 45 chars.
    pub label: String,
    pub value: String,
    /// Several lines (paragraph) rather than one.
    pub long: bool,
    pub required: bool,
    pub max_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Danger,
}

/// A button that runs a command when clicked (a confirmation, a choice). Rights and scope
/// are checked again when it runs, like any command.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub label: String,
    pub style: ButtonStyle,
    pub run: Command,
}

impl Action {
    pub fn new(label: impl Into<String>, style: ButtonStyle, run: Command) -> Action {
        Action {
            label: label.into(),
            style,
            run,
        }
    }
}

/// A file sent with the reply (an export).
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Which page of a longer answer this is; the command answered, at another page, shows
/// another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: usize,
    pub pages: usize,
    /// Page 0 holds the newest items (a history), not the best ones.
    pub newest_first: bool,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: Status,
    pub title: String,
    /// One or two sentences above the blocks.
    pub summary: Option<String>,
    pub blocks: Vec<Block>,
    pub layout: Layout,
    /// "Did you mean" names or commands to try.
    pub suggestions: Vec<String>,
    pub paging: Option<Paging>,
    /// A form to show instead of a message (Discord: a modal).
    pub form: Option<Form>,
    /// Buttons (confirmations).
    pub actions: Vec<Action>,
    pub attachment: Option<Attachment>,
    /// Only the asker sees it (errors, refusals, private answers).
    pub ephemeral: bool,
    /// Machine-readable form for `--json`; `None` for errors and refusals.
    pub data: Option<Data>,
    /// A picture of the answer, which a transport draws from [`Reply::data`] (a stack or
    /// a comparison) and sends with it.
    pub picture: Option<Picture>,
    /// An answer members can rate: the id of its ask, which the 👍 and 👎 buttons carry
    /// (shown on public answers only).
    pub feedback: Option<i64>,
    /// An answer a member can follow up on: what the conversation is about after it,
    /// which the Follow up button carries.
    pub follow_up: Option<archie_search::conversation::Context>,
}

impl Reply {
    pub fn new(status: Status, title: impl Into<String>) -> Reply {
        Reply {
            status,
            title: title.into(),
            summary: None,
            blocks: Vec::new(),
            suggestions: Vec::new(),
            layout: Layout::Sections,
            paging: None,
            form: None,
            actions: Vec::new(),
            attachment: None,
            ephemeral: !matches!(status, Status::Answer),
            data: None,
            feedback: None,
            follow_up: None,
            picture: None,
        }
    }

    /// A refusal (missing rights, wrong place), shown only to the asker.
    pub fn refused(msg: impl Into<String>) -> Reply {
        let mut r = Reply::new(Status::Refused, "Not allowed");
        r.summary = Some(msg.into());
        r
    }

    /// A short user-facing error (wrong input), shown only to the asker.
    pub fn invalid(msg: impl Into<String>) -> Reply {
        let mut r = Reply::new(Status::Invalid, "Can't do that");
        r.summary = Some(msg.into());
        r
    }

    pub fn summary(mut self, s: impl Into<String>) -> Reply {
        self.summary = Some(s.into());
        self
    }

    pub fn block(mut self, b: Block) -> Reply {
        self.blocks.push(b);
        self
    }

    pub fn data(mut self, v: Data) -> Reply {
        self.data = Some(v);
        self
    }
}

pub fn links(urls: &[String]) -> Vec<Link> {
    urls.iter()
        .map(|u| Link {
            title: short_url(u),
            url: u.clone(),
        })
        .collect()
}

/// A compact label for a URL: its host and a hint of the path.
pub fn short_url(u: &str) -> String {
    let rest = u.split_once("://").map(|x| x.1).unwrap_or(u);
    let host = rest
        .split('/')
        .next()
        .unwrap_or(rest)
        .trim_start_matches("www.");
    host.to_string()
}

/// A moment as a reader anywhere can read it, the date and time in UTC
/// ("2026-11-23 20:23 UTC"); `None` beyond the calendar's range.
pub fn utc(secs: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// A diagram of an answer's data, for a transport that can show pictures.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// The picture's file name ("stack-twitter.png").
    pub filename: String,
}
