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

/// How people word topics (`topics.toml`): synonyms that map their words onto the
/// knowledge's own, and chat filler that says nothing about the subject.
#[derive(Debug, Default, Clone)]
pub struct Topics {
    /// A normalised word → the normalised words it stands for.
    pub synonyms: HashMap<String, Vec<String>>,
    pub filler: std::collections::HashSet<String>,
    pub concepts: Vec<Concept>,
}

/// An architecture idea: its names (normalised) and a plain description of it.
#[derive(Debug, Clone, Default)]
pub struct Concept {
    pub names: Vec<String>,
    pub about: String,
}

impl Topics {
    /// The words a typed (normalised) word stands for, if it is a known synonym.
    pub fn meaning(&self, word: &str) -> Option<&[String]> {
        self.synonyms.get(word).map(Vec::as_slice)
    }

    pub fn is_filler(&self, word: &str) -> bool {
        self.filler.contains(word)
    }

    /// The descriptions of the concepts a text names (as whole words, any case).
    pub fn concepts_in(&self, text: &str) -> Vec<&str> {
        let words = format!(" {} ", crate::text::normalize(text));
        self.concepts
            .iter()
            .filter(|c| c.names.iter().any(|n| words.contains(&format!(" {n} "))))
            .map(|c| c.about.as_str())
            .collect()
    }
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
