//! Concepts in questions: which ideas of the glossary (`knowledge/concepts.toml`) a
//! question describes, by their names, by the words of their definitions and by meaning,
//! so that "stop calling a dependency that keeps failing" meets the reading on circuit
//! breakers although it names none. The entries a described concept is about join the
//! candidates, with the strength of the match as evidence.

use super::retrieve::WeighedTerms;
use super::semantic::{cosine, Encoder};
use super::vectors::Vectors;
use super::SearchError;
use archie_knowledge::words::Words;
use archie_knowledge::{Detail, Entry, Kind, Knowledge};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tantivy::tokenizer::TextAnalyzer;

/// How many concepts a question may be read as describing.
const TOP_CONCEPTS: usize = 3;
/// A concept is described from this strength up.
const MIN_STRENGTH: f32 = 0.2;
/// At most this many entries of one concept join the candidates.
const ENTRIES_PER_CONCEPT: usize = 24;
/// A concept whose name is in the titles of more entries than this is a field (a
/// section, a layer: "scaling", "caching"), not one idea: naming it tells little.
const SPECIFIC_ENTRIES: usize = 40;
/// Cosines between a question and a definition run from about this (unrelated) …
const COSINE_LOW: f32 = 0.25;
/// … to about this (the same idea in other words).
const COSINE_HIGH: f32 = 0.65;

/// A question's words and vector against each concept of the glossary, by index.
pub(crate) struct Against {
    /// [`ConceptIndex::words_in`] of each concept's terms.
    words: Vec<f32>,
    /// The cosine with each concept, its nearest description by meaning (with the
    /// question's vector and the encoder).
    cosines: Option<Vec<Option<f32>>>,
    /// The cosine with the nearest definition alone (no `said` phrase), for
    /// [`ConceptIndex::unrelated`]; -1 when there is none.
    nearest_definition: f32,
    /// Whether the question was read by meaning (it has a vector).
    meaning: bool,
}

pub(crate) struct ConceptIndex {
    /// Concepts too broad to be evidence ([`SPECIFIC_ENTRIES`]).
    broad: Vec<bool>,
    /// Concepts named like a section of the reading list: whole fields.
    field: Vec<bool>,
    /// Every word of every concept's names: words the glossary knows.
    name_words: HashSet<String>,
    /// Analysed terms of each concept's names and definition.
    terms: Vec<HashSet<String>>,
    /// Analysed terms of each request that is not about architecture.
    request_terms: Vec<HashSet<String>>,
    /// Per term of the glossary, how specific it is to few concepts, 0..1: a word most
    /// definitions use ("data", "server") says little about which idea is described.
    specific: HashMap<String, f32>,
    /// Each concept's names, normalised, padded with spaces for whole-word matching.
    names: Vec<Vec<String>>,
    /// The analysed terms of each concept's names, name by name.
    name_terms: Vec<Vec<HashSet<String>>>,
    /// Base entries (by ordinal) each concept is about.
    entries: Vec<Vec<u64>>,
    /// Per base entry, the concepts it is about.
    pub(crate) of_entry: Vec<Vec<usize>>,
    /// Definition vectors (with the encoder): each concept's definition and other
    /// descriptions, then those of the requests that are not about architecture
    /// (`not_architecture_requests` in `knowledge/words.toml`).
    vectors: Option<Vectors>,
    /// Per concept, the range of its vectors in [`ConceptIndex::vectors`].
    spans: Vec<std::ops::Range<usize>>,
}

impl ConceptIndex {
    pub(crate) fn build(
        k: &Knowledge,
        a: &mut TextAnalyzer,
        encoder: Option<&Encoder>,
        dir: Option<&Path>,
        tag: &str,
    ) -> Result<ConceptIndex, SearchError> {
        let cs = &k.topics.concepts;
        let terms: Vec<HashSet<String>> = cs
            .iter()
            .map(|c| {
                // Without the encoder the other descriptions are read by their words; with
                // it, by meaning only, their lay words would otherwise make the definition's
                // words less telling.
                let said = if encoder.is_none() {
                    c.said.join(" ")
                } else {
                    String::new()
                };
                let text = format!("{} {} {said}", c.names.join(" "), c.about);
                super::index::terms(a, &text).into_iter().collect()
            })
            .collect();
        let request_terms = Words::get()
            .not_architecture_requests
            .iter()
            .map(|r| super::index::terms(a, r).into_iter().collect())
            .collect();
        let mut df: HashMap<String, usize> = HashMap::new();
        for t in terms.iter().flatten() {
            *df.entry(t.clone()).or_default() += 1;
        }
        let n = terms.len() as f32;
        let specific = df
            .into_iter()
            .map(|(t, df)| (t, (1.0 + n / df as f32).ln() / (1.0 + n).ln()))
            .collect();
        let names = cs
            .iter()
            .map(|c| c.names.iter().map(|n| format!(" {n} ")).collect())
            .collect();
        let name_terms = cs
            .iter()
            .map(|c| {
                c.names
                    .iter()
                    .map(|n| super::index::terms(a, n).into_iter().collect())
                    .collect()
            })
            .collect();
        let sections: HashSet<String> = k
            .entries
            .iter()
            .filter_map(|e| match &e.detail {
                Detail::Reading { section, .. } => Some(archie_text::normalize(section)),
                _ => None,
            })
            .collect();
        let field = cs
            .iter()
            .map(|c| c.names.iter().any(|n| sections.contains(n)))
            .collect();
        let mut entries = vec![Vec::new(); cs.len()];
        let mut of_entry = Vec::with_capacity(k.entries.len());
        for (i, e) in k.entries.iter().enumerate() {
            let ids = k.topics.concept_ids_of(e);
            for &c in &ids {
                entries[c].push(i as u64);
            }
            of_entry.push(ids);
        }
        // Entries filed under a concept's topic first, then those whose title names it.
        let broad: Vec<bool> = entries.iter().map(|l| l.len() > SPECIFIC_ENTRIES).collect();
        for (c, list) in entries.iter_mut().enumerate() {
            let topic = |o: &u64| match &k.entries[*o as usize].detail {
                Detail::Reading { topic: Some(t), .. } => cs[c].topics.contains(t),
                _ => false,
            };
            list.sort_by_key(|o| !topic(o));
            list.truncate(ENTRIES_PER_CONCEPT);
        }
        let vectors = match encoder {
            Some(enc) => Some(definition_vectors(
                enc,
                k,
                dir,
                &format!("{tag}-{}", descriptions_hash(k)),
            )?),
            None => None,
        };
        let mut spans = Vec::with_capacity(cs.len());
        let mut at = 0;
        for c in cs {
            spans.push(at..at + 1 + c.said.len());
            at += 1 + c.said.len();
        }
        let name_words = cs
            .iter()
            .flat_map(|c| &c.names)
            .flat_map(|n| n.split(' '))
            .map(str::to_string)
            .collect();
        Ok(ConceptIndex {
            spans,
            broad,
            field,
            name_words,
            terms,
            request_terms,
            specific,
            names,
            name_terms,
            entries,
            of_entry,
            vectors,
        })
    }

    /// How the question's words and vector stand against every concept, computed once
    /// for [`ConceptIndex::described`] and the two readings of whether it is unrelated.
    pub(crate) fn against(&self, residual: &WeighedTerms, qvec: Option<&[f32]>) -> Against {
        let words = self
            .terms
            .iter()
            .map(|t| self.words_in(residual, t))
            .collect();
        let mut nearest_definition = -1.0f32;
        let cosines = match (qvec, &self.vectors) {
            (Some(q), Some(v)) => Some(
                self.spans
                    .iter()
                    .map(|span| {
                        span.clone()
                            .filter_map(|i| {
                                let x = cosine(q, v.entry(i)?);
                                if i == span.start {
                                    nearest_definition = nearest_definition.max(x);
                                }
                                Some(x)
                            })
                            .reduce(f32::max)
                    })
                    .collect(),
            ),
            _ => None,
        };
        Against {
            words,
            cosines,
            nearest_definition,
            meaning: qvec.is_some(),
        }
    }

    /// The concepts the question describes, strongest first: `(concept, strength 0..1)`.
    pub(crate) fn described(&self, normalized: &str, a: &Against) -> Vec<(usize, f32)> {
        let padded = format!(" {normalized} ");
        let mut out: Vec<(usize, f32)> = (0..self.terms.len())
            .filter(|&c| !self.broad[c])
            .map(|c| {
                let named = self.names_in(c, &padded).next().is_some();
                let words = a.words[c];
                let meaning = a.cosines.as_ref().map_or(0.0, |cs| {
                    cs[c].map_or(0.0, |x| {
                        ((x - COSINE_LOW) / (COSINE_HIGH - COSINE_LOW)).clamp(0.0, 1.0)
                    })
                });
                let blend = if a.meaning {
                    0.4 * words + 0.6 * meaning
                } else {
                    0.8 * words
                };
                (c, if named { 1.0 } else { blend })
            })
            .filter(|x| x.1 >= MIN_STRENGTH)
            .collect();
        out.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        out.truncate(TOP_CONCEPTS);
        out
    }

    /// How much of the question's words a set of a concept's (or a request's) terms holds,
    /// each word weighed by how specific it is to few concepts; one word alone of a longer
    /// question describes nothing.
    fn words_in(&self, residual: &WeighedTerms, set: &HashSet<String>) -> f32 {
        let specific = |t: &str| self.specific.get(t).copied().unwrap_or(1.0);
        let (share, held) = residual.scaled_share_of(set, specific);
        if held < 2 && residual.len() > 1 {
            0.0
        } else {
            share
        }
    }

    /// How much closer the question stands by meaning to a kind of request that is not
    /// about architecture than to any definition of the glossary, from 0 (an architecture
    /// idea by far) through 0.5 (as close to both) to 1; 0 without the question's vector.
    pub(crate) fn unrelated(&self, a: &Against, qvec: Option<&[f32]>) -> f32 {
        let (Some(q), Some(v), Some(_)) = (qvec, &self.vectors, &a.cosines) else {
            return 0.0;
        };
        let n = self.spans.last().map_or(0, |s| s.end);
        let requests = self.request_terms.len();
        if requests == 0 {
            return 0.0;
        }
        let request = (n..n + requests)
            .filter_map(|i| v.entry(i).map(|d| cosine(q, d)))
            .fold(-1.0f32, f32::max);
        // Against the definitions alone: a sentence describing a kind of request is
        // weighed against a sentence of the same shape, not against the short phrases of
        // `said`, which stand nearer any short question.
        (request - a.nearest_definition).clamp(-0.5, 0.5) + 0.5
    }

    /// The same by words: how much more of the question's words a request that is not
    /// about architecture holds than any concept does (0.5: as much).
    pub(crate) fn unrelated_words(&self, a: &Against, residual: &WeighedTerms) -> f32 {
        let request = self
            .request_terms
            .iter()
            .map(|s| self.words_in(residual, s))
            .fold(0.0f32, f32::max);
        let concept = a.words.iter().copied().fold(0.0f32, f32::max);
        (request - concept).clamp(-0.5, 0.5) + 0.5
    }

    /// The concepts a question names outright (by any of their names), and whether each is
    /// a specific idea rather than a whole field.
    pub(crate) fn named(&self, normalized: &str) -> Vec<(usize, bool)> {
        let padded = format!(" {normalized} ");
        (0..self.names.len())
            .filter(|&c| self.names_in(c, &padded).next().is_some())
            .map(|c| (c, !self.broad[c]))
            .collect()
    }

    /// Whether a word (normalised) is one of the glossary's names ("sidecar").
    pub(crate) fn names_word(&self, w: &str) -> bool {
        self.name_words.contains(w)
    }

    /// Whether concept `c` is a whole field, named like a section of the reading list
    /// ("principles", "scalability").
    pub(crate) fn is_field(&self, c: usize) -> bool {
        self.field[c]
    }

    /// Which of concept `c`'s names (by position) the padded question holds as whole words.
    fn names_in<'s>(&'s self, c: usize, padded: &'s str) -> impl Iterator<Item = usize> + 's {
        self.names[c]
            .iter()
            .enumerate()
            .filter(move |(_, n)| padded.contains(n.as_str()))
            .map(|(i, _)| i)
    }

    /// The concepts a question names, each with the analysed terms of the names it uses.
    pub(crate) fn name_terms(&self, normalized: &str) -> Vec<(usize, HashSet<String>)> {
        let padded = format!(" {normalized} ");
        (0..self.names.len())
            .filter_map(|c| {
                let terms: HashSet<String> = self
                    .names_in(c, &padded)
                    .flat_map(|i| self.name_terms[c][i].iter().cloned())
                    .collect();
                (!terms.is_empty()).then_some((c, terms))
            })
            .collect()
    }

    /// The base entries a concept is about (bounded).
    pub(crate) fn entries(&self, c: usize) -> &[u64] {
        &self.entries[c]
    }
}

/// The strength of the best described concept an entry is about.
pub(crate) fn strength(described: &[(usize, f32)], about: &[usize]) -> f32 {
    described
        .iter()
        .filter(|(c, _)| about.contains(c))
        .map(|x| x.1)
        .fold(0.0, f32::max)
}

/// A hash of the concepts' other descriptions and of the requests that are not about
/// architecture, whose vectors are stored with the definitions' (the definitions are in
/// the caller's tag).
fn descriptions_hash(k: &Knowledge) -> String {
    use sha2::Digest;
    let said = k.topics.concepts.iter().map(|c| c.said.join("|"));
    let requests = Words::get().not_architecture_requests.iter().cloned();
    let all = said.chain(requests).collect::<Vec<_>>().join("\n");
    hex::encode(sha2::Sha256::digest(all.as_bytes()))[..8].to_string()
}

/// The concepts' definitions, each followed by its other descriptions, as pseudo-entries
/// for the encoder, then the requests that are not about architecture.
fn definitions(k: &Knowledge) -> Vec<Entry> {
    let concepts = k.topics.concepts.iter().flat_map(|c| {
        let name = c.names.first().cloned().unwrap_or_default();
        std::iter::once((name, c.about.clone()))
            .chain(c.said.iter().map(|s| (String::new(), s.clone())))
    });
    let requests = Words::get()
        .not_architecture_requests
        .iter()
        .map(|r| (String::new(), r.clone()));
    concepts
        .chain(requests)
        .enumerate()
        .map(|(i, (title, text))| Entry {
            id: format!("concept-{i}"),
            kind: Kind::Tech,
            title,
            text,
            company: None,
            technologies: Vec::new(),
            sources: Vec::new(),
            aliases: Vec::new(),
            detail: Detail::Note {},
        })
        .collect()
}

/// The definitions' vectors, stored beside the entry vectors (`tag` names the encoder and
/// the glossary's hash), computed when missing.
fn definition_vectors(
    enc: &Encoder,
    k: &Knowledge,
    dir: Option<&Path>,
    tag: &str,
) -> Result<Vectors, SearchError> {
    let defs = definitions(k);
    let path = dir.map(|d| d.join(format!("concepts-{tag}.bin")));
    if let Some(v) = path
        .as_deref()
        .and_then(|p| super::vectors::read_or_say_why(p, defs.len(), "concept vectors"))
    {
        return Ok(v);
    }
    let v = Vectors::compute(enc, &defs, &Default::default())?;
    if let Some(p) = &path {
        match v.save(p) {
            Ok(()) => super::vectors::remove_others(p),
            Err(e) => {
                tracing::warn!(error = %e, path = %p.display(), "could not store concept vectors")
            }
        }
    }
    Ok(v)
}
