//! Sentence spans of a passage, for picking the sentence that answers a question and for
//! computing one embedding per sentence at index time. Pure and stable: the same text
//! always gives the same spans, so vectors computed at build time line up at query time.

use std::ops::Range;

/// A sentence longer than this many characters is split further, at `;`, then `,`, then
/// whitespace, so that one span never swamps an excerpt or an embedding.
pub const MAX_SENTENCE_CHARS: usize = 300;

/// A piece of an over-long sentence is not cut shorter than this many characters when a
/// later cut point exists, so long sentences do not shed tiny fragments.
const MIN_PIECE_CHARS: usize = 100;

/// Words that end in `.` without ending a sentence (compared lowercase, without the dot).
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "vs", "etc", "cf", "approx", "incl", "esp", "al", "viz", "fig", "mr", "mrs",
    "ms", "dr", "prof", "jr", "sr",
];
/// The sentences of `text` as byte ranges on char boundaries, in order, non-overlapping,
/// each non-empty and without leading or trailing whitespace.
///
/// A sentence ends at `.`, `!` or `?` followed by whitespace (closing quotes and brackets
/// after the mark stay with the sentence), and at every line break. A `.` inside a number
/// (`1.5`), a URL or a domain is not followed by whitespace, so it never ends one; nor
/// does the dot of a common abbreviation (`e.g.`, `i.e.`, `vs.`, `etc.`) or of dotted
/// initials (`U.S.`).
/// Sentences longer than [`MAX_SENTENCE_CHARS`] are split further (see there).
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = if c == '\n' {
            Some((i, i + 1))
        } else if matches!(c, '.' | '!' | '?' | '。' | '！' | '？') {
            // Closing quotes and brackets after the mark belong to the sentence.
            let mut to = i + c.len_utf8();
            while let Some(&(j, n)) = chars.peek() {
                if matches!(n, '"' | '\'' | '”' | '’' | '»' | ')' | ']') {
                    to = j + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let blank_after = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
            let ends = blank_after && (c != '.' || !abbreviation(&text[start..i]));
            ends.then_some((to, to))
        } else {
            None
        };
        if let Some((sentence_end, next_start)) = end {
            push_trimmed(text, start..sentence_end, &mut out);
            start = next_start;
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

/// Whether the word just before a `.` (the end of `before`) is an abbreviation or dotted
/// initials (`U.S.`), whose dot does not end the sentence.
fn abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
        .next()
        .unwrap_or("");
    if word.is_empty() {
        return false;
    }
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // Initials written with dots ("U.S", "Ph.D"): short letter groups.
    word.contains('.')
        && word
            .split('.')
            .all(|p| (1..=2).contains(&p.chars().count()) && p.chars().all(char::is_alphabetic))
}

/// Pushes `range` of `text` without its surrounding whitespace, split when too long.
fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let piece = &text[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if trimmed.is_empty() {
        return;
    }
    let mut from = range.start + lead;
    let to = from + trimmed.len();
    while text[from..to].chars().count() > MAX_SENTENCE_CHARS {
        let cut = long_cut(&text[from..to]);
        let head = &text[from..from + cut];
        out.push(from..from + head.trim_end().len());
        let rest = &text[from + cut..to];
        from = to - rest.trim_start().len();
    }
    if from < to {
        out.push(from..to);
    }
}

/// Where to cut an over-long sentence: just after the last `;` followed by whitespace
/// within the first [`MAX_SENTENCE_CHARS`] characters, else the last `,`, else the last
/// whitespace, none of them before [`MIN_PIECE_CHARS`]; else hard at the limit.
/// Always a char boundary strictly inside `s`.
fn long_cut(s: &str) -> usize {
    let limit = s
        .char_indices()
        .nth(MAX_SENTENCE_CHARS)
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let floor = s
        .char_indices()
        .nth(MIN_PIECE_CHARS)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let window = &s[..limit];
    let after_mark = |mark: char| {
        window
            .char_indices()
            .zip(window.chars().skip(1))
            .filter(|&((i, c), n)| c == mark && n.is_whitespace() && i >= floor)
            .map(|((i, c), _)| i + c.len_utf8())
            .last()
    };
    after_mark(';')
        .or_else(|| after_mark(','))
        .or_else(|| {
            window
                .char_indices()
                .rev()
                .find(|&(i, c)| c.is_whitespace() && i >= floor)
                .map(|(i, _)| i)
        })
        .filter(|&i| i > 0)
        .unwrap_or(limit)
}
