//! The on-disk format of `knowledge/`: one TOML file per kind (stacks one file per company).
//! These structs mirror the files exactly; `Spanned` keeps byte offsets so every problem
//! can be reported as `file:line`. See `knowledge/README.md` for worked examples.

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub type S = Spanned<String>;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CompaniesFile {
    #[serde(default)]
    pub company: Vec<CompanyDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyDef {
    pub id: S,
    pub name: S,
    #[serde(default)]
    pub aliases: Vec<S>,
    #[serde(default)]
    pub url: Option<S>,
    /// `false` for names that are also ordinary words ("Box", "LINE", "Target"): they are
    /// recognised in a question only when written with their own capitalisation.
    #[serde(default = "yes")]
    pub detect: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TechnologiesFile {
    #[serde(default)]
    pub tech: Vec<TechDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechDef {
    pub id: S,
    pub name: S,
    pub layer: S,
    #[serde(default)]
    pub aliases: Vec<S>,
    /// The glossary group of seed 000 (`infra`, `data`, `deploy`) when the seed describes it.
    #[serde(default)]
    pub group: Option<S>,
    #[serde(default)]
    pub description: Option<S>,
    #[serde(default)]
    pub url: Option<S>,
    /// `false` for names that are also ordinary words ("func", "south", "play"): they are
    /// recognised when named in a stack or typed as a lookup, never guessed from prose.
    #[serde(default = "yes")]
    pub detect: bool,
}

fn yes() -> bool {
    true
}

/// `stacks/<company>.toml`: one company's technologies grouped by layer, with its links.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackFile {
    pub id: S,
    pub company: S,
    #[serde(default)]
    pub sources: Vec<S>,
    /// Free text the seed gives beside the list (a quote, a remark), kept verbatim.
    #[serde(default)]
    pub remark: Option<S>,
    #[serde(default)]
    pub layers: LayersDef,
    #[serde(default)]
    pub link: Vec<LinkDef>,
}

/// Items are `name` or `name (qualifier)`, spelled as in the source; the name resolves to a
/// canonical technology through its aliases.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LayersDef {
    #[serde(default)]
    pub language: Vec<S>,
    #[serde(default)]
    pub web: Vec<S>,
    #[serde(default)]
    pub data: Vec<S>,
    #[serde(default)]
    pub cache: Vec<S>,
    #[serde(default)]
    pub queue: Vec<S>,
    #[serde(default)]
    pub search: Vec<S>,
    #[serde(default)]
    pub hosting: Vec<S>,
    #[serde(default)]
    pub monitoring: Vec<S>,
    #[serde(default)]
    pub deploy: Vec<S>,
    #[serde(default)]
    pub other: Vec<S>,
}

#[derive(Debug, Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct LinkDef {
    pub title: S,
    pub url: S,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QaFile {
    #[serde(default)]
    pub qa: Vec<QaDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QaDef {
    pub id: S,
    pub question: S,
    pub answer: S,
    #[serde(default)]
    pub company: Option<S>,
    #[serde(default)]
    pub technologies: Vec<S>,
    pub sources: Vec<S>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReadingFile {
    #[serde(default)]
    pub reading: Vec<ReadingDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingDef {
    pub id: S,
    pub title: S,
    pub url: S,
    pub section: S,
    #[serde(default)]
    pub topic: Option<S>,
    #[serde(default)]
    pub company: Option<S>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NotesFile {
    #[serde(default)]
    pub note: Vec<NoteDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteDef {
    pub id: S,
    pub title: S,
    pub text: S,
    #[serde(default)]
    pub company: Option<S>,
    #[serde(default)]
    pub technologies: Vec<S>,
    pub sources: Vec<S>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ArticlesFile {
    #[serde(default)]
    pub article: Vec<ArticleDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleDef {
    pub id: S,
    /// The whole article's title, shared by its passages.
    pub article: S,
    /// The passage's own heading.
    pub heading: S,
    pub text: S,
    #[serde(default)]
    pub company: Option<S>,
    #[serde(default)]
    pub technologies: Vec<S>,
    pub sources: Vec<S>,
}

/// `topics.toml`: the words people use for the knowledge's own words, and chat filler.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TopicsFile {
    #[serde(default)]
    pub synonym: Vec<SynonymDef>,
    /// Words that carry no topic in a chat message ("lol", "tmrw", "pls").
    #[serde(default)]
    pub filler: Vec<S>,
    #[serde(default)]
    pub concept: Vec<ConceptDef>,
}

/// An architecture idea in plain words, so that a question describing it ("keep every
/// change as a log of events") meets entries that only name it ("Event Sourcing").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConceptDef {
    /// The names entries use for it ("event sourcing", "event-sourced").
    pub names: Vec<S>,
    /// What it is, in the words a person would use to describe it.
    pub about: S,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymDef {
    /// What people type ("db", "writeups").
    pub words: Vec<S>,
    /// What the knowledge says instead ("database", "articles").
    pub means: S,
}
