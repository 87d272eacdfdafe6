//! The loaded, resolved form of the knowledge: one `Entry` per fact the bot can show,
//! every technology and company under its canonical name.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Stack,
    Tech,
    Qa,
    Reading,
    Note,
    Article,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Stack,
        Kind::Tech,
        Kind::Qa,
        Kind::Reading,
        Kind::Note,
        Kind::Article,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Stack => "stack",
            Kind::Tech => "tech",
            Kind::Qa => "qa",
            Kind::Reading => "reading",
            Kind::Note => "note",
            Kind::Article => "article",
        }
    }

    /// The kind as a reader names it ("Q&A", "Technology").
    pub fn label(self) -> &'static str {
        match self {
            Kind::Stack => "Stack",
            Kind::Tech => "Technology",
            Kind::Qa => "Q&A",
            Kind::Reading => "Reading",
            Kind::Note => "Note",
            Kind::Article => "Article",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim().to_lowercase())
    }
}

/// The layers a stack is grouped by, in display order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Language,
    Web,
    Data,
    Cache,
    Queue,
    Search,
    Hosting,
    Monitoring,
    Deploy,
    Other,
}

impl Layer {
    pub const ALL: [Layer; 10] = [
        Layer::Language,
        Layer::Web,
        Layer::Data,
        Layer::Cache,
        Layer::Queue,
        Layer::Search,
        Layer::Hosting,
        Layer::Monitoring,
        Layer::Deploy,
        Layer::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Layer::Language => "language",
            Layer::Web => "web",
            Layer::Data => "data",
            Layer::Cache => "cache",
            Layer::Queue => "queue",
            Layer::Search => "search",
            Layer::Hosting => "hosting",
            Layer::Monitoring => "monitoring",
            Layer::Deploy => "deploy",
            Layer::Other => "other",
        }
    }

    /// Human label, also searchable ("what does X use for caching" meets "cache").
    pub fn label(self) -> &'static str {
        match self {
            Layer::Language => "Languages & frameworks",
            Layer::Web => "Web servers & proxies (load balancer)",
            Layer::Data => "Data stores (database, storage)",
            Layer::Cache => "Caching",
            Layer::Queue => "Queues & jobs",
            Layer::Search => "Search",
            Layer::Hosting => "Hosting & infrastructure (OS, cloud)",
            Layer::Monitoring => "Monitoring & logging",
            Layer::Deploy => "Deployment & tools",
            Layer::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.key() == s.trim())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// One technology as a stack lists it: the spelling of the source, the canonical name it
/// resolves to, and any qualifier the source adds ("quadruple extra-large").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackItem {
    pub raw: String,
    pub tech: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LayerGroup {
    pub layer: Layer,
    pub items: Vec<StackItem>,
}

/// What an entry holds beyond the common fields, by kind. In JSON its fields stand beside
/// the entry's own, untagged: each kind's required fields are its own, so at most one
/// kind with fields reads a given entry, and [`Entry`]'s reading checks it against the
/// entry's `kind` (a note has no fields of its own, so any entry would read as one).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Detail {
    Stack {
        company_id: String,
        layers: Vec<LayerGroup>,
        links: Vec<Link>,
        #[serde(skip_serializing_if = "Option::is_none")]
        remark: Option<String>,
    },
    Tech {
        layer: Layer,
        #[serde(skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// Companies whose stack lists it, by display name.
        used_by: Vec<String>,
    },
    Qa {
        question: String,
        answer: String,
    },
    Reading {
        url: String,
        section: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
    Article {
        article: String,
        heading: String,
    },
    /// Last: with no fields of its own it reads any entry untagged.
    Note {},
}

/// The common shape of every fact: what `archie export --json` prints, what the indexes
/// hold, and what commands answer with. Reads back from its own JSON, checked: a detail
/// of another kind than `kind` is refused.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(remote = "Self")]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub text: String,
    /// Display name of the company the entry is about.
    pub company: Option<String>,
    /// Canonical technology names the entry is about.
    pub technologies: Vec<String>,
    pub sources: Vec<String>,
    /// Tech entries only: every other name the technology goes by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(flatten)]
    pub detail: Detail,
}

impl Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Entry::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        let e = Entry::deserialize(d)?;
        if e.detail.kind() != e.kind {
            return Err(serde::de::Error::custom(format!(
                "a {} entry with the fields of a {}",
                e.kind.as_str(),
                e.detail.kind().as_str()
            )));
        }
        Ok(e)
    }
}

impl Detail {
    /// The kind of entry this detail belongs to.
    pub fn kind(&self) -> Kind {
        match self {
            Detail::Stack { .. } => Kind::Stack,
            Detail::Tech { .. } => Kind::Tech,
            Detail::Qa { .. } => Kind::Qa,
            Detail::Reading { .. } => Kind::Reading,
            Detail::Note {} => Kind::Note,
            Detail::Article { .. } => Kind::Article,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub url: Option<String>,
    /// Recognised in lowercase prose too (false for ordinary words such as "Box").
    pub detect: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tech {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub layer: Layer,
    pub detect: bool,
}
