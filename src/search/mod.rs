//! The answer engine behind `/ask` and the CLI: understands the question, retrieves
//! candidates with fielded BM25 plus entity lookups, ranks them, applies a relevance floor,
//! folds duplicates and cuts excerpts. Knows nothing about Discord.

pub mod community;
pub mod excerpt;
pub mod index;
pub mod query;

use crate::knowledge::{item_text, Detail, Entry, Kind, Knowledge, Layer};
use crate::text::normalize;
use excerpt::Excerpt;
use index::{analyzer, terms, DocText, SearchIndex};
use query::{understand, Intent, Understanding};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tantivy::tokenizer::TextAnalyzer;

/// Words of a question that are read; the rest of a very long text is ignored.
pub const MAX_QUESTION_WORDS: usize = 64;
/// Below this share of the question's weight matched, a result is noise.
const COVERAGE_FLOOR: f32 = 0.5;

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The excerpt as plain text.
    pub excerpt: String,
    /// The same excerpt with the matched words wrapped in `**`.
    pub excerpt_marked: String,
    pub company: Option<String>,
    pub sources: Vec<String>,
    pub score: f32,
    /// Ids of other entries folded into this one (the same fact from another source).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    #[serde(skip)]
    pub parts: Excerpt,
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub query: String,
    pub results: Vec<SearchResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
    pub intent: Intent,
    #[serde(skip)]
    pub understanding: Option<Understanding>,
}

pub struct Engine {
    knowledge: Knowledge,
    index: SearchIndex,
    /// Analysed terms of each entry (by ordinal), for coverage and highlighting.
    entry_terms: Vec<Vec<u32>>,
    /// Every analysed term of the base entries, numbered; `entry_terms` holds sorted ids.
    vocab: HashMap<String, u32>,
    /// In how many entries each analysed term occurs (any field).
    df: HashMap<String, u32>,
    /// The key each base entry folds by (see [`fact_key`]).
    fact_keys: Vec<String>,
    typos: query::TypoIndex,
    /// Base entries by company name, and stack and tech entries by technology.
    by_company: HashMap<String, Vec<u64>>,
    by_tech: HashMap<String, Vec<u64>>,
    analyzer: TextAnalyzer,
    built: bool,
    community: community::Community,
}

/// The analysed terms of one entry: vocabulary ids for base entries, strings for a
/// guild's own entries (their words need not be in the base vocabulary).
enum Terms<'a> {
    Base(&'a [u32]),
    Own(&'a HashSet<String>),
}

impl Terms<'_> {
    fn has(&self, term: &str, id: Option<u32>) -> bool {
        match self {
            Terms::Base(ids) => id.is_some_and(|id| ids.binary_search(&id).is_ok()),
            Terms::Own(set) => set.contains(term),
        }
    }
}

/// The entries one place sees: the base knowledge minus what its guild hid or replaced,
/// plus the guild's own entries. Lookup commands read through it.
pub struct Visible<'a> {
    base: &'a [Entry],
    st: std::sync::RwLockReadGuard<'a, community::State>,
    guild: Option<u64>,
}

impl Visible<'_> {
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        let g = self.guild;
        self.base
            .iter()
            .filter(move |e| !self.st.is_masked(g, &e.id))
            .chain(
                g.into_iter()
                    .flat_map(move |g| self.st.live_in(g).map(|(_, s)| &s.entry)),
            )
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.iter().find(|e| e.id == id)
    }
}

/// The text indexed for an entry's company and technologies: names plus aliases.
fn doc_texts(k: &Knowledge) -> Vec<DocText<'_>> {
    k.entries.iter().map(|e| doc_text(k, e, "")).collect()
}

/// The text indexed for one entry: its company and technologies with all their names.
pub(crate) fn doc_text<'a>(k: &Knowledge, e: &'a Entry, scope: &'a str) -> DocText<'a> {
    let company = match e.company.as_deref() {
        Some(c) => match k.companies.get(c) {
            Some(c) => format!("{} {}", c.name, c.aliases.join(" ")),
            None => c.to_string(),
        },
        None => String::new(),
    };
    let mut tech = String::new();
    for t in &e.technologies {
        if let Some(te) = k.techs.get(t) {
            tech.push_str(&format!("{} {} ", te.name, te.aliases.join(" ")));
        }
    }
    DocText {
        entry: e,
        company,
        tech,
        scope,
        key: format!("/{}", e.id),
    }
}

impl Engine {
    /// Builds the engine; with a data directory the index is persisted there and reused
    /// while the knowledge is unchanged, otherwise it lives in memory.
    pub fn new(knowledge: Knowledge, data_dir: Option<&Path>) -> anyhow::Result<Engine> {
        let docs = doc_texts(&knowledge);
        let (index, built) = match data_dir {
            Some(d) => SearchIndex::open_or_build(d, &docs)?,
            None => (SearchIndex::in_memory(&docs)?, true),
        };
        let mut a = analyzer();
        let term_sets: Vec<HashSet<String>> = docs
            .iter()
            .map(|d| {
                let all = format!(
                    "{} {} {} {}",
                    d.entry.title, d.entry.text, d.company, d.tech
                );
                terms(&mut a, &all).into_iter().collect()
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
        drop(docs);
        let fact_keys = knowledge.entries.iter().map(fact_key).collect();
        let typos = query::TypoIndex::new(&knowledge);
        let mut by_company: HashMap<String, Vec<u64>> = HashMap::new();
        let mut by_tech: HashMap<String, Vec<u64>> = HashMap::new();
        for (i, e) in knowledge.entries.iter().enumerate() {
            if let Some(c) = &e.company {
                by_company.entry(c.clone()).or_default().push(i as u64);
            }
            if matches!(e.kind, Kind::Tech | Kind::Stack) {
                for t in &e.technologies {
                    by_tech.entry(t.clone()).or_default().push(i as u64);
                }
            }
        }
        Ok(Engine {
            knowledge,
            index,
            entry_terms,
            vocab,
            df,
            fact_keys,
            typos,
            by_company,
            by_tech,
            analyzer: a,
            built,
            community: community::Community::new()?,
        })
    }

    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// Whether opening the engine had to build the index (first run or changed knowledge).
    pub fn index_was_built(&self) -> bool {
        self.built
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// Understands a question (entities, typos, intent) without searching.
    pub fn understand(&self, question: &str) -> Understanding {
        let q = clip_words(question, MAX_QUESTION_WORDS);
        let a = std::cell::RefCell::new(self.analyzer.clone());
        let known = |w: &str| {
            terms(&mut a.borrow_mut(), w)
                .iter()
                .all(|t| self.df.contains_key(t))
        };
        understand(&self.knowledge, &self.typos, &q, &known)
    }

    /// Answers a question from the base knowledge: best results first, empty when nothing
    /// relevant is known.
    pub fn ask(&self, question: &str, limit: usize) -> Answer {
        self.search_in(question, limit, &[], None)
    }

    /// The entries a guild (or, with `None`, a DM or the CLI) sees.
    pub fn visible(&self, guild: Option<u64>) -> Visible<'_> {
        Visible {
            base: &self.knowledge.entries,
            st: self
                .community
                .state
                .read()
                .unwrap_or_else(|p| p.into_inner()),
            guild,
        }
    }

    /// Applies changes of the community store (after they were committed there) so that
    /// search sees them at once.
    pub fn apply(&self, changes: Vec<(u64, String, community::Change)>) -> anyhow::Result<()> {
        let mut a = self.analyzer.clone();
        self.community.apply(&self.knowledge, &mut a, changes)?;
        Ok(())
    }

    /// Searches what `guild` sees: the base knowledge (minus what it hid or replaced) and
    /// its own entries. `None` searches the base knowledge only.
    pub fn search_in(
        &self,
        question: &str,
        limit: usize,
        kinds: &[Kind],
        guild: Option<u64>,
    ) -> Answer {
        self.search_window(question, limit, kinds, guild, 0..limit)
    }

    /// Like [`Engine::search_in`], cutting excerpts only for the results in `window` (the
    /// page shown); the others carry an empty excerpt. Excerpts are the costly part.
    pub fn search_window(
        &self,
        question: &str,
        limit: usize,
        kinds: &[Kind],
        guild: Option<u64>,
        window: std::ops::Range<usize>,
    ) -> Answer {
        let limit = limit.clamp(1, 25);
        let st = self
            .community
            .state
            .read()
            .unwrap_or_else(|p| p.into_inner());
        let base_n = self.knowledge.entries.len() as u64;
        let get = |ord: u64| -> Option<(&Entry, Terms)> {
            if ord < base_n {
                let i = ord as usize;
                Some((
                    &self.knowledge.entries[i],
                    Terms::Base(&self.entry_terms[i]),
                ))
            } else {
                st.slot(ord)
                    .filter(|s| Some(s.guild) == guild)
                    .map(|s| (&s.entry, Terms::Own(&s.terms)))
            }
        };
        let u = self.understand(question);
        let k = &self.knowledge;
        let mut a = self.analyzer.clone();
        let qterms: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for w in &u.content_words {
                for t in terms(&mut a, w) {
                    if !v.contains(&t) {
                        v.push(t);
                    }
                }
            }
            v
        };
        let n_docs = self.index.num_docs().max(1) as f32;
        let idf: HashMap<&str, f32> = qterms
            .iter()
            .map(|t| {
                let df = self.df.get(t).copied().unwrap_or(0) as f32;
                (t.as_str(), (1.0 + n_docs / (df + 0.5)).ln())
            })
            .collect();
        let idf_total: f32 = idf.values().sum();
        let residual: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for w in &u.residual_words {
                for t in terms(&mut a, w) {
                    if idf.contains_key(t.as_str()) && !v.contains(&t) {
                        v.push(t);
                    }
                }
            }
            v
        };
        let residual_total: f32 = residual.iter().map(|t| idf[t.as_str()]).sum();
        // Query terms with their vocabulary ids and weights, looked up once per query.
        let weighed = |ts: &[String]| -> Vec<(String, Option<u32>, f32)> {
            ts.iter()
                .map(|t| (t.clone(), self.vocab.get(t).copied(), idf[t.as_str()]))
                .collect()
        };
        let (q_w, r_w) = (weighed(&qterms), weighed(&residual));
        let share = |et: &Terms, ws: &[(String, Option<u32>, f32)], total: f32| -> f32 {
            ws.iter()
                .filter(|(t, id, _)| et.has(t, *id))
                .map(|x| x.2)
                .sum::<f32>()
                / total
        };

        let company_names: Vec<String> = u
            .companies
            .iter()
            .filter_map(|id| k.companies.get(id).map(|c| c.name.clone()))
            .collect();

        // Candidates: BM25 plus every entry about a named company or technology.
        let mut bm: HashMap<u64, f32> = HashMap::new();
        for (ord, s) in self.index.bm25(&qterms, &[], 80).unwrap_or_default() {
            bm.insert(ord, s);
        }
        if let Some(g) = guild {
            let scope = g.to_string();
            for (ord, s) in self
                .community
                .index
                .bm25(&qterms, &[&scope], 40)
                .unwrap_or_default()
            {
                bm.insert(ord, s);
            }
        }
        let mut cands: HashSet<u64> = bm.keys().copied().collect();
        // Every base entry about a named company, and every stack or tech entry of a named
        // technology, from maps built once; then the guild's own entries.
        for name in &company_names {
            cands.extend(self.by_company.get(name).into_iter().flatten().copied());
        }
        for t in &u.techs {
            cands.extend(self.by_tech.get(t).into_iter().flatten().copied());
        }
        let own = guild
            .into_iter()
            .flat_map(|g| st.live_in(g).map(|(o, s)| (o, &s.entry)));
        for (i, e) in own {
            let about_company = e
                .company
                .as_ref()
                .is_some_and(|c| company_names.contains(c));
            let about_tech = e.technologies.iter().any(|t| u.techs.contains(t));
            if about_company || (about_tech && matches!(e.kind, Kind::Tech | Kind::Stack)) {
                cands.insert(i);
            }
        }
        let max_bm = bm.values().cloned().fold(0.0f32, f32::max).max(1e-6);

        let entity = !u.companies.is_empty() || !u.techs.is_empty();
        let qwords = query::word_set(&u.normalized);
        let mut scored: Vec<(u64, f32, f32)> = Vec::new(); // (ord, score, coverage)
        for &i in &cands {
            let Some((e, et)) = get(i) else { continue };
            if i < base_n && st.is_masked(guild, &e.id) {
                continue;
            }
            if !kinds.is_empty() && !kinds.contains(&e.kind) {
                continue;
            }
            let cov = if idf_total > 0.0 {
                share(&et, &q_w, idf_total)
            } else {
                0.0
            };
            // Share of what the question asks beyond the names it mentions.
            let rcov = if residual_total > 0.0 {
                share(&et, &r_w, residual_total)
            } else {
                1.0
            };
            let mut s = bm.get(&i).copied().unwrap_or(0.0) / max_bm + 1.5 * cov + rcov;
            let company_match = e
                .company
                .as_ref()
                .is_some_and(|c| company_names.contains(c));
            if !company_names.is_empty() {
                if company_match {
                    s += 1.0;
                } else if e.company.is_some() {
                    s -= 0.8;
                } else if e.kind != Kind::Tech {
                    s -= 0.3;
                }
            }
            let tech_hits = e
                .technologies
                .iter()
                .filter(|t| u.techs.contains(t))
                .count();
            if !u.techs.is_empty() {
                s += 0.8 * tech_hits as f32 / u.techs.len() as f32;
            }
            match (u.intent, e.kind) {
                (Intent::Stack, Kind::Stack) if company_match => {
                    // A stack answers "what does X use" in full only when it also covers
                    // the rest of the question.
                    s += 1.5 * rcov;
                    if stack_has_layers(e, &u.layers) {
                        s += 0.3;
                    }
                }
                (Intent::Uses, Kind::Tech) if tech_hits > 0 => s += 2.5,
                (Intent::Uses, Kind::Stack) if tech_hits > 0 => s += 1.0,
                (Intent::WhatIs, Kind::Tech) if tech_hits > 0 => s += 2.5,
                (Intent::Reading, Kind::Reading) => s += 0.6,
                _ => {}
            }
            if u.explanatory && matches!(e.kind, Kind::Qa | Kind::Article | Kind::Note) {
                s += 0.5;
            }
            if u.quantity && e.text.chars().any(|c| c.is_ascii_digit()) && cov > 0.0 {
                s += 0.4;
            }
            if let Detail::Qa { question, .. } = &e.detail {
                let qw = query::word_set(question);
                let common = qw.iter().filter(|w| qwords.contains(w)).count() as f32;
                let sim = common / (qw.len().max(qwords.len()).max(1) as f32);
                if sim >= 0.6 {
                    s += 3.0 * sim;
                }
            }
            let relevant = cov >= COVERAGE_FLOOR || company_match || tech_hits > 0;
            if relevant {
                scored.push((i, s, cov));
            }
        }
        scored.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));

        let answerable = entity
            || scored
                .first()
                .is_some_and(|&(_, _, cov)| cov >= COVERAGE_FLOOR);
        let mut results: Vec<SearchResult> = Vec::new();
        if answerable {
            let top = scored.first().map(|x| x.1).unwrap_or(0.0);
            let hl = self.highlight_terms(&u, &qterms);
            // The key each result is folded by, computed once.
            let mut keys: Vec<String> = Vec::new();
            for (i, s, _) in scored {
                if s < top * 0.25 {
                    break;
                }
                let Some((e, _)) = get(i) else { continue };
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
                let parts = if window.contains(&results.len()) {
                    self.excerpt_for(e, &u, &hl)
                } else {
                    Excerpt::default()
                };
                results.push(SearchResult {
                    id: e.id.clone(),
                    kind: e.kind,
                    title: e.title.clone(),
                    excerpt: parts.plain(),
                    excerpt_marked: parts.marked(),
                    company: e.company.clone(),
                    sources: e.sources.clone(),
                    score: (s * 1000.0).round() / 1000.0,
                    also: Vec::new(),
                    parts,
                });
            }
        }
        let suggestions = if results.is_empty() {
            self.suggestions(&u)
        } else {
            Vec::new()
        };
        Answer {
            query: question.to_string(),
            results,
            suggestions,
            intent: u.intent,
            understanding: Some(u),
        }
    }

    /// Analysed terms to mark in excerpts: the question's words and every name of the
    /// companies and technologies it names.
    fn highlight_terms(&self, u: &Understanding, qterms: &[String]) -> HashSet<String> {
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

    fn excerpt_for(&self, e: &Entry, u: &Understanding, hl: &HashSet<String>) -> Excerpt {
        let mut a = self.analyzer.clone();
        match &e.detail {
            Detail::Stack { layers, .. } => {
                // Layers the question asks about first, then layers naming its technologies.
                let mut lines: Vec<(u8, String)> = layers
                    .iter()
                    .map(|g| {
                        let items: Vec<String> = g.items.iter().map(item_text).collect();
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
                let mut text: String = lines
                    .into_iter()
                    .map(|l| l.1)
                    .collect::<Vec<_>>()
                    .join("\n");
                if text.is_empty() {
                    text = e.text.clone();
                }
                excerpt::excerpt(&mut a, &text, hl, 700)
            }
            Detail::Tech { .. } => excerpt::excerpt(&mut a, &e.text, hl, 700),
            _ => excerpt::excerpt(&mut a, &e.text, hl, 320),
        }
    }

    /// "Did you mean" names for a question that found nothing.
    fn suggestions(&self, u: &Understanding) -> Vec<String> {
        let k = &self.knowledge;
        let mut out: Vec<String> = Vec::new();
        for w in &u.content_words {
            if w.chars().count() < 4 {
                continue;
            }
            for c in k.companies.suggest(w, 2) {
                if !out.contains(&c.name) {
                    out.push(c.name.clone());
                }
            }
            for t in k.techs.suggest(w, 2) {
                if !out.contains(&t.name) {
                    out.push(t.name.clone());
                }
            }
        }
        out.truncate(5);
        out
    }
}

fn stack_has_layers(e: &Entry, layers: &[Layer]) -> bool {
    match &e.detail {
        Detail::Stack { layers: gs, .. } => gs.iter().any(|g| layers.contains(&g.layer)),
        _ => false,
    }
}

/// Entries with one key state the same fact: the same kind and title, or two stacks of one
/// company.
fn fact_key(e: &Entry) -> String {
    match e.kind {
        Kind::Stack => format!("stack:{}", e.company.as_deref().unwrap_or(&e.id)),
        k => format!("{}:{}", k.as_str(), normalize(&e.title)),
    }
}

/// The first `n` words of a text (whitespace-separated), so huge inputs cost little.
pub fn clip_words(s: &str, n: usize) -> String {
    s.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}
