//! What a question asks for: its form ("what is", "who uses", "how/why"), a figure, and
//! the intent that follows from its form and the names it holds.

use super::words::has_stack_word;
use super::Intent;
use archie_knowledge::words::Words;
use std::collections::HashSet;

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
        let f = &Words::get().form;
        let has = |ws: &HashSet<String>| words.iter().any(|w| ws.contains(w));
        let starts = |ps: &[String]| ps.iter().any(|p| normalized.starts_with(p.as_str()));
        let what_is = starts(&f.what_is_starts);
        let uses = (has(&f.uses_question)
            && (has(&f.uses_verbs) || has(&f.run_verbs))
            && has(&f.uses_users))
            || (has(&f.uses_companies) && has(&f.uses_verbs))
            || starts(&f.uses_starts);
        let specific = has(&f.specific) && !has(&f.listing);
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
        && (has_stack_word(words)
            || leftover == 0
            || words
                .iter()
                .any(|w| Words::get().form.uses_verbs.contains(w)))
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
