//! The engine: builds the index, the term statistics and the vectors once, then answers
//! questions through the stages of [`super`] (understand → retrieve → rank → fold).

use super::community::{self, GuildView};
use super::damage::Damage;
use super::fold::fact_key;
use super::index::{analyzer, doc_texts, fingerprint, terms, IndexError, SearchIndex};
use super::query::{self, understand, Understanding};
use super::rank::{self, Fitted, Floor, Weights};
use super::semantic::Encoder;
use super::suggest::{leads_the_question, written_as_a_name, written_as_an_owner};
use super::vectors::{self, Vectors};
use super::visible::Visible;
use super::{clip_words, SearchAnswer, SearchError, MAX_QUESTION_WORDS};
use archie_knowledge::{Entry, Kind, Knowledge};
use spelling::{regular_plurals, undoubled};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tantivy::tokenizer::TextAnalyzer;

mod derived;
mod spelling;
use derived::{community_fingerprint, concepts_hash, entries_by_name, term_stats};

pub struct Engine {
    pub(super) knowledge: Knowledge,
    /// The base index; replaced when it is rebuilt after a failed read.
    index: RwLock<Arc<SearchIndex>>,
    /// Where the base index is persisted (`None`: in memory).
    data_dir: Option<PathBuf>,
    /// Whether a read of the base index failed (it is not used until rebuilt).
    pub(super) base_damage: Damage,
    /// One repair at a time.
    repairing: Mutex<()>,
    /// Analysed terms of each entry (by ordinal), for coverage and highlighting.
    pub(super) entry_terms: Vec<Vec<u32>>,
    /// Every analysed term of the base entries, numbered; `entry_terms` holds sorted ids.
    pub(super) vocab: HashMap<String, u32>,
    /// In how many entries each analysed term occurs (any field).
    pub(super) df: HashMap<String, u32>,
    /// Every word the base knowledge writes, as written (normalised, not stemmed): a
    /// name the knowledge lacks may stem like a word it has ("fastly", "fast").
    pub(super) written: HashSet<String>,
    /// The key each base entry folds by (see `fold::fact_key`).
    pub(super) fact_keys: Vec<String>,
    /// Base entries' positions by id (the set of base ids, too).
    pub(super) base_index: HashMap<String, usize>,
    pub(super) typos: query::TypoIndex,
    /// Base entries by company name, and stack and tech entries by technology.
    pub(super) by_company: HashMap<String, Vec<u64>>,
    pub(super) by_tech: HashMap<String, Vec<u64>>,
    pub(super) analyzer: TextAnalyzer,
    pub(super) built: bool,
    pub(super) community: community::Community,
    /// The sentence encoder; `None` when semantic retrieval is off.
    pub(super) encoder: Option<Encoder>,
    /// Base entry and sentence vectors (with the encoder).
    pub(super) vectors: Option<Vectors>,
    pub(super) weights: Weights,
    /// The learned relevance floor of this mode.
    pub(super) floor: Floor,
    /// The glossary's concepts, for reading what a question describes.
    pub(super) concepts: super::concepts::ConceptIndex,
}

impl Engine {
    /// Builds the engine; with a data directory the index is persisted there and reused
    /// while the knowledge is unchanged, otherwise it lives in memory.
    pub fn new(knowledge: Knowledge, data_dir: Option<&Path>) -> Result<Engine, SearchError> {
        Engine::with_encoder(knowledge, data_dir, None)
    }

    /// Like [`Engine::new`], with semantic retrieval when `encoder` is given: entry and
    /// sentence vectors are read from the index folder, or computed and stored there.
    pub fn with_encoder(
        knowledge: Knowledge,
        data_dir: Option<&Path>,
        encoder: Option<Encoder>,
    ) -> Result<Engine, SearchError> {
        let docs = doc_texts(&knowledge);
        let (index, built) = match data_dir {
            Some(d) => SearchIndex::open_or_build(d, &docs)?,
            None => (
                SearchIndex::in_memory(&docs).map_err(IndexError::from)?,
                true,
            ),
        };
        let mut a = analyzer();
        let (entry_terms, vocab, df) = term_stats(&mut a, &docs);
        let written = docs
            .iter()
            .flat_map(|d| {
                let all = [&d.entry.title, &d.entry.text, &d.company, &d.tech];
                all.into_iter().flat_map(|t| {
                    archie_text::normalize(t)
                        .split(' ')
                        .map(String::from)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let community = community::Community::new(
            data_dir.map(|d| d.join("community")),
            community_fingerprint(&knowledge, &fingerprint(&docs), encoder.as_ref()),
        );
        drop(docs);
        let fact_keys = knowledge.entries.iter().map(fact_key).collect();
        let base_index = knowledge
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let typos = query::TypoIndex::new(&knowledge);
        let (by_company, by_tech) = entries_by_name(&knowledge);
        let vectors = match &encoder {
            Some(enc) => Some(Self::open_vectors(enc, &knowledge, index.dir.as_deref())?),
            None => None,
        };
        let concepts = super::concepts::ConceptIndex::build(
            &knowledge,
            &mut a,
            encoder.as_ref(),
            index.dir.as_deref(),
            &match &encoder {
                Some(enc) => format!("{}-{}", enc.fingerprint(), concepts_hash(&knowledge)),
                None => String::new(),
            },
        )?;
        let fitted = Fitted::shipped();
        let mode = if encoder.is_some() {
            fitted.hybrid
        } else {
            fitted.lexical
        };
        let (weights, floor) = (mode.weights, mode.floor);
        Ok(Engine {
            knowledge,
            index: RwLock::new(Arc::new(index)),
            data_dir: data_dir.map(Path::to_path_buf),
            base_damage: Damage::new("index"),
            repairing: Mutex::new(()),
            entry_terms,
            vocab,
            df,
            written,
            fact_keys,
            base_index,
            typos,
            by_company,
            by_tech,
            analyzer: a,
            built,
            community,
            encoder,
            vectors,
            weights,
            floor,
            concepts,
        })
    }

    /// The vectors stored beside the index for this encoder, computed when missing.
    fn open_vectors(
        enc: &Encoder,
        k: &Knowledge,
        dir: Option<&Path>,
    ) -> Result<Vectors, SearchError> {
        let concepts = &concepts_hash(k);
        let path = dir.map(|d| {
            d.join(format!(
                "vectors-v{}-{}-{concepts}.bin",
                vectors::LAYOUT,
                enc.fingerprint()
            ))
        });
        if let Some(p) = &path {
            if let Some(v) = vectors::read_or_say_why(p, k.entries.len(), "entry vectors") {
                return Ok(v);
            }
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
                Ok(()) => vectors::remove_others(p),
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

    /// The relevance floor ranking uses.
    pub fn floor(&self) -> &Floor {
        &self.floor
    }

    /// Replaces the relevance floor (the fitting tool).
    pub fn set_floor(&mut self, f: Floor) {
        self.floor = f;
    }

    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// Whether opening the engine had to build the index (first run or changed knowledge).
    pub fn index_was_built(&self) -> bool {
        self.built
    }

    /// The sentence encoder, when answering is hybrid.
    pub fn encoder(&self) -> Option<&Encoder> {
        self.encoder.as_ref()
    }

    /// The base index as it is now (a rebuild replaces it).
    pub fn index(&self) -> Arc<SearchIndex> {
        Arc::clone(&self.index.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Why the base index is damaged, while it is (found by a failed read; rebuilt by
    /// [`Engine::repair`]).
    pub fn index_damage(&self) -> Option<String> {
        self.base_damage.get()
    }

    /// Rebuilds what a failed read found damaged: the base index from the knowledge,
    /// the community index from the store. Meanwhile search answers without them.
    /// Returns whether anything was rebuilt. [`Engine::sync`] (the serving process's
    /// follower) calls it first.
    pub fn repair(&self) -> Result<bool, SearchError> {
        let _one = self.repairing.lock().unwrap_or_else(|p| p.into_inner());
        let mut repaired = false;
        if self.base_damage.get().is_some() {
            let t = std::time::Instant::now();
            let docs = doc_texts(&self.knowledge);
            let on_disk = self.data_dir.as_deref().map(|d| {
                SearchIndex::rebuild(d, &docs).inspect_err(|e| {
                    tracing::warn!(error = %e, "could not rebuild the index on disk; keeping it in memory")
                })
            });
            let fresh = match on_disk {
                Some(Ok(si)) => si,
                _ => SearchIndex::in_memory(&docs).map_err(IndexError::from)?,
            };
            *self.index.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(fresh);
            self.base_damage.clear(t.elapsed().as_millis() as u64);
            repaired = true;
        }
        repaired |= self.with_needs(|needs| self.community.repair(needs))?;
        Ok(repaired)
    }

    /// Whether the knowledge's entries use a word: its analysed terms are indexed, and it
    /// is written in them as it is (or without a plural "s").
    pub(crate) fn knowledge_uses(&self, a: &mut TextAnalyzer, w: &str) -> bool {
        let indexed = terms(a, w).iter().all(|t| self.df.contains_key(t));
        let bare = w.strip_suffix('s').unwrap_or(w);
        indexed && [w, bare].iter().any(|x| self.written.contains(*x))
    }

    /// Understands a question (entities, typos, intent) without searching.
    pub fn understand(&self, question: &str) -> Understanding {
        let q = clip_words(&query::markup::clean(question), MAX_QUESTION_WORDS);
        let a = std::cell::RefCell::new(self.analyzer.clone());
        let in_knowledge = |w: &str| {
            terms(&mut a.borrow_mut(), w)
                .iter()
                .all(|t| self.df.contains_key(t))
        };
        // A word is known when the knowledge uses it, when the glossary names an idea with
        // it ("sidecar"), or when it is an ordinary English word of the encoder's
        // vocabulary (an English word is no typo of a name).
        let known = |w: &str| self.is_english(w) || in_knowledge(w) || self.concepts.names_word(w);
        let q = regular_plurals(&q, &known);
        let mut u = understand(&self.knowledge, &self.typos, &q, &known);
        // A layer written in Korean ("캐싱") is looked up by the English word for it that
        // the knowledge writes most ("caching").
        for w in u
            .content_words
            .iter_mut()
            .chain(u.residual_words.iter_mut())
        {
            if let Some(english) = self.english_layer_word(w) {
                *w = english;
            }
        }
        // A residual word that could be a name: letters only, at least `min` of them, and
        // not chat filler.
        let name_like = |w: &str, min: usize| {
            w.chars().count() >= min
                && w.chars().all(|c| c.is_ascii_alphabetic())
                && !self.knowledge.topics.is_filler(w)
        };
        let residual = |keep: &dyn Fn(&str) -> bool| -> Vec<String> {
            u.residual_words
                .iter()
                .filter(|w| keep(w))
                .cloned()
                .collect()
        };
        // Words neither the knowledge nor English knows and no typo of a name; written
        // where a name goes, they are the name of something the knowledge does not hold
        // ("Figma", "how does roblox scale"). An unfamiliar word elsewhere may be a
        // misspelling or jargon: only evidence, not a name.
        // An English word with one letter of a double left out ("actualy") is a slip of
        // the keys, not a name.
        let unknown_words = residual(&|w| {
            name_like(w, 4) && !known(w) && !undoubled(w).any(|d| self.is_english(&d))
        });
        // Ordinary English words the knowledge never uses, written where a name goes
        // ("how does zoom scale", "telegram's servers"): perhaps a product it lacks.
        let unfamiliar_names = residual(&|w| {
            name_like(w, 3)
                && !self.knowledge_uses(&mut a.borrow_mut(), w)
                && written_as_a_name(&q, w)
        });
        // An owner the knowledge never writes ("notion's sharding", "fastly's cdn") is a
        // company it lacks, English word or not.
        let owners = residual(&|w| {
            name_like(w, 3)
                && !self.written.contains(w)
                && !archie_knowledge::words::Words::get()
                    .everyday_owners
                    .contains(w)
                && !self.knowledge_uses(&mut a.borrow_mut(), w)
                && written_as_an_owner(&q, w)
        });
        u.unknown_names = unknown_words
            .iter()
            .filter(|w| written_as_a_name(&q, w) || leads_the_question(&q, w))
            .chain(owners.iter().filter(|w| !unknown_words.contains(w)))
            .cloned()
            .collect();
        u.unknown_words = unknown_words;
        u.unfamiliar_names = unfamiliar_names;
        u
    }

    /// Whether `w` (normalised) is a whole word of the encoder's English vocabulary.
    pub(super) fn is_english(&self, w: &str) -> bool {
        match &self.encoder {
            Some(e) => e.is_word(w),
            None => super::semantic::english_words().contains(w),
        }
    }

    /// Why a question is answered as it is: the understanding, and the best `n` candidates
    /// of the base knowledge with their evidence, score, and whether they pass the floor
    /// (`archie ask --explain`).
    pub fn explain(&self, question: &str, n: usize) -> Result<serde_json::Value, SearchError> {
        let r = self.retrieve(question, &[], None)?;
        let asked = r.asked();
        let w = &self.weights;
        let mut rows: Vec<(f32, serde_json::Value)> = r
            .candidates
            .iter()
            .filter_map(|c| {
                let e = self.knowledge.entries.get(c.ord as usize)?;
                let p = self.floor.probability(&c.features, asked, c.named);
                let score = w.score_with(&c.features, p);
                let row = serde_json::json!({
                    "id": e.id,
                    "title": e.title,
                    "score": score,
                    "probability": p,
                    "named": c.named,
                    "features": c.features,
                });
                Some((score, row))
            })
            .collect();
        rows.sort_by(|x, y| y.0.total_cmp(&x.0));
        Ok(serde_json::json!({
            "understanding": r.understanding,
            "concepts": r.concepts,
            "asked": asked,
            "candidates": rows.into_iter().take(n).map(|x| x.1).collect::<Vec<_>>(),
        }))
    }

    /// Answers a question from the base knowledge: best results first, empty when nothing
    /// relevant is known.
    pub fn ask(&self, question: &str, limit: usize) -> Result<SearchAnswer, SearchError> {
        self.search_in(question, limit, &[], None)
    }

    /// The entries a guild (or, with `None`, a DM or the CLI) sees. When the guild's view
    /// cannot be read, the failure is logged and the base knowledge alone is shown.
    pub fn visible(&self, guild: Option<u64>) -> Visible<'_> {
        let view = self.view(guild).unwrap_or_else(|e| {
            tracing::error!(error = %e, ?guild, "the guild's entries could not be read");
            Arc::new(GuildView::empty(guild.unwrap_or(0)))
        });
        Visible {
            base: &self.knowledge.entries,
            base_index: &self.base_index,
            view,
        }
    }

    /// The entry `id` as `guild` (or, with `None`, a DM or the CLI) sees it. Like
    /// `visible(guild).entry(id)`, but a one-shot command ([`community::Views::Store`])
    /// reads that one row instead of the guild's.
    pub fn visible_entry(
        &self,
        guild: Option<u64>,
        id: &str,
    ) -> Result<Option<Entry>, SearchError> {
        let own = match guild {
            Some(g) => self.with_needs(|needs| self.community.own_entry(needs, g, id))?,
            None => None,
        };
        Ok(match own {
            Some(shown) => shown,
            None => self.knowledge.entry(id).cloned(),
        })
    }

    /// What `guild` sees of its community rows (an empty view for `None`).
    pub fn view(&self, guild: Option<u64>) -> Result<Arc<GuildView>, SearchError> {
        match guild {
            Some(g) => self.with_needs(|needs| self.community.view(needs, g)),
            None => Ok(Arc::new(GuildView::empty(0))),
        }
    }

    /// Runs `f` with what community updates need (the knowledge, the entry encoder).
    pub(super) fn with_needs<R>(&self, f: impl FnOnce(&community::Needs) -> R) -> R {
        let vectors = |e: &Entry| {
            let enc = self.encoder.as_ref()?;
            Vectors::for_entry(enc, e, &self.knowledge.topics)
                .map_err(|err| tracing::warn!(error = %err, id = %e.id, "no vector for entry"))
                .ok()
        };
        f(&community::Needs {
            k: &self.knowledge,
            base_ids: &self.base_index,
            vectors: &vectors,
        })
    }

    /// Reads community rows from `source` (the store) from now on. Nothing is read here:
    /// the community index opens on first use (see [`community::Views`]).
    pub fn attach_community(
        &mut self,
        source: Arc<dyn community::Source>,
        views: community::Views,
    ) {
        self.community.attach(source, views);
    }

    /// Applies rows (committed in the store, or made up by tests) so that search sees them
    /// at once. The store's change log is not read.
    pub fn apply(&self, rows: Vec<community::Row>) -> Result<(), SearchError> {
        self.with_needs(|needs| self.community.apply(needs, rows))
    }

    /// Rebuilds a damaged index ([`Engine::repair`]), then applies the store's changes
    /// since the community index's watermark (opening the index first when it is
    /// closed); how many revisions were read.
    pub fn sync(&self) -> Result<usize, SearchError> {
        // A repair that fails (and is retried at the next sync) does not hold up the rest.
        let repaired = self.repair();
        let n = self.with_needs(|needs| self.community.sync(needs))?;
        repaired?;
        Ok(n)
    }

    /// After this process wrote to `guild` in the store: searchable in the guild on return.
    pub fn written(&self, guild: u64) -> Result<(), SearchError> {
        self.with_needs(|needs| self.community.written(needs, guild))
    }

    /// Whether the community index is open, whether it was rebuilt, its watermark, and the
    /// cached guild views.
    pub fn community_status(&self) -> community::CommunityStatus {
        self.community.status()
    }

    /// Bounds the guild views kept in memory (entries plus masked ids, all guilds).
    pub fn set_view_capacity(&self, entries: usize) {
        self.community.set_view_capacity(entries);
    }

    /// Searches what `guild` sees: the base knowledge (minus what it hid or replaced) and
    /// its own entries. `None` searches the base knowledge only.
    pub fn search_in(
        &self,
        question: &str,
        limit: usize,
        kinds: &[Kind],
        guild: Option<u64>,
    ) -> Result<SearchAnswer, SearchError> {
        self.search_window(question, limit, kinds, guild, 0..limit)
    }

    /// The candidates ranked and floored, in the order they are shown.
    pub(crate) fn ranked(
        &self,
        r: &super::retrieve::Retrieved,
        w: &Weights,
        floor: &Floor,
    ) -> Vec<(u64, f32)> {
        let mut ranked = rank::rank(&r.candidates, r.asked(), w, floor);
        if asks_for_companies(&r.understanding) {
            // "who does event sourcing?": the entries about a company first, each group
            // in its own order (a server's own entries count as about one).
            let about_one = |o: u64| {
                self.knowledge
                    .entries
                    .get(o as usize)
                    .is_none_or(|e| e.company.is_some())
            };
            ranked.sort_by_key(|(o, _)| !about_one(*o));
        }
        ranked
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
    ) -> Result<SearchAnswer, SearchError> {
        let limit = limit.clamp(1, 25);
        let r = self.retrieve(question, kinds, guild)?;
        let ranking = std::time::Instant::now();
        let ranked = self.ranked(&r, &self.weights, &self.floor);
        let results = self.fold(&r, &ranked, limit, window);
        super::retrieve::stage("rank", ranking.elapsed());
        let suggestions = if results.is_empty() {
            self.suggestions(&r.understanding, r.qvec.as_deref())
        } else {
            Vec::new()
        };
        Ok(SearchAnswer {
            query: question.to_string(),
            results,
            suggestions,
            intent: r.understanding.intent,
            understanding: Some(r.understanding),
            concepts: r.concepts,
        })
    }
}

/// Whether a question asks which companies do something without naming a company or a
/// technology (`asks_for_companies` in `knowledge/words.toml`).
fn asks_for_companies(u: &Understanding) -> bool {
    let words = &archie_knowledge::words::Words::get().asks_for_companies;
    u.companies.is_empty()
        && u.techs.is_empty()
        && u.normalized.split_whitespace().any(|w| words.contains(w))
}
