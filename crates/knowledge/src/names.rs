//! Name tables: the canonical companies and technologies, each found by its name or any
//! alias, with "did you mean" suggestions.

use super::{Company, Tech};
use archie_text::compact_key;
use std::collections::HashMap;

/// Canonical names and their aliases, looked up by `compact_key`.
#[derive(Debug, Clone)]
pub struct NameTable<T> {
    pub items: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for NameTable<T> {
    fn default() -> Self {
        NameTable {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> NameTable<T> {
    pub(crate) fn claim(&mut self, alias: &str, item: usize) -> Result<(), usize> {
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

impl<T: Named> NameTable<T> {
    /// The closest known names to `query` (typos, prefixes), best first.
    pub fn suggest(&self, query: &str, max: usize) -> Vec<&T> {
        self.suggest_min(query, max, 0.8)
    }

    /// Like [`NameTable::suggest`], keeping only names at least `min` alike (0..1).
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
