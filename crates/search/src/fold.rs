//! Folding: one result per fact (the same fact from two sources becomes one result with
//! both links), at most `limit` results, and answering excerpts for the page shown.

use super::excerpt::{self, Excerpt};
use super::index::terms;
use super::query::Understanding;
use super::retrieve::Retrieved;
use super::{Engine, SearchResult};
use archie_knowledge::{item_shown, Detail, Entry, Kind, LayerGroup, Link};
use archie_text::normalize;
use std::collections::{HashMap, HashSet};
use tantivy::tokenizer::TextAnalyzer;

/// The question's terms as excerpts mark them: all of them, and by weight.
struct Marks<'a> {
    terms: &'a HashSet<String>,
    weights: &'a HashMap<String, f32>,
}

/// Characters of a passage shown: the answering sentence and its neighbours.
const PASSAGE_CHARS: usize = 400;

impl Engine {
    /// Results for ranked `(ord, score)` pairs: duplicates folded, excerpts cut for the
    /// results whose position is in `window`.
    pub(crate) fn fold(
        &self,
        r: &Retrieved,
        ranked: &[(u64, f32)],
        limit: usize,
        window: std::ops::Range<usize>,
    ) -> Vec<SearchResult> {
        let view = &*r.view;
        let base_n = self.knowledge.entries.len() as u64;
        let hl = self.highlight_terms(&r.understanding, &r.qterms);
        // Passages pick their answering sentence by the question's words by weight; the
        // names it mentions count as much as its average word.
        let mut weights = r.weighed.weights();
        let avg = weights.values().sum::<f32>() / weights.len().max(1) as f32;
        // Names in a script the question does not use (a Korean alias of a name asked
        // in English) are marked where they appear but weigh nothing.
        let hangul = r
            .understanding
            .normalized
            .chars()
            .any(super::hangul::is_hangul);
        for t in &hl {
            if hangul || !t.chars().any(super::hangul::is_hangul) {
                weights.entry(t.clone()).or_insert(avg.max(1.0));
            }
        }
        let marks = Marks {
            terms: &hl,
            weights: &weights,
        };
        let mut results: Vec<SearchResult> = Vec::new();
        // The key each result is folded by, computed once.
        let mut keys: Vec<String> = Vec::new();
        for &(i, s) in ranked {
            let Some(e) = self.entry_at(view, i) else {
                continue;
            };
            let key = match self.fact_keys.get(i as usize) {
                Some(k) if i < base_n => k.clone(),
                _ => fact_key(e),
            };
            if let Some(r) = keys.iter().position(|k| *k == key).map(|p| &mut results[p]) {
                for src in &e.sources {
                    if !r.sources.contains(src) {
                        r.sources.push(src.clone());
                    }
                }
                r.also.push(e.id.clone());
                continue;
            }
            if results.len() == limit {
                continue;
            }
            keys.push(key);
            let (parts, cited) = if window.contains(&results.len()) {
                self.excerpt_for(e, i, r, &marks)
            } else {
                (Excerpt::default(), None)
            };
            // A linked article the excerpt quotes is cited first.
            let mut sources = e.sources.clone();
            if let Some(c) = cited {
                sources.retain(|s| *s != c);
                sources.insert(0, c);
            }
            results.push(SearchResult {
                id: e.id.clone(),
                kind: e.kind,
                title: e.title.clone(),
                excerpt: parts.plain(),
                excerpt_marked: parts.marked(),
                company: e.company.clone(),
                sources,
                score: (s * 1000.0).round() / 1000.0,
                also: Vec::new(),
                parts,
            });
        }
        results
    }

    /// Ranks retrieved candidates with `w` and folds them (no excerpts): what the fitting
    /// tool compares weights by.
    pub fn rank_with(
        &self,
        r: &Retrieved,
        w: &super::rank::Weights,
        floor: &super::rank::Floor,
        limit: usize,
    ) -> Vec<SearchResult> {
        let ranked = self.ranked(r, w, floor);
        self.fold(r, &ranked, limit, 0..0)
    }

    /// The id of a retrieved candidate's entry.
    pub fn entry_id(&self, r: &Retrieved, ord: u64) -> Option<String> {
        self.entry_at(&r.view, ord).map(|e| e.id.clone())
    }

    /// Every candidate as a result with its excerpt, by entry id (cached by the fitter).
    pub fn candidate_results(&self, r: &Retrieved) -> Vec<SearchResult> {
        r.candidates
            .iter()
            .flat_map(|c| self.fold(r, &[(c.ord, 0.0)], 1, 0..1))
            .collect()
    }

    /// Analysed terms to mark in excerpts: the question's words and every name of the
    /// companies and technologies it names.
    pub(crate) fn highlight_terms(&self, u: &Understanding, qterms: &[String]) -> HashSet<String> {
        let k = &self.knowledge;
        let mut a = self.analyzer.clone();
        let mut hl: HashSet<String> = qterms.iter().cloned().collect();
        let mut names: Vec<String> = Vec::new();
        for t in &u.techs {
            if let Some(te) = k.techs.get(t) {
                names.push(te.name.clone());
                names.extend(te.aliases.iter().cloned());
            }
        }
        for c in &u.companies {
            if let Some(co) = k.companies.get(c) {
                names.push(co.name.clone());
                names.extend(co.aliases.iter().cloned());
            }
        }
        for n in names {
            hl.extend(terms(&mut a, &n));
        }
        hl
    }

    fn excerpt_for(
        &self,
        e: &Entry,
        ord: u64,
        r: &Retrieved,
        marks: &Marks,
    ) -> (Excerpt, Option<String>) {
        let u = &r.understanding;
        let hl = marks.terms;
        let mut a = self.analyzer.clone();
        match &e.detail {
            Detail::Stack { layers, links, .. } => {
                stack_excerpt(&mut a, e, layers, links, u, marks)
            }
            Detail::Tech { .. } => (excerpt::excerpt(&mut a, &e.text, hl, 700), None),
            Detail::Qa { .. } | Detail::Article { .. } | Detail::Note {} => {
                // Passages show the sentences that answer, by words and by meaning.
                let semantic: Option<Vec<f32>> = r.qvec.as_ref().and_then(|q| {
                    let (_, sentences) = self.entry_vector(&r.view, ord)?;
                    Some(
                        sentences
                            .iter()
                            .map(|s| super::semantic::cosine(q, s))
                            .collect(),
                    )
                });
                let shown = excerpt::answering(
                    &mut a,
                    &e.text,
                    marks.weights,
                    semantic.as_deref(),
                    u.quantity,
                    PASSAGE_CHARS,
                );
                (shown, None)
            }
            _ => (excerpt::excerpt(&mut a, &e.text, hl, 320), None),
        }
    }
}

/// Entries with one key state the same fact: the same kind and title, or two stacks of one
/// company.
pub(crate) fn fact_key(e: &Entry) -> String {
    match e.kind {
        Kind::Stack => format!("stack:{}", e.company.as_deref().unwrap_or(&e.id)),
        k => format!("{}:{}", k.as_str(), normalize(&e.title)),
    }
}

/// A stack's excerpt: the linked article whose title answers more of the question than any
/// layer first ("DataSift … at 120,000 Tweets Per Second"), then the layers the question
/// asks about, then layers naming its technologies; with the article's URL.
fn stack_excerpt(
    a: &mut TextAnalyzer,
    e: &Entry,
    layers: &[LayerGroup],
    links: &[Link],
    u: &Understanding,
    marks: &Marks,
) -> (Excerpt, Option<String>) {
    // A linked article whose title answers more of the question than any layer
    // comes first ("DataSift … at 120,000 Tweets Per Second"); then the layers
    // the question asks about, then layers naming its technologies.
    let mut weight = |line: &str| -> f32 {
        let mut ts = super::index::terms(a, line);
        ts.sort();
        ts.dedup();
        ts.iter().filter_map(|t| marks.weights.get(t)).sum()
    };
    let total: f32 = marks.weights.values().sum();
    // Asked for something to read, an article is the answer the question wants: a title
    // holding a third of it is enough.
    let share = if u.intent == super::query::Intent::Reading {
        1.0 / 3.0
    } else {
        0.5
    };
    let answering_link = links
        .iter()
        .map(|l| (weight(&l.title), l))
        .filter(|(w, l)| {
            *w >= share * total && (!u.quantity || l.title.chars().any(|c| c.is_ascii_digit()))
        })
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, l)| l);
    let mut lines: Vec<(u8, String)> = layers
        .iter()
        .map(|g| {
            let items: Vec<String> = g.items.iter().map(item_shown).collect();
            let rank = if u.layers.contains(&g.layer) {
                0
            } else if g.items.iter().any(|it| u.techs.contains(&it.tech)) {
                1
            } else {
                2
            };
            (rank, format!("{}: {}", g.layer.label(), items.join(", ")))
        })
        .collect();
    lines.sort_by_key(|l| l.0);
    let mut text: String = answering_link
        .map(|l| format!("Read: {}", l.title))
        .into_iter()
        .chain(lines.into_iter().map(|l| l.1))
        .collect::<Vec<_>>()
        .join("\n");
    if text.is_empty() {
        text = e.text.clone();
    }
    (
        excerpt::excerpt(a, &text, marks.terms, 700),
        answering_link.map(|l| l.url.clone()),
    )
}
