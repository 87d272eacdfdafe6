//! `topics.toml` (synonyms, filler, concepts) and `layer_words.toml`: the folder's
//! vocabulary files, checked like the entries.

use super::loader::{Loader, Src};
use super::stacks::layer_items;
use crate::files::{ConceptsFile, LayerWordsFile, TopicsFile};
use crate::{Concept, Layer, LayerWords, Topics};
use archie_text::{compact_key, normalize};

fn words_of(s: &str) -> Vec<String> {
    normalize(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Synonyms, normalised the way questions are.
pub(super) fn load_topics(l: &mut Loader, src: &Src<TopicsFile>) -> Topics {
    let mut t = Topics::default();
    for syn in &src.data.synonym {
        let means = words_of(syn.means.get_ref());
        if means.is_empty() {
            l.problem(
                &src.path,
                src.line(&syn.means),
                "synonym with an empty 'means'",
            );
            continue;
        }
        for w in &syn.words {
            match words_of(w.get_ref()).as_slice() {
                [one] => {
                    if let Some(old) = t.synonyms.insert(one.clone(), means.clone()) {
                        if old != means {
                            let msg =
                                format!("'{one}' is already a synonym of '{}'", old.join(" "));
                            l.problem(&src.path, src.line(w), msg);
                        }
                    }
                }
                _ => l.problem(
                    &src.path,
                    src.line(w),
                    format!("synonym '{}' must be one word", w.get_ref()),
                ),
            }
        }
    }
    t
}

/// The concept glossary (`concepts.toml`): each concept's names and description, and the
/// reading-list topics that are titles of works.
pub(super) fn load_concepts(l: &mut Loader, src: &Src<ConceptsFile>, t: &mut Topics) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for c in &src.data.concept {
        let names: Vec<String> = c
            .names
            .iter()
            .map(|n| words_of(n.get_ref()).join(" "))
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() || c.about.get_ref().trim().is_empty() {
            l.problem(
                &src.path,
                src.line(&c.about),
                "concept needs at least one name and an 'about'",
            );
            continue;
        }
        for (n, def) in names.iter().zip(&c.names) {
            let this = t.concepts.len();
            if seen
                .insert(n.clone(), this)
                .is_some_and(|other| other != this)
            {
                l.problem(
                    &src.path,
                    src.line(def),
                    format!("concept name '{n}' belongs to another concept too"),
                );
            }
        }
        let mut names = names;
        names.dedup();
        t.concepts.push(Concept {
            names,
            about: c.about.get_ref().trim().to_string(),
            said: c
                .said
                .iter()
                .map(|x| x.get_ref().trim().to_string())
                .filter(|x| !x.is_empty())
                .collect(),
            topics: c
                .topics
                .iter()
                .map(|x| x.get_ref().trim().to_string())
                .collect(),
        });
    }
    t.titles = src
        .data
        .titles
        .iter()
        .map(|x| x.get_ref().trim().to_string())
        .collect();
}

/// The words that place a new technology in a layer. Each word must be a compact key
/// (what `compact_key` makes of a name) and belong to one layer only.
pub(crate) fn load_layer_words(
    def: &LayerWordsFile,
    mut problem: impl FnMut(&crate::files::SpannedText, String),
) -> LayerWords {
    let mut words = LayerWords::default();
    for layer in Layer::ALL {
        for w in layer_items(def, layer) {
            let word = w.get_ref().as_str();
            let key = compact_key(word);
            if key.is_empty() {
                problem(w, "empty layer word".to_string());
            } else if key != word {
                problem(
                    w,
                    format!("layer word '{word}' must be written as its compact key '{key}'"),
                );
            } else if let Err(other) = words.insert(key, layer) {
                problem(
                    w,
                    format!(
                        "layer word '{word}' is already listed under '{}'",
                        other.key()
                    ),
                );
            }
        }
    }
    words
}

/// `layer_words.toml` of a folder, its problems reported.
pub(super) fn load_folder_layer_words(l: &mut Loader, src: &Src<LayerWordsFile>) -> LayerWords {
    load_layer_words(&src.data, |w, msg| l.problem(&src.path, src.line(w), msg))
}
