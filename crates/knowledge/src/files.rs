//! The on-disk format of `knowledge/`: one TOML file per kind (stacks one file per company).
//! These structs mirror the files exactly; `Spanned` keeps byte offsets so every problem
//! can be reported as `file:line`. See `knowledge/README.md` for worked examples.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// A text field with its byte span in the file, so problems can name its line.
pub type SpannedText = Spanned<String>;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CompaniesFile {
    #[serde(default)]
    pub company: Vec<CompanyDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyDef {
    pub id: SpannedText,
    pub name: SpannedText,
    #[serde(default)]
    pub aliases: Vec<SpannedText>,
    #[serde(default)]
    pub url: Option<SpannedText>,
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
    pub id: SpannedText,
    pub name: SpannedText,
    pub layer: SpannedText,
    #[serde(default)]
    pub aliases: Vec<SpannedText>,
    /// The glossary group of seed 000 (`infra`, `data`, `deploy`) when the seed describes it.
    #[serde(default)]
    pub group: Option<SpannedText>,
    #[serde(default)]
    pub description: Option<SpannedText>,
    #[serde(default)]
    pub url: Option<SpannedText>,
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
    pub id: SpannedText,
    pub company: SpannedText,
    #[serde(default)]
    pub sources: Vec<SpannedText>,
    /// Free text the seed gives beside the list (a quote, a remark), kept verbatim.
    #[serde(default)]
    pub remark: Option<SpannedText>,
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
    pub language: Vec<SpannedText>,
    #[serde(default)]
    pub web: Vec<SpannedText>,
    #[serde(default)]
    pub data: Vec<SpannedText>,
    #[serde(default)]
    pub cache: Vec<SpannedText>,
    #[serde(default)]
    pub queue: Vec<SpannedText>,
    #[serde(default)]
    pub search: Vec<SpannedText>,
    #[serde(default)]
    pub hosting: Vec<SpannedText>,
    #[serde(default)]
    pub monitoring: Vec<SpannedText>,
    #[serde(default)]
    pub deploy: Vec<SpannedText>,
    #[serde(default)]
    pub other: Vec<SpannedText>,
}

#[derive(Debug, Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct LinkDef {
    pub title: SpannedText,
    pub url: SpannedText,
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
    pub id: SpannedText,
    pub question: SpannedText,
    pub answer: SpannedText,
    #[serde(default)]
    pub company: Option<SpannedText>,
    #[serde(default)]
    pub technologies: Vec<SpannedText>,
    pub sources: Vec<SpannedText>,
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
    pub id: SpannedText,
    pub title: SpannedText,
    pub url: SpannedText,
    pub section: SpannedText,
    #[serde(default)]
    pub topic: Option<SpannedText>,
    #[serde(default)]
    pub company: Option<SpannedText>,
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
    pub id: SpannedText,
    pub title: SpannedText,
    pub text: SpannedText,
    #[serde(default)]
    pub company: Option<SpannedText>,
    #[serde(default)]
    pub technologies: Vec<SpannedText>,
    pub sources: Vec<SpannedText>,
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
    pub id: SpannedText,
    /// The whole article's title, shared by its passages.
    pub article: SpannedText,
    /// The passage's own heading.
    pub heading: SpannedText,
    pub text: SpannedText,
    #[serde(default)]
    pub company: Option<SpannedText>,
    #[serde(default)]
    pub technologies: Vec<SpannedText>,
    pub sources: Vec<SpannedText>,
}

/// `topics.toml`: the words people use for the knowledge's own words.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TopicsFile {
    #[serde(default)]
    pub synonym: Vec<SynonymDef>,
}

/// `concepts.toml`: the glossary of architecture ideas, and the reading-list topics that
/// are titles of works rather than ideas.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConceptsFile {
    #[serde(default)]
    pub titles: Vec<SpannedText>,
    #[serde(default)]
    pub concept: Vec<ConceptDef>,
}

/// An architecture idea in plain words, so that a question describing it ("keep every
/// change as a log of events") meets entries that only name it ("Event Sourcing").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConceptDef {
    /// The names entries use for it ("event sourcing", "event-sourced").
    pub names: Vec<SpannedText>,
    /// What it is, as a glossary defines it.
    pub about: SpannedText,
    /// Other plain descriptions of the same idea, as people put it without its name
    /// ("choosing which node of a cluster is in charge"); each is compared with a question
    /// on its own.
    #[serde(default)]
    pub said: Vec<SpannedText>,
    /// The reading-list topics (exact strings) whose entries it describes.
    #[serde(default)]
    pub topics: Vec<SpannedText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymDef {
    /// What people type ("db", "writeups").
    pub words: Vec<SpannedText>,
    /// What the knowledge says instead ("database", "articles").
    pub means: SpannedText,
}

/// `layer_words.toml`: per layer, the compact keys of the product names the importer puts
/// in it (the same layer keys as a stack's `[layers]`).
pub type LayerWordsFile = LayersDef;
