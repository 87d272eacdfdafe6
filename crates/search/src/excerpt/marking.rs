//! The words of a text that match the question, and the text with them marked.

use super::{Excerpt, Segment};
use std::ops::Range;
use tantivy::tokenizer::TextAnalyzer;

thread_local! {
    /// Words as the index sees them before stemming: lowercase, ASCII-folded.
    static LIGHT: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(
        TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
            .filter(tantivy::tokenizer::LowerCaser)
            .filter(tantivy::tokenizer::AsciiFoldingFilter)
            .build(),
    );
}

/// The analysed (stemmed) form of one word.
fn stem(a: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut ts = a.token_stream(word);
    ts.advance().then(|| ts.token().text.clone())
}

pub(super) struct Tok {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) hit: Option<String>,
}

/// The words of `text` with their byte offsets; a word is a hit when its analysed form
/// is one of `terms`. Only words beginning like a term are stemmed (stemming
/// every word is the costly part); the light tokenizer gives the same words and offsets.
pub(super) fn tokens(a: &mut TextAnalyzer, text: &str, terms: &[&str]) -> Vec<Tok> {
    let prefixes: Vec<&str> = terms
        .iter()
        .map(|h| &h[..h.char_indices().nth(3).map(|(i, _)| i).unwrap_or(h.len())])
        .collect();
    let mut toks = Vec::new();
    LIGHT.with(|light| {
        let mut light = light.borrow_mut();
        let mut ts = light.token_stream(text);
        while ts.advance() {
            let t = ts.token();
            let hit = if prefixes.iter().any(|p| t.text.starts_with(p)) {
                stem(a, &t.text).filter(|s| terms.contains(&s.as_str()))
            } else {
                None
            };
            toks.push(Tok {
                from: t.offset_from,
                to: t.offset_to,
                hit,
            });
        }
    });
    toks
}

/// `text[range]` as segments with the hits in it marked, a run of hits separated only by
/// spaces as one segment, and `…` before and after when `lead` and `trail` say so.
pub(super) fn render(
    text: &str,
    toks: &[Tok],
    range: Range<usize>,
    lead: bool,
    trail: bool,
) -> Excerpt {
    let (start, end) = (range.start, range.end);
    let mut segments = Vec::new();
    if lead {
        segments.push(Segment {
            text: "…".into(),
            hit: false,
        });
    }
    let mut pos = start;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.from < start || t.to > end || t.hit.is_none() {
            i += 1;
            continue;
        }
        // Merge a run of hits separated only by spaces: "**data loss**".
        let mut j = i;
        while j + 1 < toks.len()
            && toks[j + 1].hit.is_some()
            && toks[j + 1].to <= end
            && text[toks[j].to..toks[j + 1].from].chars().all(|c| c == ' ')
        {
            j += 1;
        }
        if t.from > pos {
            segments.push(Segment {
                text: text[pos..t.from].to_string(),
                hit: false,
            });
        }
        segments.push(Segment {
            text: text[t.from..toks[j].to].to_string(),
            hit: true,
        });
        pos = toks[j].to;
        i = j + 1;
    }
    if pos < end {
        segments.push(Segment {
            text: text[pos..end].to_string(),
            hit: false,
        });
    }
    if trail {
        segments.push(Segment {
            text: "…".into(),
            hit: false,
        });
    }
    Excerpt { segments }
}
