//! Cutting: the window of at most `max_chars` characters with the densest matches,
//! starting at a sentence or word boundary, never inside a UTF-8 sequence.

use super::marking::{render, Tok};
use super::Excerpt;
use std::collections::HashSet;
use std::ops::Range;

/// An excerpt of at most `max_chars` characters from within `range` of `text`, at the
/// window of the densest hits, with `…` wherever text was left out.
pub(super) fn excerpt_of_range(
    text: &str,
    toks: &[Tok],
    range: Range<usize>,
    max_chars: usize,
) -> Excerpt {
    let inner = &text[range.clone()];
    let shifted: Vec<Tok> = toks
        .iter()
        .filter(|t| t.from >= range.start && t.to <= range.end)
        .map(|t| Tok {
            from: t.from - range.start,
            to: t.to - range.start,
            hit: t.hit.clone(),
        })
        .collect();
    let (s, e) = if inner.chars().count() <= max_chars {
        (0, inner.len())
    } else {
        best_window(inner, &shifted, max_chars)
    };
    let window = range.start + s..range.start + e;
    let lead = !text[..window.start].trim().is_empty();
    let trail = !text[window.end..].trim().is_empty();
    render(text, toks, window, lead, trail)
}

/// The byte window of at most `max_chars` characters holding the most distinct hits,
/// starting at a sentence or word boundary.
pub(super) fn best_window(text: &str, toks: &[Tok], max_chars: usize) -> (usize, usize) {
    let budget = max_chars.saturating_sub(2).max(1);
    let mut best = (0usize, 0usize); // (distinct hits, start)
    let mut candidates: Vec<usize> = vec![0];
    for t in toks.iter().filter(|t| t.hit.is_some()) {
        candidates.push(sentence_start(text, t.from, budget / 3));
    }
    for &s in &candidates {
        let e = byte_after_chars(text, s, budget);
        let mut seen: HashSet<&str> = HashSet::new();
        for t in toks.iter().filter(|t| t.from >= s && t.to <= e) {
            if let Some(h) = &t.hit {
                seen.insert(h);
            }
        }
        // Most distinct matched words; among equals the earliest window, where a text
        // usually introduces its subject.
        let score = seen.len();
        if score > best.0 {
            best = (score, s);
        }
    }
    let start = best.1;
    let mut end = byte_after_chars(text, start, budget);
    if end < text.len() {
        if let Some(ws) = text[start..end].rfind(char::is_whitespace) {
            if ws > (end - start) / 2 {
                end = start + ws;
            }
        }
    }
    (start, end)
}

/// Moves back from `at` to the start of its sentence or line, but no further than
/// `max_back` characters (then to a word boundary).
fn sentence_start(text: &str, at: usize, max_back: usize) -> usize {
    let floor = {
        let mut b = at;
        for (n, (i, _)) in text[..at].char_indices().rev().enumerate() {
            b = i;
            if n + 1 >= max_back {
                break;
            }
        }
        if at == 0 {
            0
        } else {
            b
        }
    };
    let head = &text[floor..at];
    if let Some(i) = head.rfind(['.', '!', '?', '\n']) {
        let mut s = floor + i + 1;
        while s < at && text[s..].starts_with(char::is_whitespace) {
            s += text[s..].chars().next().map(char::len_utf8).unwrap_or(1);
        }
        return s;
    }
    if floor == 0 {
        return 0;
    }
    // Just past the first whitespace character, whatever its width (U+00A0 is 2 bytes,
    // U+3000 is 3): `+ 1` would land inside it.
    match head.char_indices().find(|(_, c)| c.is_whitespace()) {
        Some((i, c)) => floor + i + c.len_utf8(),
        None => floor,
    }
}

fn byte_after_chars(text: &str, start: usize, n: usize) -> usize {
    text[start..]
        .char_indices()
        .nth(n)
        .map(|(i, _)| start + i)
        .unwrap_or(text.len())
}
