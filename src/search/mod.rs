//! The answer engine behind `/ask` and the CLI. One question goes through typed stages:
//! understand ([`query`]) → retrieve ([`retrieve`]: BM25, named entities, nearest in
//! meaning) → rank ([`rank`]: weighted evidence and the relevance floor) → fold
//! ([`fold`]: one result per fact, answering excerpts). Knows nothing about Discord.

mod bert;
pub mod community;
pub mod excerpt;
mod fold;
pub mod index;
pub mod query;
pub mod rank;
pub mod retrieve;
pub mod semantic;
pub mod vectors;

use crate::knowledge::{Entry, Kind, Knowledge};
use excerpt::Excerpt;
use fold::fact_key;
use index::{analyzer, terms, DocText, SearchIndex};
use query::{understand, Intent, Understanding};
use rank::Weights;
use semantic::Encoder;
use serde::Serialize;
use sha2::Digest;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tantivy::tokenizer::TextAnalyzer;
use vectors::Vectors;

/// Words of a question that are read; the rest of a very long text is ignored.
pub const MAX_QUESTION_WORDS: usize = 64;

/// Search could not run (the index failed); never the same as "nothing relevant".
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
}

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
    /// The key each base entry folds by (see `fold::fact_key`).
    fact_keys: Vec<String>,
    typos: query::TypoIndex,
    /// Base entries by company name, and stack and tech entries by technology.
    by_company: HashMap<String, Vec<u64>>,
    by_tech: HashMap<String, Vec<u64>>,
    analyzer: TextAnalyzer,
    built: bool,
    community: community::Community,
    /// The sentence encoder; `None` when semantic retrieval is off.
    encoder: Option<Encoder>,
    /// Base entry and sentence vectors (with the encoder).
    vectors: Option<Vectors>,
    weights: Weights,
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
        Engine::with_encoder(knowledge, data_dir, None)
    }

    /// Like [`Engine::new`], with semantic retrieval when `encoder` is given: entry and
    /// sentence vectors are read from the index folder, or computed and stored there.
    pub fn with_encoder(
        knowledge: Knowledge,
        data_dir: Option<&Path>,
        encoder: Option<Encoder>,
    ) -> anyhow::Result<Engine> {
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
        let vectors = match &encoder {
            Some(enc) => Some(Self::open_vectors(enc, &knowledge, index.dir.as_deref())?),
            None => None,
        };
        let weights = if encoder.is_some() {
            Weights::default()
        } else {
            Weights::lexical()
        };
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
            encoder,
            vectors,
            weights,
        })
    }

    /// The vectors stored beside the index for this encoder, computed when missing.
    fn open_vectors(enc: &Encoder, k: &Knowledge, dir: Option<&Path>) -> anyhow::Result<Vectors> {
        // The concepts' descriptions go into entry vectors: editing them recomputes.
        let concepts = k
            .topics
            .concepts
            .iter()
            .map(|c| format!("{}={}", c.names.join("|"), c.about))
            .collect::<Vec<_>>()
            .join("\n");
        let concepts = &hex::encode(sha2::Sha256::digest(concepts.as_bytes()))[..12];
        let path = dir.map(|d| {
            d.join(format!(
                "vectors-v{}-{}-{concepts}.bin",
                vectors::LAYOUT,
                enc.fingerprint()
            ))
        });
        if let Some(v) = path
            .as_deref()
            .and_then(|p| Vectors::load(p, k.entries.len()))
        {
            return Ok(v);
        }
        let t = std::time::Instant::now();
        let v = Vectors::compute(enc, &k.entries, &k.topics)?;
        tracing::info!(
            entries = v.len(),
            ms = t.elapsed().as_millis() as u64,
            "computed entry vectors"
        );
        if let Some(p) = &path {
            match v.save(p) {
                Ok(()) => remove_other_vectors(p),
                Err(e) => {
                    tracing::warn!(error = %e, path = %p.display(), "could not store entry vectors")
                }
            }
        }
        Ok(v)
    }

    /// Whether semantic retrieval is on.
    pub fn semantic(&self) -> bool {
        self.encoder.is_some()
    }

    /// The weights ranking uses (fitted defaults, or the lexical ones).
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// Replaces the ranking weights (the fitting tool tries many).
    pub fn set_weights(&mut self, w: Weights) {
        self.weights = w;
    }

    fn state(&self) -> std::sync::RwLockReadGuard<'_, community::State> {
        self.community
            .state
            .read()
            .unwrap_or_else(|p| p.into_inner())
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
        // A word is known when the knowledge uses it, or when it is an ordinary English
        // word of the encoder's vocabulary ("flash" is no typo of Flask).
        let known = |w: &str| {
            self.is_english(w)
                || terms(&mut a.borrow_mut(), w)
                    .iter()
                    .all(|t| self.df.contains_key(t))
        };
        let mut u = understand(&self.knowledge, &self.typos, &q, &known);
        // Words neither the knowledge nor English knows, no typo of a name, and written
        // where a name goes: the name of something the knowledge does not hold ("Snapchat",
        // "how does tiktok rank"). An unfamiliar ordinary word ("taming memory bloat") is
        // not a name.
        u.unknown_names = u
            .residual_words
            .iter()
            .filter(|w| {
                w.chars().count() >= 4
                    && w.chars().all(|c| c.is_ascii_alphabetic())
                    && !self.knowledge.topics.is_filler(w)
                    && !known(w)
                    && written_as_a_name(&q, w)
            })
            .cloned()
            .collect();
        u
    }

    /// Whether `w` (normalised) is a whole word of the encoder's English vocabulary.
    fn is_english(&self, w: &str) -> bool {
        self.encoder.as_ref().is_some_and(|e| e.is_word(w))
    }

    /// Why a question is answered as it is: the understanding, and the best `n` candidates
    /// of the base knowledge with their evidence, score, and whether they pass the floor
    /// (`archie ask --explain`).
    pub fn explain(&self, question: &str, n: usize) -> Result<serde_json::Value, SearchError> {
        let r = self.retrieve(question, &[], None)?;
        let asked = r.asked();
        // The floor exactly as ranking applies it to this question.
        let w = &self.weights.floor_for(asked);
        let mut rows: Vec<(f32, serde_json::Value)> = r
            .candidates
            .iter()
            .filter_map(|c| {
                let e = self.knowledge.entries.get(c.ord as usize)?;
                let score = w.score(&c.features);
                let row = serde_json::json!({
                    "id": e.id,
                    "title": e.title,
                    "score": score,
                    "relevant": w.relevant(&c.features, c.named),
                    "named": c.named,
                    "features": c.features,
                });
                Some((score, row))
            })
            .collect();
        rows.sort_by(|x, y| y.0.total_cmp(&x.0));
        Ok(serde_json::json!({
            "understanding": r.understanding,
            "asked": asked,
            "candidates": rows.into_iter().take(n).map(|x| x.1).collect::<Vec<_>>(),
        }))
    }

    /// Answers a question from the base knowledge: best results first, empty when nothing
    /// relevant is known.
    pub fn ask(&self, question: &str, limit: usize) -> Result<Answer, SearchError> {
        self.search_in(question, limit, &[], None)
    }

    /// The entries a guild (or, with `None`, a DM or the CLI) sees.
    pub fn visible(&self, guild: Option<u64>) -> Visible<'_> {
        Visible {
            base: &self.knowledge.entries,
            st: self.state(),
            guild,
        }
    }

    /// Applies changes of the community store (after they were committed there) so that
    /// search sees them at once.
    pub fn apply(&self, changes: Vec<(u64, String, community::Change)>) -> anyhow::Result<()> {
        let mut a = self.analyzer.clone();
        let vectors = |e: &Entry| {
            let enc = self.encoder.as_ref()?;
            Vectors::for_entry(enc, e, &self.knowledge.topics)
                .map_err(|err| tracing::warn!(error = %err, id = %e.id, "no vector for entry"))
                .ok()
        };
        self.community
            .apply(&self.knowledge, &mut a, &vectors, changes)?;
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
    ) -> Result<Answer, SearchError> {
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
    ) -> Result<Answer, SearchError> {
        let limit = limit.clamp(1, 25);
        let r = self.retrieve(question, kinds, guild)?;
        let ranked = rank::rank(&r.candidates, r.asked(), &self.weights);
        let results = self.fold(&r, &ranked, guild, limit, window);
        let suggestions = if results.is_empty() {
            self.suggestions(&r.understanding, r.qvec.as_deref())
        } else {
            Vec::new()
        };
        Ok(Answer {
            query: question.to_string(),
            results,
            suggestions,
            intent: r.understanding.intent,
            understanding: Some(r.understanding),
        })
    }

    /// "Did you mean" for a question that found nothing: names its unknown words are a
    /// likely typo of, and reading-list topics close in meaning; nothing when nothing is
    /// close (an off-topic question gets no made-up leads).
    fn suggestions(&self, u: &Understanding, qvec: Option<&[f32]>) -> Vec<String> {
        let k = &self.knowledge;
        let mut out: Vec<String> = Vec::new();
        let mut a = self.analyzer.clone();
        for w in &u.content_words {
            let known = terms(&mut a, w).iter().all(|t| self.df.contains_key(t));
            if w.chars().count() < 4 || known || k.topics.is_filler(w) {
                continue;
            }
            let names = k
                .companies
                .suggest_min(w, 2, SUGGEST_SIMILARITY)
                .into_iter()
                .map(|c| &c.name)
                .chain(
                    k.techs
                        .suggest_min(w, 2, SUGGEST_SIMILARITY)
                        .into_iter()
                        .map(|t| &t.name),
                );
            for n in names {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
        }
        if let (Some(q), Some(v)) = (qvec, &self.vectors) {
            let mut topics: Vec<(f32, &str)> = Vec::new();
            for (i, e) in k.entries.iter().enumerate() {
                if let crate::knowledge::Detail::Reading { topic: Some(t), .. } = &e.detail {
                    let c = v.entry(i).map_or(0.0, |ev| semantic::cosine(q, ev));
                    if c >= SUGGEST_TOPIC_COSINE {
                        topics.push((c, t));
                    }
                }
            }
            topics.sort_by(|x, y| y.0.total_cmp(&x.0));
            for (_, t) in topics {
                if out.len() < 5 && !out.iter().any(|o| o == t) {
                    out.push(t.to_string());
                }
            }
        }
        out.truncate(5);
        out
    }
}

/// Removes vectors of another model or layout beside `keep` (best effort).
fn remove_other_vectors(keep: &Path) {
    let (Some(dir), Some(name)) = (keep.parent(), keep.file_name()) else {
        return;
    };
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let n = e.file_name();
        if n != name && n.to_string_lossy().starts_with("vectors-") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether `word` (lowercase) stands in `question` the way a name does: capitalised, or as
/// the subject or owner of what is asked ("does tiktok rank", "at duolingo",
/// "roblox's servers", "roblox uses").
fn written_as_a_name(question: &str, word: &str) -> bool {
    const BEFORE: &[&str] = &["does", "did", "do", "at", "from", "by"];
    const AFTER: &[&str] = &["use", "uses", "used", "using", "run", "runs", "ran"];
    let tokens: Vec<&str> = question
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|t| !t.is_empty())
        .collect();
    tokens.iter().enumerate().any(|(i, t)| {
        let (bare, owner) = match t.strip_suffix("'s").or_else(|| t.strip_suffix("’s")) {
            Some(b) => (b, true),
            None => (*t, false),
        };
        if !bare.eq_ignore_ascii_case(word) {
            return false;
        }
        let lower = |j: usize| tokens.get(j).map(|t| t.to_lowercase());
        // A lowercase word ending in -ing after "by" or "from" is a verb ("by replaying").
        let verb = bare.ends_with("ing");
        owner
            || bare.chars().any(char::is_uppercase)
            || !verb
                && i.checked_sub(1)
                    .and_then(lower)
                    .is_some_and(|p| BEFORE.contains(&p.as_str()))
            || lower(i + 1).is_some_and(|n| AFTER.contains(&n.as_str()))
    })
}

/// How alike (Jaro-Winkler) an unknown word and a name must be to suggest the name.
const SUGGEST_SIMILARITY: f64 = 0.88;
/// How close in meaning a reading-list topic must be to a declined question to offer it.
const SUGGEST_TOPIC_COSINE: f32 = 0.5;

/// The first `n` words of a text (whitespace-separated), so huge inputs cost little.
pub fn clip_words(s: &str, n: usize) -> String {
    s.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::written_as_a_name;

    #[test]
    fn a_name_is_told_from_an_unfamiliar_word_by_where_it_stands() {
        assert!(written_as_a_name(
            "What database does Snapchat use?",
            "snapchat"
        ));
        assert!(written_as_a_name("how does tiktok rank videos", "tiktok"));
        assert!(written_as_a_name("what's roblox's backend", "roblox"));
        assert!(written_as_a_name("roblox uses what for servers", "roblox"));
        assert!(written_as_a_name("the stack at duolingo", "duolingo"));
        assert!(!written_as_a_name(
            "any writeups on taming GC and memory bloat?",
            "taming"
        ));
        assert!(!written_as_a_name(
            "any writeups on taming GC and memory bloat?",
            "bloat"
        ));
        // Only whole words count.
        assert!(!written_as_a_name("Snapchatters say hi", "snapchat"));
    }
}
