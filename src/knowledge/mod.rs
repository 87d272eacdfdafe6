//! The knowledge base: loading `knowledge/` (TOML files), validating it, resolving every
//! technology and company name to its canonical entry, and exporting it as JSON.
//! Nothing here knows about search or Discord.

//!
//! Files: `files.rs` mirrors the TOML on disk; `load/` reads and checks it into a
//! [`Knowledge`] of `model.rs` entries; `names.rs` holds the [`NameTable`]s every name
//! resolves through; `items.rs` how URLs and stack items are spelled; `layer_words.rs` the
//! importer's [`LayerWords`]; [`import`] turns seed files into new entries; `problem.rs`
//! the problems and errors.

mod files;
pub mod import;
mod items;
mod layer_words;
mod load;
mod model;
mod names;
mod problem;
pub mod typed_stack;
pub mod words;

pub use items::{is_http_url, item_shown, item_text, split_item, split_top, stack_text};
pub use layer_words::LayerWords;
pub use load::load_dir;
pub use model::*;
pub use names::{NameTable, Named};
pub(crate) use problem::listed;
pub use problem::{KnowledgeError, Problem};

use std::collections::HashMap;

/// Everything the bot knows, resolved and ready to index.
#[derive(Debug, Default, Clone)]
pub struct Knowledge {
    pub entries: Vec<Entry>,
    pub companies: NameTable<Company>,
    pub techs: NameTable<Tech>,
    pub topics: Topics,
    /// The folder's `layer_words.toml`, when it has one (only the importer uses it).
    pub layer_words: Option<LayerWords>,
}

/// How people word topics: synonyms that map their words onto the knowledge's own
/// (`topics.toml`), and the concept glossary (`concepts.toml`).
#[derive(Debug, Default, Clone)]
pub struct Topics {
    /// A normalised word → the normalised words it stands for.
    pub synonyms: HashMap<String, Vec<String>>,
    pub concepts: Vec<Concept>,
    /// Reading-list topics that are titles of works, not ideas: they need no concept.
    pub titles: Vec<String>,
}

/// An architecture idea: its names (normalised), a glossary description of it, and the
/// reading-list topics it describes.
#[derive(Debug, Clone, Default)]
pub struct Concept {
    pub names: Vec<String>,
    pub about: String,
    pub topics: Vec<String>,
}

impl Topics {
    /// The words a typed (normalised) word stands for, if it is a known synonym.
    pub fn meaning(&self, word: &str) -> Option<&[String]> {
        self.synonyms.get(word).map(Vec::as_slice)
    }

    /// Chat filler (`words.toml`): says nothing about the subject.
    pub fn is_filler(&self, word: &str) -> bool {
        words::Words::get().filler.contains(word)
    }

    /// The concepts a text names (as whole words, any case).
    pub fn concepts_named(&self, text: &str) -> impl Iterator<Item = &Concept> {
        let words = format!(" {} ", crate::text::normalize(text));
        self.concepts
            .iter()
            .filter(move |c| c.names.iter().any(|n| words.contains(&format!(" {n} "))))
    }

    /// The descriptions of the concepts a text names (as whole words, any case).
    pub fn concepts_in(&self, text: &str) -> Vec<&str> {
        self.concepts_named(text)
            .map(|c| c.about.as_str())
            .collect()
    }

    /// The concepts an entry is about: those its title names, and for a reading-list
    /// link the concept of its topic.
    pub fn concepts_of<'a>(&'a self, e: &Entry) -> Vec<&'a Concept> {
        self.concept_ids_of(e)
            .into_iter()
            .map(|i| &self.concepts[i])
            .collect()
    }

    /// Like [`Topics::concepts_of`], by position in `concepts`.
    pub fn concept_ids_of(&self, e: &Entry) -> Vec<usize> {
        let title = format!(" {} ", crate::text::normalize(&e.title));
        let topic = match &e.detail {
            Detail::Reading { topic: Some(t), .. } => Some(t.as_str()),
            _ => None,
        };
        let by_topic = topic
            .map(|t| self.concept_ids_of_topic(t))
            .unwrap_or_default();
        (0..self.concepts.len())
            .filter(|i| names_in(&self.concepts[*i], &title) || by_topic.contains(i))
            .collect()
    }

    /// The concepts of a reading-list topic: those whose names it holds as whole words
    /// ("Circuit Breaker Pattern"), and those that list it (a topic that names none).
    pub fn concept_ids_of_topic(&self, topic: &str) -> Vec<usize> {
        let words = format!(" {} ", crate::text::normalize(topic));
        (0..self.concepts.len())
            .filter(|i| {
                let c = &self.concepts[*i];
                names_in(c, &words) || c.topics.iter().any(|x| x == topic)
            })
            .collect()
    }
}

/// Whether one of the concept's names stands as whole words in `padded` (normalised text
/// with a space at each end).
fn names_in(c: &Concept, padded: &str) -> bool {
    c.names.iter().any(|n| padded.contains(&format!(" {n} ")))
}

impl Knowledge {
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
    }

    /// The stack entry of a company, by any of its names.
    pub fn stack_of(&self, company: &str) -> Option<&Entry> {
        let c = self.companies.get(company)?;
        self.entries
            .iter()
            .find(|e| matches!(&e.detail, Detail::Stack { company_id, .. } if *company_id == c.id))
    }

    /// The tech entry of a technology, by any of its names.
    pub fn tech_entry(&self, tech: &str) -> Option<&Entry> {
        let t = self.techs.get(tech)?;
        self.entries
            .iter()
            .find(|e| e.kind == Kind::Tech && e.id == t.id)
    }

    /// Loads `dir`, failing with every problem listed when the folder is not valid.
    pub fn load(dir: &std::path::Path) -> Result<Knowledge, KnowledgeError> {
        let (k, problems) = load_dir(dir);
        if problems.is_empty() {
            return Ok(k);
        }
        Err(KnowledgeError::Invalid {
            dir: dir.to_path_buf(),
            problems,
        })
    }
}
