//! Retrieval: from an understood question to candidate entries with their evidence.
//! Candidates come from fielded BM25 (base index, and the guild's own index), from the
//! companies and technologies the question names, and from the entries nearest in meaning
//! (when the sentence encoder is on). Each gets its [`Features`]; ranking weighs them.

use super::community::{GuildView, Own};
use super::damage::guarded;
use super::index::terms;
use super::query::{self, Intent, Understanding};
use super::rank::{Candidate, Features};
use super::semantic::cosine;
use super::{Engine, SearchError};
use archie_knowledge::{Detail, Entry, Kind, Layer};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How many entries nearest in meaning join the candidates.
const SEMANTIC_CANDIDATES: usize = 20;
/// How many BM25 hits join the candidates (base index; half as many from a guild's own).
const BM25_CANDIDATES: usize = 80;
/// A guild's own entries about a named company or technology all join the candidates when
/// there are at most this many; a guild holding more leaves the choice among them to BM25
/// (their company and technology fields are indexed), so a question's cost stays bounded
/// however many entries a guild writes about one name.
const OWN_NAMED_CANDIDATES: usize = 64;

mod weighed;
pub(crate) use weighed::{Terms, WeighedTerms};

/// Everything retrieval found for one question.
pub struct Retrieved {
    pub understanding: Understanding,
    /// The question's analysed terms, in order.
    pub qterms: Vec<String>,
    pub candidates: Vec<Candidate>,
    /// The question names a known company or technology.
    pub entity: bool,
    /// The question's vector (semantic retrieval on and the question in English).
    pub qvec: Option<Vec<f32>>,
    pub(crate) weighed: WeighedTerms,
    /// The guild's view the candidates were read from.
    pub(crate) view: Arc<GuildView>,
    /// The glossary concepts the question describes: (name, strength).
    pub concepts: Vec<(String, f32)>,
}

impl Retrieved {
    /// Whether the question names something the knowledge does not hold: then only words,
    /// not meaning alone, may answer it.
    pub fn strict(&self) -> bool {
        !self.understanding.unknown_names.is_empty()
    }

    /// The question as ranking sees it.
    pub fn asked(&self) -> super::rank::QuestionTraits {
        super::rank::QuestionTraits {
            entity: self.entity,
            strict: self.strict(),
            meaning: self.qvec.is_some(),
            unknown: !self.understanding.unknown_words.is_empty(),
            unfamiliar: !self.understanding.unfamiliar_names.is_empty(),
            korean: self
                .understanding
                .normalized
                .chars()
                .any(super::hangul::is_hangul),
        }
    }
}

impl Engine {
    /// An entry by ordinal with its terms, if the view's guild sees it.
    pub(crate) fn get<'a>(
        &'a self,
        view: &'a GuildView,
        ord: u64,
    ) -> Option<(&'a Entry, Terms<'a>)> {
        let base_n = self.knowledge.entries.len() as u64;
        if ord < base_n {
            let i = ord as usize;
            let e = &self.knowledge.entries[i];
            if view.is_masked(&e.id) {
                return None;
            }
            Some((e, Terms::Base(&self.entry_terms[i])))
        } else {
            let o = view.own(ord)?;
            Some((&o.entry, Terms::Own(self.own_terms(o))))
        }
    }

    /// An entry by ordinal, if the view's guild sees it.
    pub(crate) fn entry_at<'a>(&'a self, view: &'a GuildView, ord: u64) -> Option<&'a Entry> {
        match self.knowledge.entries.get(ord as usize) {
            Some(e) => (!view.is_masked(&e.id)).then_some(e),
            None => view.own(ord).map(|o| &o.entry),
        }
    }

    /// A guild entry's analysed terms, computed the first time it is a candidate.
    fn own_terms<'a>(&self, o: &'a Own) -> &'a HashSet<String> {
        o.terms.get_or_init(|| {
            let d = super::index::doc_text(&self.knowledge, &o.entry, "");
            let all = format!(
                "{} {} {} {}",
                o.entry.title, o.entry.text, d.company, d.tech
            );
            terms(&mut self.analyzer.clone(), &all)
                .into_iter()
                .collect()
        })
    }

    /// The question's vector and the entry vectors' cosines, when semantic retrieval is on.
    pub(crate) fn entry_vector<'a>(
        &'a self,
        view: &'a GuildView,
        ord: u64,
    ) -> Option<(&'a [f32], Vec<&'a [f32]>)> {
        let base_n = self.knowledge.entries.len() as u64;
        if ord < base_n {
            let v = self.vectors.as_ref()?;
            let i = ord as usize;
            Some((v.entry(i)?, v.sentences(i).collect()))
        } else {
            let v = view.own(ord)?.vectors.as_ref()?;
            Some((v.entry(0)?, v.sentences(0).collect()))
        }
    }

    /// Cosine of the question with an entry: the entry's own vector, or its best sentence.
    fn similarity(&self, view: &GuildView, ord: u64, q: &[f32]) -> f32 {
        match self.entry_vector(view, ord) {
            Some((e, sentences)) => sentences
                .into_iter()
                .map(|s| cosine(q, s))
                .fold(cosine(q, e), f32::max),
            None => 0.0,
        }
    }

    /// Gathers candidates and their evidence for `question` as `guild` sees the knowledge.
    pub fn retrieve(
        &self,
        question: &str,
        kinds: &[Kind],
        guild: Option<u64>,
    ) -> Result<Retrieved, SearchError> {
        let started = std::time::Instant::now();
        let question = &query::markup::clean(question);
        let mut u = self.understand(question);
        let understood = started.elapsed();
        let k = &self.knowledge;
        let (qterms, q_w, r_w) = self.weighed_terms(&u);
        let company_names: Vec<&str> = u
            .companies
            .iter()
            .filter_map(|id| k.companies.get(id).map(|c| c.name.as_str()))
            .collect();

        // Candidates: BM25, every entry about a named company or technology, and the
        // entries nearest in meaning.
        let bm = self.bm25_hits(&qterms, guild)?;
        // After the BM25 hits: a hit the view does not hold yet is skipped below.
        let view = self.view(guild)?;
        let mut cands: HashSet<u64> = bm.keys().copied().collect();
        for name in &company_names {
            cands.extend(self.by_company.get(*name).into_iter().flatten().copied());
        }
        for t in &u.techs {
            cands.extend(self.by_tech.get(t).into_iter().flatten().copied());
        }
        let named = view.named(&company_names, &u.techs);
        if named.len() <= OWN_NAMED_CANDIDATES {
            cands.extend(named);
        }
        let encoding = std::time::Instant::now();
        let qvec = self.question_vector(&u, question);
        let encoded = encoding.elapsed();
        // Every visible entry's similarity, computed once: the nearest join the candidates,
        // and each candidate's feature reads it back.
        let mut similarity: HashMap<u64, f32> = HashMap::new();
        if let Some(q) = &qvec {
            let mut near: Vec<(u64, f32)> = (0..k.entries.len() as u64)
                .chain(view.entries().map(|o| o.ord))
                .map(|o| (o, self.similarity(&view, o, q)))
                .collect();
            near.sort_by(|x, y| y.1.total_cmp(&x.1));
            cands.extend(near.iter().take(SEMANTIC_CANDIDATES).map(|x| x.0));
            similarity.extend(near);
        }
        let against = self.concepts.against(&r_w, qvec.as_deref());
        let described = self.concepts.described(&u.normalized, &against);
        for (c, _) in &described {
            cands.extend(self.concepts.entries(*c).iter().copied());
        }
        let words = archie_knowledge::words::Words::get();
        let content = &u.content_words;
        let off_topic = if content.is_empty() {
            0.0
        } else {
            content
                .iter()
                .filter(|w| words.not_architecture.contains(w.as_str()))
                .count() as f32
                / content.len() as f32
        };
        // Each named technology's names as analysed terms: a server's own entry that lists
        // no technologies still names one in its text ("Sessions live in a Redis cluster").
        // Only a server with entries of its own needs them.
        let mut a = self.analyzer.clone();
        let own_entries = view.entries().next().is_some();
        let tech_names: Vec<(String, Vec<Vec<String>>)> = u
            .techs
            .iter()
            .filter(|_| own_entries)
            .filter_map(|id| k.techs.get(id).map(|t| (id, t)))
            .map(|(id, t)| {
                let names = std::iter::once(&t.name)
                    .chain(&t.aliases)
                    .map(|n| terms(&mut a, n))
                    .filter(|ts| !ts.is_empty())
                    .collect();
                (id.clone(), names)
            })
            .collect();
        let evidence = Evidence {
            tech_names: &tech_names,
            described: &described,
            concept_names: &self.concepts.name_terms(&u.normalized),
            off_topic,
            unrelated: self.concepts.unrelated(&against, qvec.as_deref()),
            unrelated_words: self.concepts.unrelated_words(&against, &r_w),
            u: &u,
            company_names: &company_names,
            qwords: query::word_set(&u.normalized),
            q_w: &q_w,
            r_w: &r_w,
            bm: &bm,
            max_bm: bm.values().cloned().fold(0.0f32, f32::max).max(1e-6),
            similarity: &similarity,
        };
        let mut candidates = Vec::with_capacity(cands.len());
        let mut ords: Vec<u64> = cands.into_iter().collect();
        ords.sort_unstable();
        // The words of the server's own entries among the candidates: a word the base
        // knowledge lacks is no unknown name when the server's knowledge uses it.
        let mut own_words: HashSet<&str> = HashSet::new();
        for ord in ords.iter().copied() {
            let Some((e, et)) = self.get(&view, ord) else {
                continue;
            };
            if let Terms::Own(set) = &et {
                own_words.extend(set.iter().map(String::as_str));
            }
            if !kinds.is_empty() && !kinds.contains(&e.kind) {
                continue;
            }
            // A base entry's concepts are computed once; a server's own, here.
            let own_concepts;
            let about: &[usize] = match self.concepts.of_entry.get(ord as usize) {
                Some(ids) if ord < k.entries.len() as u64 => ids,
                _ => {
                    own_concepts = k.topics.concept_ids_of(e);
                    &own_concepts
                }
            };
            candidates.push(evidence.candidate(ord, e, &et, about));
        }
        Features::relate(&mut candidates);
        if !own_words.is_empty() {
            let mut a = self.analyzer.clone();
            let mut theirs = |w: &String| {
                terms(&mut a, w)
                    .iter()
                    .all(|t| own_words.contains(t.as_str()))
            };
            u.unknown_words.retain(|w| !theirs(w));
            u.unknown_names.retain(|w| !theirs(w));
            u.unfamiliar_names.retain(|w| !theirs(w));
        }
        let concepts = described
            .iter()
            .map(|(c, s)| (k.topics.concepts[*c].names[0].clone(), *s))
            .collect();
        stage("understand", understood);
        stage("encode", encoded);
        stage(
            "retrieve",
            started.elapsed().saturating_sub(understood + encoded),
        );
        Ok(Retrieved {
            concepts,
            entity: !u.companies.is_empty() || !u.techs.is_empty(),
            understanding: u,
            qterms,
            candidates,
            qvec,
            weighed: q_w,
            view,
        })
    }

    /// BM25 scores of the best hits in the base index and in the guild's own index.
    fn bm25_hits(
        &self,
        qterms: &[String],
        guild: Option<u64>,
    ) -> Result<HashMap<u64, f32>, SearchError> {
        let mut bm: HashMap<u64, f32> = HashMap::new();
        // A damaged base index is skipped (names, meaning and concepts still find
        // candidates) until it is rebuilt.
        if self.base_damage.get().is_none() {
            let ix = self.index();
            match guarded(|| Ok(ix.bm25(qterms, "", BM25_CANDIDATES)?)) {
                Ok(hits) => bm.extend(hits),
                Err(e) => self.base_damage.mark(ix.dir.as_deref(), &e),
            }
        }
        if let Some(g) = guild {
            let hits = self
                .with_needs(|needs| self.community.bm25(needs, qterms, g, BM25_CANDIDATES / 2))?;
            bm.extend(hits);
        }
        Ok(bm)
    }

    /// The question's analysed terms, their weights, and the weights of its residual
    /// terms (those not explained by a recognised name).
    fn weighed_terms(&self, u: &Understanding) -> (Vec<String>, WeighedTerms, WeighedTerms) {
        let mut a = self.analyzer.clone();
        let mut analysed = |words: &[String], keep: &dyn Fn(&str) -> bool| {
            let mut v: Vec<String> = Vec::new();
            for w in words {
                for t in terms(&mut a, w) {
                    if keep(&t) && !v.contains(&t) {
                        v.push(t);
                    }
                }
            }
            v
        };
        let qterms = analysed(&u.content_words, &|_| true);
        let n_docs = self.index().num_docs().max(1) as f32;
        let idf = |t: &str| {
            let df = self.df.get(t).copied().unwrap_or(0) as f32;
            (1.0 + n_docs / (df + 0.5)).ln()
        };
        let residual = analysed(&u.residual_words, &|t| qterms.iter().any(|q| q == t));
        // A name written in Hangul ("트위터", analysed into the word and its bigrams): each
        // of its terms is also held by an entry holding the name's own terms ("twitter").
        let k = &self.knowledge;
        let mut hangul_names: HashMap<String, Vec<(String, Option<u32>)>> = HashMap::new();
        for w in &u.content_words {
            if !w.chars().any(crate::hangul::is_hangul) {
                continue;
            }
            let key = archie_text::compact_key(w);
            let name = match (k.companies.get_key(&key), k.techs.get_key(&key)) {
                (Some(c), _) => &c.name,
                (None, Some(x)) => &x.name,
                (None, None) => continue,
            };
            let written: Vec<(String, Option<u32>)> = terms(&mut a, name)
                .into_iter()
                .map(|t| {
                    let id = self.vocab.get(&t).copied();
                    (t, id)
                })
                .collect();
            for t in terms(&mut a, w) {
                hangul_names.insert(t, written.clone());
            }
        }
        let weigh = |ts: &[String]| {
            let terms: Vec<(String, Option<u32>, f32)> = ts
                .iter()
                .map(|t| (t.clone(), self.vocab.get(t).copied(), idf(t)))
                .collect();
            let written = ts
                .iter()
                .map(|t| hangul_names.get(t).cloned().unwrap_or_default())
                .collect();
            let total = terms.iter().map(|x| x.2).sum();
            WeighedTerms {
                terms,
                written,
                total,
            }
        };
        let (q_w, r_w) = (weigh(&qterms), weigh(&residual));
        (qterms, q_w, r_w)
    }

    /// The question's vector, when the encoder is loaded and the question is mostly in a
    /// script the (English) model reads.
    fn question_vector(&self, u: &Understanding, question: &str) -> Option<Vec<f32>> {
        let enc = self.encoder.as_ref()?;
        let latin = u
            .normalized
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .count();
        let letters = u.normalized.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0 || latin * 2 < letters {
            return None;
        }
        let text = super::clip_words(question, super::MAX_QUESTION_WORDS);
        match enc.encode(&[&text]) {
            Ok(mut v) => v.pop(),
            Err(e) => {
                tracing::warn!(error = %e, "question encoding failed; answering lexically");
                None
            }
        }
    }
}

fn stack_has_layers(e: &Entry, layers: &[Layer]) -> bool {
    match &e.detail {
        Detail::Stack { layers: gs, .. } => gs.iter().any(|g| layers.contains(&g.layer)),
        _ => false,
    }
}

/// What one question's candidates are measured against.
struct Evidence<'a> {
    /// The named technologies (by id) with their names' analysed terms.
    tech_names: &'a [(String, Vec<Vec<String>>)],
    /// The concepts the question describes, with their strength.
    described: &'a [(usize, f32)],
    /// The concepts the question names, with the terms of the names it uses.
    concept_names: &'a [(usize, HashSet<String>)],
    off_topic: f32,
    unrelated: f32,
    unrelated_words: f32,
    u: &'a Understanding,
    company_names: &'a [&'a str],
    /// The question's words as compact keys, for comparing with stored questions.
    qwords: Vec<String>,
    q_w: &'a WeighedTerms,
    r_w: &'a WeighedTerms,
    bm: &'a HashMap<u64, f32>,
    max_bm: f32,
    similarity: &'a HashMap<u64, f32>,
}

impl Evidence<'_> {
    /// One candidate entry with its features.
    fn candidate(&self, ord: u64, e: &Entry, et: &Terms, about: &[usize]) -> Candidate {
        let u = self.u;
        let named: HashSet<&str> = self
            .concept_names
            .iter()
            .filter(|(c, _)| about.contains(c))
            .flat_map(|(_, ts)| ts.iter().map(String::as_str))
            .collect();
        let mut f = Features {
            off_topic: self.off_topic,
            unrelated: self.unrelated,
            unrelated_words: self.unrelated_words,
            concept: super::concepts::strength(self.described, about),
            bm25: self.bm.get(&ord).copied().unwrap_or(0.0) / self.max_bm,
            coverage: self.q_w.share(et, 0.0, &named),
            residual: self.r_w.share(et, 1.0, &named),
            ..Features::default()
        };
        let company_match = e
            .company
            .as_deref()
            .is_some_and(|c| self.company_names.contains(&c));
        f.about_company = e.company.is_some() as u8 as f32;
        if !self.company_names.is_empty() {
            if company_match {
                f.company_match = 1.0;
            } else if e.company.is_some() {
                f.company_other = 1.0;
            } else if e.kind != Kind::Tech {
                f.company_none = 1.0;
            }
        }
        let tech_hits = match et {
            Terms::Own(set) if e.technologies.is_empty() => self
                .tech_names
                .iter()
                .filter(|(_, names)| names.iter().any(|n| n.iter().all(|t| set.contains(t))))
                .count(),
            _ => e
                .technologies
                .iter()
                .filter(|t| u.techs.contains(t))
                .count(),
        };
        if !u.techs.is_empty() {
            f.tech_share = tech_hits as f32 / u.techs.len() as f32;
        }
        match (u.intent, e.kind) {
            (Intent::Stack, Kind::Stack) if company_match => {
                f.stack_answer = f.residual;
                f.stack_layers = stack_has_layers(e, &u.layers) as u8 as f32;
            }
            (Intent::Uses, Kind::Tech) if tech_hits > 0 => f.uses_tech = 1.0,
            (Intent::Uses, Kind::Stack) if tech_hits > 0 => f.uses_stack = 1.0,
            (Intent::WhatIs, Kind::Tech) if tech_hits > 0 => f.whatis_tech = 1.0,
            (Intent::Reading, Kind::Reading) => f.reading = 1.0,
            _ => {}
        }
        if u.explanatory && matches!(e.kind, Kind::Qa | Kind::Article | Kind::Note) {
            f.prose = 1.0;
        }
        if u.quantity && e.text.chars().any(|c| c.is_ascii_digit()) && f.coverage > 0.0 {
            f.figure = 1.0;
        }
        if let Detail::Qa { question, .. } = &e.detail {
            let qw = query::word_set(question);
            let common = qw.iter().filter(|w| self.qwords.contains(w)).count() as f32;
            let sim = common / (qw.len().max(self.qwords.len()).max(1) as f32);
            if sim >= 0.6 {
                f.qa_question = sim;
            }
        }
        f.semantic = self.similarity.get(&ord).copied().unwrap_or(0.0);
        Candidate {
            ord,
            features: f,
            named: company_match || tech_hits > 0,
        }
    }
}

/// `archie_ask_stage_duration_seconds{stage}`: how long a stage of answering took.
pub(crate) fn stage(name: &'static str, took: std::time::Duration) {
    metrics::histogram!("archie_ask_stage_duration_seconds", "stage" => name)
        .record(took.as_secs_f64());
}
