//! What a question asks for: its form ("what is", "who uses", "how/why"), a figure, and
//! the intent that follows from its form and the names it holds.

use super::words::has_stack_word;
use super::Intent;
use archie_knowledge::words::Words;

/// The forms of a question, read from its words.
pub(super) struct Form {
    /// "what is X", "define X", "tell me about X".
    pub(super) what_is: bool,
    /// "who uses X", "which companies use X", "users of X".
    pub(super) uses: bool,
    /// "how does X shard", "why does X keep ...": about specifics, not the stack list.
    pub(super) specific: bool,
}

impl Form {
    pub(super) fn of(normalized: &str, words: &[String]) -> Form {
        let has = |ws: &[&str]| words.iter().any(|w| ws.contains(&w.as_str()));
        let starts = |p: &str| normalized.starts_with(p);
        let what_is = starts("what is ")
            || starts("what s ")
            || starts("whats ")
            || starts("what are ")
            || starts("define ")
            || starts("explain ")
            || starts("tell me about ")
            || starts("describe ");
        let uses = (has(&["who", "which", "what"])
            && has(&["use", "uses", "using", "run", "runs", "runs"])
            && has(&["who", "companies", "company", "sites", "teams"]))
            || (has(&["companies", "company"]) && has(&["use", "uses", "using"]))
            || normalized.starts_with("users of ");
        let specific = has(&["how", "why", "where", "when"])
            && !has(&[
                "stack",
                "stacks",
                "tech",
                "technology",
                "technologies",
                "tools",
            ]);
        Form {
            what_is,
            uses,
            specific,
        }
    }
}

/// The intent of a question with these names, form and words not explained by a name
/// (`leftover`).
pub(super) fn intent_of(
    words: &[String],
    companies: &[String],
    techs: &[String],
    form: &Form,
    leftover: usize,
    reading: &[bool],
) -> Intent {
    let has = |ws: &[&str]| words.iter().any(|w| ws.contains(&w.as_str()));
    if !techs.is_empty() && companies.is_empty() && form.uses {
        Intent::Uses
    } else if !techs.is_empty() && companies.is_empty() && (form.what_is || leftover == 0) {
        Intent::WhatIs
    } else if reading.iter().any(|&r| r)
        || (!companies.is_empty()
            && words.iter().any(|w| w == "at")
            && leftover != 0
            && !has_stack_word(words))
    {
        Intent::Reading
    } else if !companies.is_empty()
        && !form.specific
        && (has_stack_word(words) || leftover == 0 || has(&["use", "uses", "using"]))
    {
        Intent::Stack
    } else {
        Intent::General
    }
}

/// Whether a (normalised) question wants a figure: "how many", "per second".
pub(super) fn wants_quantity(normalized: &str) -> bool {
    Words::get()
        .quantity
        .iter()
        .any(|p| normalized.contains(p.as_str()))
}

/// In a reading request, "articles", "read" or "talks" say what kind of answer is wanted,
/// not what it is about: the topic is the rest ("writeups on sharding"), unless nothing
/// else is left. `asks` says which words are the request ([`super::words::reading_request`]).
pub(super) fn reading_topic(ws: &mut Vec<String>, asks: &dyn Fn(&str) -> bool) {
    let q = &Words::get().reading_qualifiers;
    let rest: Vec<String> = ws
        .iter()
        .filter(|w| !asks(w) && !q.contains(w.as_str()))
        .cloned()
        .collect();
    if !rest.is_empty() {
        *ws = rest;
    }
}
