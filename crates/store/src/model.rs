//! The values the community store keeps and hands out: a [`Draft`] (the editable content of
//! an entry), a [`CommunityEntry`] (an entry's current state in one guild), a [`Revision`]
//! (one line of the audit trail) and the small enums that name origins, states and actions.

use archie_knowledge::{Detail, Entry, Kind, Knowledge};
use serde::{Deserialize, Serialize};

/// The editable content of an entry: what a moderator types, what a revision records.
/// Build one from user input with [`super::validate::validate`]; the store itself only
/// re-checks its shape (lengths, URLs), not the technology names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(with = "kind_serde")]
    pub kind: Kind,
    pub title: String,
    pub text: String,
    pub company: Option<String>,
    pub technologies: Vec<String>,
    pub sources: Vec<String>,
}

impl Draft {
    /// The content of a base entry, as the `before` of an override or a hide.
    pub fn from_entry(e: &Entry) -> Draft {
        Draft {
            kind: e.kind,
            title: e.title.clone(),
            text: e.text.clone(),
            company: e.company.clone(),
            technologies: e.technologies.clone(),
            sources: e.sources.clone(),
        }
    }
}

/// Who made a change: the Discord user id and the name shown in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: u64,
    pub name: String,
}

impl Actor {
    pub fn new(id: u64, name: impl Into<String>) -> Actor {
        Actor {
            id,
            name: name.into(),
        }
    }
}

/// Where an id comes from: created in the guild (`kb-…`), or a base entry of `knowledge/`
/// that the guild overrides or hides under the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Community,
    Base,
}

/// The state of an id in one guild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Shown: a community entry, or an override that replaces the base entry.
    Live,
    /// A community entry a moderator removed (its history stays; revert brings it back).
    Removed,
    /// A base entry hidden in this guild.
    Hidden,
    /// A base id whose local change was undone: the base entry shows as in `knowledge/`.
    Base,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Live => "live",
            State::Removed => "removed",
            State::Hidden => "hidden",
            State::Base => "base",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        [State::Live, State::Removed, State::Hidden, State::Base]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Community => "community",
            Origin::Base => "base",
        }
    }

    pub fn parse(s: &str) -> Option<Origin> {
        match s {
            "community" => Some(Origin::Community),
            "base" => Some(Origin::Base),
            _ => None,
        }
    }
}

/// What a revision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionAction {
    Add,
    Edit,
    Remove,
    Revert,
    /// The first local change of a base entry.
    Override,
    /// A base entry hidden in the guild.
    Hide,
    /// A base id's local override or hide undone.
    Restore,
}

impl RevisionAction {
    pub const ALL: [RevisionAction; 7] = [
        RevisionAction::Add,
        RevisionAction::Edit,
        RevisionAction::Remove,
        RevisionAction::Revert,
        RevisionAction::Override,
        RevisionAction::Hide,
        RevisionAction::Restore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RevisionAction::Add => "add",
            RevisionAction::Edit => "edit",
            RevisionAction::Remove => "remove",
            RevisionAction::Revert => "revert",
            RevisionAction::Override => "override",
            RevisionAction::Hide => "hide",
            RevisionAction::Restore => "restore",
        }
    }

    pub fn parse(s: &str) -> Option<RevisionAction> {
        RevisionAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// An id's current state in one guild. `draft` is the shown content when `state` is
/// [`State::Live`]; otherwise it is the last content before the entry was removed or hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityEntry {
    pub guild: u64,
    pub id: String,
    pub origin: Origin,
    pub state: State,
    pub draft: Draft,
    pub created_at: i64,
    pub updated_at: i64,
    /// The id of the entry's latest revision.
    pub revision: i64,
}

impl CommunityEntry {
    /// The entry in the shape the index holds. With the `base` entry it overrides (same kind),
    /// the base's kind-specific detail (stack layers, article heading…) is kept; otherwise
    /// the detail is derived from the common fields.
    /// The entry as the index shows it. A stack's text becomes its layers; another kind
    /// keeps the details of the base entry it overrides.
    pub fn to_entry(&self, k: &Knowledge) -> Entry {
        let base = k.entry(&self.id);
        let d = &self.draft;
        let detail = match (d.kind, base) {
            (Kind::Stack, _) => stack_detail(d, base, k),
            (_, Some(b)) if b.kind == d.kind => b.detail.clone(),
            _ => match d.kind {
                Kind::Qa => Detail::Qa {
                    question: d.title.clone(),
                    answer: d.text.clone(),
                },
                Kind::Reading => Detail::Reading {
                    url: d.sources.first().cloned().unwrap_or_default(),
                    section: "Community".to_string(),
                    topic: None,
                },
                Kind::Article => Detail::Article {
                    article: d.title.clone(),
                    heading: d.title.clone(),
                },
                Kind::Stack | Kind::Tech | Kind::Note => Detail::Note {},
            },
        };
        Entry {
            id: self.id.clone(),
            kind: d.kind,
            title: d.title.clone(),
            text: d.text.clone(),
            company: d.company.clone(),
            technologies: d.technologies.clone(),
            sources: d.sources.clone(),
            aliases: base.map(|b| b.aliases.clone()).unwrap_or_default(),
            detail,
        }
    }
}

/// A stored stack's layers, read from its text (validated when it was written; a line
/// that no longer reads is skipped rather than failing the whole index). The base stack's
/// article links stay, since the text only names them.
fn stack_detail(d: &Draft, base: Option<&Entry>, k: &Knowledge) -> Detail {
    let typed =
        archie_knowledge::typed_stack::parse(&d.text, |n| k.techs.get(n).map(|t| t.name.clone()))
            .unwrap_or_default();
    let company = d.company.as_deref().unwrap_or_default();
    let (base_company, links) = match base.map(|b| &b.detail) {
        Some(Detail::Stack {
            company_id, links, ..
        }) => (Some(company_id.clone()), links.clone()),
        _ => (None, Vec::new()),
    };
    Detail::Stack {
        company_id: k
            .companies
            .get(company)
            .map(|c| c.id.clone())
            .or(base_company)
            .unwrap_or_else(|| archie_text::slug(company)),
        layers: typed.layers,
        links,
        remark: typed.remark,
    }
}

/// One change in the audit trail. `before`/`after` are the shown content around the change
/// (`None` when nothing was shown: before an add, after a remove or hide).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub id: i64,
    pub guild: u64,
    pub entry_id: String,
    pub action: RevisionAction,
    pub actor: Actor,
    /// Unix seconds.
    pub at: i64,
    pub before: Option<Draft>,
    pub after: Option<Draft>,
    /// The entry's state right after this revision; `revert` restores it.
    pub state_after: State,
    /// What the change came from: the gap it answered, the proposal and its proposer.
    pub note: Option<String>,
}

/// `Kind` as its lowercase name in JSON (the knowledge model only serializes it).
mod kind_serde {
    use archie_knowledge::Kind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(k: &Kind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(k.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        let s = String::deserialize(d)?;
        Kind::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown kind '{s}'")))
    }
}
