//! Excerpts: the part of an entry's text that best matches the question, cut at word
//! boundaries (never inside a UTF-8 sequence), with the matched words marked.
//! [`excerpt`] shows the densest window of matched words; [`answering`] shows the
//! sentence that answers, chosen from lexical and (when given) semantic evidence, with
//! its neighbours as context.

//!
//! `marking.rs` finds the matched words and marks them; `window.rs` cuts a window of the
//! densest matches at word boundaries; `answer.rs` scores sentences to find the one that
//! answers; `sentences.rs` splits a text into sentences.

mod answer;
mod marking;
mod sentences;
#[cfg(test)]
mod tests;
mod window;

pub use answer::{answering, AnswerWeights, ANSWER_WEIGHTS};
pub use sentences::{sentences, MAX_SENTENCE_CHARS};

use marking::{render, tokens};
use serde::Serialize;
use std::collections::HashSet;
use tantivy::tokenizer::TextAnalyzer;
use window::best_window;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// Text split into plain and matched runs; each transport renders the marks its own way.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Excerpt {
    pub segments: Vec<Segment>,
}

impl Excerpt {
    pub fn plain(&self) -> String {
        self.segments.iter().map(|s| s.text.as_str()).collect()
    }

    /// Matched runs wrapped in `**`, the rest verbatim (JSON and terminal output).
    pub fn marked(&self) -> String {
        self.segments
            .iter()
            .map(|s| {
                if s.hit {
                    format!("**{}**", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    /// Discord markdown: the text escaped so it cannot format, ping or link by accident,
    /// matched runs in bold.
    pub fn markdown(&self) -> String {
        self.segments
            .iter()
            .map(|s| {
                let t = archie_text::escape_markdown(&s.text);
                if s.hit && !t.trim().is_empty() {
                    format!("**{t}**")
                } else {
                    t
                }
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.segments.iter().all(|s| s.text.trim().is_empty())
    }
}

/// Builds an excerpt of at most `max_chars` characters around the densest cluster of
/// `hits` (analysed terms). Short texts are returned whole.
pub fn excerpt(
    a: &mut TextAnalyzer,
    text: &str,
    hits: &HashSet<String>,
    max_chars: usize,
) -> Excerpt {
    let terms: Vec<&str> = hits.iter().map(String::as_str).collect();
    let toks = tokens(a, text, &terms);
    let total = text.chars().count();
    let (start, end) = if total <= max_chars {
        (0, text.len())
    } else {
        best_window(text, &toks, max_chars)
    };
    render(text, &toks, start..end, start > 0, end < text.len())
}
