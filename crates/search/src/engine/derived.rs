//! What the engine derives from the knowledge once: term statistics, entries by name, and
//! the fingerprints that say when a stored index or vectors file is stale.

use super::community;
use super::vectors;
use crate::index::{terms, DocText};
use crate::semantic::Encoder;
use archie_knowledge::{Kind, Knowledge};
use sha2::Digest;
use std::collections::{HashMap, HashSet};
use tantivy::tokenizer::TextAnalyzer;

/// Per entry (by ordinal) the sorted ids of its analysed terms, the ids, and in how many
/// entries each term occurs.
pub(super) type TermStats = (Vec<Vec<u32>>, HashMap<String, u32>, HashMap<String, u32>);

/// The analysed terms of every entry (title, text, company and technology names).
pub(super) fn term_stats(a: &mut TextAnalyzer, docs: &[DocText]) -> TermStats {
    let term_sets: Vec<HashSet<String>> = docs
        .iter()
        .map(|d| {
            let all = format!(
                "{} {} {} {}",
                d.entry.title, d.entry.text, d.company, d.tech
            );
            terms(a, &all).into_iter().collect()
        })
        .collect();
    let mut df: HashMap<String, u32> = HashMap::new();
    for t in term_sets.iter().flatten() {
        *df.entry(t.clone()).or_default() += 1;
    }
    let vocab: HashMap<String, u32> = df
        .keys()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let entry_terms: Vec<Vec<u32>> = term_sets
        .iter()
        .map(|set| {
            let mut ids: Vec<u32> = set.iter().filter_map(|t| vocab.get(t).copied()).collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    (entry_terms, vocab, df)
}

/// Entry ordinals by company name, and of stack and tech entries by technology.
pub(super) type ByName = HashMap<String, Vec<u64>>;

pub(super) fn entries_by_name(k: &Knowledge) -> (ByName, ByName) {
    let mut by_company: ByName = HashMap::new();
    let mut by_tech: ByName = HashMap::new();
    for (i, e) in k.entries.iter().enumerate() {
        if let Some(c) = &e.company {
            by_company.entry(c.clone()).or_default().push(i as u64);
        }
        if matches!(e.kind, Kind::Tech | Kind::Stack) {
            for t in &e.technologies {
                by_tech.entry(t.clone()).or_default().push(i as u64);
            }
        }
    }
    (by_company, by_tech)
}

/// A hash of the concepts' descriptions: they go into entry vectors, so editing them
/// recomputes.
pub(super) fn concepts_hash(k: &Knowledge) -> String {
    let concepts = k
        .topics
        .concepts
        .iter()
        .map(|c| format!("{}={}@{}", c.names.join("|"), c.about, c.topics.join("|")))
        .collect::<Vec<_>>()
        .join("\n");
    hex::encode(sha2::Sha256::digest(concepts.as_bytes()))[..12].to_string()
}

/// What the community index is built for: its layout, the base entries (their ids mask
/// and their details shape overrides), the names of companies and technologies (indexed
/// with each entry), and the encoder and concepts its vectors come from.
pub(super) fn community_fingerprint(
    k: &Knowledge,
    base: &str,
    encoder: Option<&Encoder>,
) -> String {
    let mut h = sha2::Sha256::new();
    h.update(community::LAYOUT.to_le_bytes());
    h.update(base.as_bytes());
    h.update(serde_json::to_vec(&k.companies.items).unwrap_or_default());
    h.update(serde_json::to_vec(&k.techs.items).unwrap_or_default());
    match encoder {
        Some(e) => {
            h.update(format!("semantic {} {}", e.fingerprint(), vectors::LAYOUT).as_bytes());
            h.update(concepts_hash(k).as_bytes());
        }
        None => h.update(b"lexical"),
    }
    hex::encode(&h.finalize()[..12])
}
