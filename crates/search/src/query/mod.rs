//! Query understanding: normalises the question, recognises companies and technologies
//! (canonical names, aliases, other scripts, small typos) and the intent behind it.

//!
//! `words.rs` holds the form words (stopwords, reading and stack words, layer hints);
//! `names.rs` recognises names; `typos.rs` corrects misspelt ones; `intent.rs` reads the
//! form and the intent. [`understand`] runs them in that order.

mod intent;
pub mod markup;
mod names;
mod typos;
mod words;

pub use typos::TypoIndex;
pub use words::is_stopword;

use archie_knowledge::{Knowledge, Layer};
use archie_text::{compact_key, normalize};
use intent::{intent_of, reading_topic, wants_quantity, Form};
use names::{add_weak_techs, recognise_names};
use serde::Serialize;
use words::{layer_hints, reading_request};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// "what does Twitter use", "Trello database", "instagram stack"
    Stack,
    /// "who uses Redis", "which companies use kafka"
    Uses,
    /// "what is Gearman", "thrift"
    WhatIs,
    /// "articles about caching", "microservices at Spotify"
    Reading,
    General,
}

#[derive(Debug, Clone, Serialize)]
pub struct Understanding {
    pub normalized: String,
    /// Ids of the companies named, in order of appearance.
    pub companies: Vec<String>,
    /// Canonical names of the technologies named.
    pub techs: Vec<String>,
    pub intent: Intent,
    pub layers: Vec<Layer>,
    /// Words that carry meaning (not stopwords), as typed after normalisation.
    pub content_words: Vec<String>,
    /// Words that were corrected to a known name: (typed, name).
    pub corrections: Vec<(String, String)>,
    /// Content words not explained by a recognised name: what an answer must also cover.
    pub residual_words: Vec<String>,
    /// A "how/why/where" question: it wants an explanation more than a list.
    pub explanatory: bool,
    /// A "how much/how many/how big" question: it wants a figure.
    pub quantity: bool,
    /// Words that look like names the knowledge does not hold (set by the engine, which
    /// knows the vocabularies); meaning alone must not answer such a question.
    pub unknown_names: Vec<String>,
    /// Words neither the knowledge nor English knows (set by the engine), wherever they
    /// stand; `unknown_names` are those written as names.
    pub unknown_words: Vec<String>,
    /// Words the knowledge never uses (English or not) written where a name goes.
    pub unfamiliar_names: Vec<String>,
}

/// Understands a question against the known companies and technologies.
/// `known_word` says whether a word (normalised) exists in the indexed vocabulary; only
/// unknown words are candidates for typo correction.
pub fn understand(
    k: &Knowledge,
    typos: &TypoIndex,
    question: &str,
    known_word: &dyn Fn(&str) -> bool,
) -> Understanding {
    let normalized = normalize(question);
    // Korean words split from Latin ones and lose their particles ("kestrel은",
    // "트위터는"), unless they are a name as written; chat words read as the knowledge's
    // words ("db" → "database"); filler is skipped like a stopword.
    let name = |w: &str| k.companies.get_key(w).is_some() || k.techs.get_key(w).is_some();
    let words: Vec<String> = normalized
        .split(' ')
        .filter(|w| !w.is_empty())
        .flat_map(|w| crate::hangul::question_words(w, &name))
        .flat_map(|w| match k.topics.meaning(&w) {
            Some(m) => m.to_vec(),
            None => vec![w],
        })
        .collect();
    let normalized = words.join(" ");
    let forms = archie_knowledge::words::Words::get();
    let is_stopword = |w: &str| forms.is_empty_word(w);
    let mut r = recognise_names(k, question, &words, &is_stopword);
    typos::correct_typos(&mut r, k, typos, &words, &is_stopword, known_word);
    // Content words, with typos replaced by the name they were corrected to.
    let mut content_words: Vec<String> = words
        .iter()
        .filter(|w| !is_stopword(w))
        .map(
            |w| match r.corrections.iter().find(|(typed, _)| typed == w) {
                Some((_, name)) => normalize(name),
                None => w.clone(),
            },
        )
        .collect();
    let form = Form::of(&normalized, &words);
    add_weak_techs(&mut r, &words, &is_stopword, form.what_is || form.uses);
    let mut residual_words: Vec<String> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| !r.used[*i] && !is_stopword(w))
        .map(|(_, w)| w.clone())
        .collect();
    let reading = reading_request(&words);
    let intent = intent_of(
        &words,
        &r.companies,
        &r.techs,
        &form,
        residual_words.len(),
        &reading,
    );
    if intent == Intent::Reading {
        // The words that made the request, wherever they stand; "read" in "read model"
        // stays part of the topic.
        let asked: std::collections::HashSet<&str> = words
            .iter()
            .zip(&reading)
            .filter(|(_, &r)| r)
            .map(|(w, _)| w.as_str())
            .collect();
        let kept: std::collections::HashSet<&str> = words
            .iter()
            .zip(&reading)
            .filter(|(_, &r)| !r)
            .map(|(w, _)| w.as_str())
            .collect();
        let asks = |w: &str| asked.contains(w) && !kept.contains(w);
        reading_topic(&mut content_words, &asks);
        reading_topic(&mut residual_words, &asks);
    }
    Understanding {
        residual_words,
        explanatory: form.specific,
        quantity: wants_quantity(&normalized),
        layers: layer_hints(&words),
        normalized,
        companies: r.companies,
        techs: r.techs,
        intent,
        content_words,
        corrections: r.corrections,
        unknown_names: Vec::new(),
        unknown_words: Vec::new(),
        unfamiliar_names: Vec::new(),
    }
}

/// Compact keys of words, for comparing a question with a stored question.
pub fn word_set(s: &str) -> Vec<String> {
    let mut v: Vec<String> = normalize(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(compact_key)
        .collect();
    v.sort();
    v.dedup();
    v
}
