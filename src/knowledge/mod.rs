//! The knowledge base: loading `knowledge/` (TOML files), validating it, resolving every
//! technology and company name to its canonical entry, and exporting it as JSON.
//! Nothing here knows about search or Discord.

mod files;
pub mod import;
mod load;
mod model;
pub mod typed_stack;

pub use load::{is_http_url, item_text, load_dir, split_item, stack_text, Problem};
pub use model::*;

use crate::text::compact_key;
use std::collections::HashMap;

/// Canonical names and their aliases, looked up by `compact_key`.
#[derive(Debug, Clone)]
pub struct Names<T> {
    pub items: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for Names<T> {
    fn default() -> Self {
        Names {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Names<T> {
    fn claim(&mut self, alias: &str, item: usize) -> Result<(), usize> {
        let key = compact_key(alias);
        if key.is_empty() {
            return Ok(());
        }
        match self.index.get(&key) {
            Some(&other) if other != item => Err(other),
            _ => {
                self.index.insert(key, item);
                Ok(())
            }
        }
    }

    /// Lookup by a key already in `compact_key` form (no normalisation on the way).
    pub fn get_key(&self, key: &str) -> Option<&T> {
        self.index.get(key).map(|&i| &self.items[i])
    }

    /// Exact lookup by any name or alias, ignoring case, accents and punctuation.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.index.get(&compact_key(name)).map(|&i| &self.items[i])
    }

    /// Every alias key with the item it names (for entity recognition in queries).
    pub fn keys(&self) -> impl Iterator<Item = (&str, &T)> {
        self.index
            .iter()
            .map(|(k, &i)| (k.as_str(), &self.items[i]))
    }
}

/// Something with a display name, for suggestions.
pub trait Named {
    fn name(&self) -> &str;
}
impl Named for Company {
    fn name(&self) -> &str {
        &self.name
    }
}
impl Named for Tech {
    fn name(&self) -> &str {
        &self.name
    }
}

impl<T: Named> Names<T> {
    /// The closest known names to `query` (typos, prefixes), best first.
    pub fn suggest(&self, query: &str, max: usize) -> Vec<&T> {
        self.suggest_min(query, max, 0.8)
    }

    /// Like [`Names::suggest`], keeping only names at least `min` alike (0..1).
    pub fn suggest_min(&self, query: &str, max: usize, min: f64) -> Vec<&T> {
        let q = compact_key(query);
        if q.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(f64, usize)> = Vec::new();
        let qlen = q.chars().count();
        for (key, &i) in &self.index {
            // Names of very different length are no typo of each other; skip the costly
            // similarity (prefix and substring matches are still caught below).
            let klen = key.chars().count();
            // Like typo correction, assume the first letter is right.
            let same_first = key.chars().next() == q.chars().next();
            let mut s = if same_first && klen.abs_diff(qlen) <= 3.max(qlen / 2) {
                strsim::jaro_winkler(&q, key)
            } else {
                0.0
            };
            if key.starts_with(&q) || q.starts_with(key.as_str()) {
                s = s.max(0.9);
            }
            if key.contains(&q) && q.chars().count() >= 3 {
                s = s.max(0.85);
            }
            if s >= min {
                scored.push((s, i));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out: Vec<usize> = Vec::new();
        for (_, i) in scored {
            if !out.contains(&i) {
                out.push(i);
            }
            if out.len() == max {
                break;
            }
        }
        out.into_iter().map(|i| &self.items[i]).collect()
    }
}

/// Everything the bot knows, resolved and ready to index.
#[derive(Debug, Default, Clone)]
pub struct Knowledge {
    pub entries: Vec<Entry>,
    pub companies: Names<Company>,
    pub techs: Names<Tech>,
    pub topics: Topics,
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
    pub fn load(dir: &std::path::Path) -> anyhow::Result<Knowledge> {
        let (k, problems) = load_dir(dir);
        if problems.is_empty() {
            return Ok(k);
        }
        let shown: Vec<String> = problems.iter().take(20).map(|p| p.to_string()).collect();
        anyhow::bail!(
            "the knowledge folder {} has {} problem(s); run `archie check --knowledge {}`:\n{}",
            dir.display(),
            problems.len(),
            dir.display(),
            shown.join("\n")
        )
    }
}
