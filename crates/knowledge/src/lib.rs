//! The knowledge base: loading `knowledge/` (TOML files), validating it, resolving every
//! technology and company name to its canonical entry, and exporting it as JSON.
//! Nothing here knows about search or Discord.
//!
//! # Layout
//!
//! - `files.rs` — The on-disk format of `knowledge/`: one TOML file per kind (stacks one file per company).
//! - `import/glossary.rs` — The `REFERENCES` glossary of a company page.
//! - `import/markdown.rs` — The Markdown tokenizer: logical lines (flattened lists cut at `* [` and `## `) and `[title](url)` links.
//! - `import/mod.rs` — `archie import`.
//! - `import/qa.rs` — The `qa-text` format: a question line, a blank line, the answer paragraph, optionally ending with `Source: URL` lines.
//! - `import/reading.rs` — Reading-list links, and guessing the company a link's title is about.
//! - `import/report.rs` — What an import did: every entry added, skipped or unparsable, and where each piece of input sits (`file:line:column`).
//! - `import/sections.rs` — The `awesome-md` section state machine.
//! - `import/sink.rs` — What the folder already holds (names, ids, URLs, questions, stacks), and what this import adds to it.
//! - `import/stack.rs` — The stack grammar of a company section.
//! - `import/tables.rs` — The TOML tables an import appends, shaped like the folder's files (`files.rs`) and serialised in the same field order.
//! - `import/write.rs` — Writing an import into the folder: all or nothing, each file replaced whole.
//! - `items.rs` — How entries spell things: `http(s)` URLs, stack items (`name (qualifier)`), and the text of a stack.
//! - `layer_words.rs` — The layer a technology new to the folder gets when `archie import` creates it, from the words of…
//! - `load/detect.rs` — Technologies named in an entry's prose.
//! - `load/entries.rs` — `qa.toml`, `reading.toml`, `notes.toml` and `articles.toml` into entries.
//! - `load/loader.rs` — The reading and checking every kind of file shares.
//! - `load/mod.rs` — Reads a knowledge folder into a resolved [`Knowledge`], collecting every problem as `file.
//! - `load/names.rs` — `companies.toml` and `technologies.toml` into name tables.
//! - `load/stacks.rs` — `stacks/*.toml` into stack entries, then one entry per technology saying which companies use it.
//! - `load/topics.rs` — `topics.toml` (synonyms, filler, concepts) and `layer_words.toml`.
//! - `model.rs` — The loaded, resolved form of the knowledge.
//! - `names.rs` — Name tables.
//! - `problem.rs` — One thing wrong with a knowledge folder, and the errors of loading one.
//! - `quiz.rs` — Multiple-choice questions generated from the knowledge a server sees.
//! - `typed_stack.rs` — A stack as a person types it.
//! - `words.rs` — The form words of a question (`knowledge/words.toml`).

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
pub mod quiz;
pub mod typed_stack;
pub mod words;

pub use items::{
    is_http_url, item_shown, item_text, remark_beyond_layers, split_item, split_top, stack_text,
};
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
    /// Each concept name's words by its first word (built on first use).
    by_first_word: std::sync::OnceLock<NamesByFirstWord>,
}

/// A first word → the concepts (by position) with a name starting with it, and that
/// name's words.
type NamesByFirstWord = HashMap<String, Vec<(usize, Vec<String>)>>;

/// An architecture idea: its names (normalised), a glossary description of it, and the
/// reading-list topics it describes.
#[derive(Debug, Clone, Default)]
pub struct Concept {
    pub names: Vec<String>,
    pub about: String,
    /// Other plain descriptions of the idea, each read on its own.
    pub said: Vec<String>,
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
        self.ids_named(text).into_iter().map(|i| &self.concepts[i])
    }

    /// The positions of the concepts `text` names as whole words, in order: one pass over
    /// its words, each looked up by the first word of the names.
    fn ids_named(&self, text: &str) -> Vec<usize> {
        let index = self.by_first_word.get_or_init(|| {
            let mut m = NamesByFirstWord::new();
            for (i, c) in self.concepts.iter().enumerate() {
                for n in &c.names {
                    let words: Vec<String> = n.split(' ').map(String::from).collect();
                    m.entry(words[0].clone()).or_default().push((i, words));
                }
            }
            m
        });
        let normal = archie_text::normalize(text);
        let words: Vec<&str> = normal.split(' ').filter(|w| !w.is_empty()).collect();
        let mut out: Vec<usize> = Vec::new();
        for (p, w) in words.iter().enumerate() {
            for (i, name) in index.get(*w).into_iter().flatten() {
                let rest = &words[p..];
                if name.len() <= rest.len() && name.iter().zip(rest).all(|(a, b)| a == b) {
                    out.push(*i);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
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
        let mut ids = self.ids_named(&e.title);
        if let Detail::Reading { topic: Some(t), .. } = &e.detail {
            ids.extend(self.concept_ids_of_topic(t));
            ids.sort_unstable();
            ids.dedup();
        }
        ids
    }

    /// The concepts of a reading-list topic: those whose names it holds as whole words
    /// ("Circuit Breaker Pattern"), and those that list it (a topic that names none).
    pub fn concept_ids_of_topic(&self, topic: &str) -> Vec<usize> {
        let mut ids = self.ids_named(topic);
        ids.extend(
            (0..self.concepts.len())
                .filter(|i| self.concepts[*i].topics.iter().any(|x| x == topic)),
        );
        ids.sort_unstable();
        ids.dedup();
        ids
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
