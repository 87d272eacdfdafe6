//! Excerpts: the part of an entry's text that best matches the question, cut at word
//! boundaries (never inside a UTF-8 sequence), with the matched words marked.

use serde::Serialize;
use std::collections::HashSet;
use tantivy::tokenizer::TextAnalyzer;

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
                let t = crate::text::escape_markdown(&s.text);
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

struct Tok {
    from: usize,
    to: usize,
    hit: Option<String>,
}

/// Builds an excerpt of at most `max_chars` characters around the densest cluster of
/// `hits` (analysed terms). Short texts are returned whole.
pub fn excerpt(
    a: &mut TextAnalyzer,
    text: &str,
    hits: &HashSet<String>,
    max_chars: usize,
) -> Excerpt {
    // Stemming every word is the costly part: tokenize lightly (same words, same offsets)
    // and stem only the words that begin like one of the matched terms.
    let prefixes: Vec<&str> = hits
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
                stem(a, &t.text).filter(|s| hits.contains(s))
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
    let total = text.chars().count();
    let (start, end) = if total <= max_chars {
        (0, text.len())
    } else {
        best_window(text, &toks, max_chars)
    };
    let mut segments = Vec::new();
    if start > 0 {
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
    if end < text.len() {
        segments.push(Segment {
            text: "…".into(),
            hit: false,
        });
    }
    Excerpt { segments }
}

/// The byte window of at most `max_chars` characters holding the most distinct hits,
/// starting at a sentence or word boundary.
fn best_window(text: &str, toks: &[Tok], max_chars: usize) -> (usize, usize) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::{analyzer, terms};

    fn hits(words: &str) -> HashSet<String> {
        terms(&mut analyzer(), words).into_iter().collect()
    }

    #[test]
    fn a_short_text_is_returned_whole_with_matches_marked() {
        let e = excerpt(
            &mut analyzer(),
            "We use Redis for caching.",
            &hits("cache"),
            100,
        );
        assert_eq!(e.marked(), "We use Redis for **caching**.");
    }

    #[test]
    fn adjacent_matches_are_marked_as_one_run() {
        let e = excerpt(
            &mut analyzer(),
            "the probability of data loss grows",
            &hits("data loss"),
            100,
        );
        assert_eq!(e.marked(), "the probability of **data loss** grows");
    }

    #[test]
    fn a_long_text_is_cut_around_the_matches_at_word_boundaries() {
        let filler = "lorem ipsum dolor sit amet ".repeat(40);
        let text = format!("{filler}We have about 200 workers consuming the task queue. {filler}");
        let e = excerpt(&mut analyzer(), &text, &hits("workers queue"), 120);
        let plain = e.plain();
        assert!(plain.contains("200 workers"), "{plain}");
        assert!(plain.chars().count() <= 122);
        assert!(plain.starts_with('…') && plain.ends_with('…'));
        for s in &e.segments {
            assert!(!s.text.starts_with(' ') || !s.hit);
        }
    }

    #[test]
    fn multibyte_text_is_never_split_inside_a_character() {
        let text = "레진코믹스는 구글 앱 엔진을 씁니다. ".repeat(30) + "gae 는 충분하다";
        let e = excerpt(&mut analyzer(), &text, &hits("gae"), 50);
        assert!(e.plain().contains("gae"));
        assert!(e.plain().chars().count() <= 52);
    }

    #[test]
    fn markdown_rendering_escapes_the_text_but_bolds_the_hits() {
        let e = excerpt(
            &mut analyzer(),
            "use *stars* and redis",
            &hits("redis"),
            100,
        );
        assert_eq!(e.markdown(), "use \\*stars\\* and **redis**");
    }

    #[test]
    fn a_hit_after_non_breaking_spaces_is_cut_on_a_character_boundary() {
        // The window's start moves back to just past a whitespace character: with U+00A0
        // (2 bytes) or U+3000 (3 bytes) that must not be one byte past its start.
        for space in ['\u{a0}', '\u{3000}', '\u{202f}'] {
            let text = format!("word{space}").repeat(100) + "gae is enough";
            let e = excerpt(&mut analyzer(), &text, &hits("gae"), 50);
            assert!(e.plain().contains("gae"), "{}", e.plain());
            assert!(e.plain().chars().count() <= 50);
        }
    }
}
