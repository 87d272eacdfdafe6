//! The layer a technology new to the folder gets when `archie import` creates it, from the
//! words of `knowledge/layer_words.toml` (see `knowledge/README.md`).

use super::files::LayerWordsFile;
use super::Layer;
use archie_text::compact_key;
use std::collections::HashMap;

/// The `layer_words.toml` this crate is built with, used when the folder imported into
/// has none of its own.
const SHIPPED: &str = include_str!("../../../knowledge/layer_words.toml");

/// Well-known product names (as compact keys) and the layer each belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerWords {
    words: HashMap<String, Layer>,
}

impl LayerWords {
    /// The file's name in a knowledge folder.
    pub const FILE: &'static str = "layer_words.toml";

    /// The table shipped in this source tree's `knowledge/layer_words.toml`, which `archie
    /// check` and a unit test keep valid (a table that fails to parse would be empty).
    pub fn shipped() -> LayerWords {
        let def: LayerWordsFile = toml::from_str(SHIPPED).unwrap_or_default();
        super::load::load_layer_words(&def, |_, _| {})
    }

    /// Adds a word; fails with the layer that already has it.
    pub(crate) fn insert(&mut self, key: String, layer: Layer) -> Result<(), Layer> {
        match self.words.get(&key) {
            Some(&other) => Err(other),
            None => {
                self.words.insert(key, layer);
                Ok(())
            }
        }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The layer of a well-known product name, in any spelling.
    pub fn layer_of(&self, name: &str) -> Option<Layer> {
        self.words.get(&compact_key(name)).copied()
    }

    /// A layer for a technology the folder does not know yet, from its name, else from its
    /// glossary group, else `other`.
    pub fn guess(&self, name: &str, group: Option<&str>) -> Layer {
        self.layer_of(name).unwrap_or(match group {
            Some("data") => Layer::Data,
            Some("deploy") => Layer::Deploy,
            _ => Layer::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_words_are_valid_and_complete() {
        let def: LayerWordsFile = toml::from_str(SHIPPED).expect("layer_words.toml parses");
        let mut problems = Vec::new();
        let words = super::super::load::load_layer_words(&def, |_, m| problems.push(m));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(words.len(), 164);
        assert_eq!(words.layer_of("Node.js"), Some(Layer::Language));
        assert_eq!(words.layer_of("memchached"), Some(Layer::Cache));
        assert_eq!(words.guess("Some DB", Some("data")), Layer::Data);
        assert_eq!(words.guess("frobnicator", None), Layer::Other);
    }
}
