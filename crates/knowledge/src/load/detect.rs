//! Technologies named in an entry's prose.

use crate::{Kind, Knowledge};
use archie_text::normalize;
use std::collections::HashMap;

/// Adds the technologies an entry's prose names (by canonical name or alias) to its
/// `technologies`, so lookups by technology find articles and reading links too.
pub(super) fn detect_technologies(k: &mut Knowledge) {
    let keys: HashMap<String, String> = k
        .techs
        .items
        .iter()
        .filter(|t| t.detect)
        .flat_map(|t| {
            std::iter::once(t.name.clone())
                .chain(t.aliases.iter().cloned())
                .map(move |a| (normalize(&a), t.name.clone()))
        })
        .filter(|(a, _)| a.chars().count() >= 3)
        .collect();
    let max_words = keys.keys().map(|k| k.split(' ').count()).max().unwrap_or(1);
    for e in &mut k.entries {
        if matches!(e.kind, Kind::Stack | Kind::Tech) {
            continue;
        }
        let words: Vec<String> = normalize(&format!("{} {}", e.title, e.text))
            .split(' ')
            .map(str::to_string)
            .collect();
        for n in 1..=max_words {
            for w in words.windows(n) {
                if let Some(t) = keys.get(&w.join(" ")) {
                    if !e.technologies.contains(t) {
                        e.technologies.push(t.clone());
                    }
                }
            }
        }
    }
}
