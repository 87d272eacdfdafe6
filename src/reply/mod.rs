//! `Reply`: what a command answers, independent of any transport. The Discord renderer
//! and the terminal renderer are the only places that turn it into bytes.

pub mod data;

use crate::search::excerpt::{Excerpt, Segment};
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

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// One section of a reply: a result, a layer of a stack, a list.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub heading: String,
    /// A short tag shown beside the heading ("qa · Twitter").
    pub tag: Option<String>,
    pub body: Rich,
    pub sources: Vec<Link>,
}

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

/// A form to fill in (a Discord modal): at most 5 fields.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Form {
    /// Identifies what submitting it does (a modal's `custom_id`, ≤ 100 chars).
    pub id: String,
    /// Shown on top (≤ 45 chars).
    pub title: String,
    pub fields: Vec<FormField>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FormField {
    pub id: String,
    /// ≤ 45 chars.
    pub label: String,
    pub value: String,
    /// Several lines (paragraph) rather than one.
    pub long: bool,
    pub required: bool,
    pub max_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Danger,
}

/// An action button (a confirmation, a choice); its `id` says what clicking does.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Button {
    pub id: String,
    pub label: String,
    pub style: ButtonStyle,
}

/// A file sent with the reply (an export).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Attachment {
    pub filename: String,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// Which page of a longer answer this is, and how to ask for another.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Paging {
    pub page: usize,
    pub pages: usize,
    /// Identifies the command and its arguments for the next page (e.g. button ids).
    pub key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    pub status: Status,
    pub title: String,
    /// One or two sentences above the blocks.
    pub summary: Option<String>,
    pub blocks: Vec<Block>,
    /// "Did you mean" names or commands to try.
    pub suggestions: Vec<String>,
    pub paging: Option<Paging>,
    /// A form to show instead of a message (Discord: a modal).
    pub form: Option<Form>,
    /// Action buttons (confirmations).
    pub buttons: Vec<Button>,
    pub attachment: Option<Attachment>,
    /// Only the asker sees it (errors, refusals, private answers).
    pub ephemeral: bool,
    /// Machine-readable form for `--json`; `None` for errors and refusals.
    #[serde(skip)]
    pub data: Option<Data>,
}

impl Reply {
    pub fn new(status: Status, title: impl Into<String>) -> Reply {
        Reply {
            status,
            title: title.into(),
            summary: None,
            blocks: Vec::new(),
            suggestions: Vec::new(),
            paging: None,
            form: None,
            buttons: Vec::new(),
            attachment: None,
            ephemeral: !matches!(status, Status::Answer),
            data: None,
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
