//! Excerpts: the part of an entry's text that best matches the question, cut at word
//! boundaries (never inside a UTF-8 sequence), with the matched words marked.
//! [`excerpt`] shows the densest window of matched words; [`answering`] shows the
//! sentence that answers, chosen from lexical and (when given) semantic evidence, with
//! its neighbours as context.

mod sentences;

pub use sentences::{sentences, MAX_SENTENCE_CHARS};

use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
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

/// The words of `text` with their byte offsets; a word is a hit when its analysed form
/// is one of `terms`. Only words beginning like a term are stemmed (stemming
/// every word is the costly part); the light tokenizer gives the same words and offsets.
fn tokens(a: &mut TextAnalyzer, text: &str, terms: &[&str]) -> Vec<Tok> {
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

/// `text[range]` as segments with the hits in it marked, a run of hits separated only by
/// spaces as one segment, and `…` before and after when `lead` and `trail` say so.
fn render(text: &str, toks: &[Tok], range: Range<usize>, lead: bool, trail: bool) -> Excerpt {
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

/// How [`answering`] weighs its evidence when it picks the sentence that answers. A
/// sentence scores `lexical` times its share of the question's term weight, plus
/// `semantic` times its similarity to the question minus the passage's mean similarity,
/// plus `figure` when the question wants a figure and the sentence holds one. The best
/// score wins; among equals, the earlier sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnswerWeights {
    /// Weight of the lexical share: the summed weights of the distinct question terms a
    /// sentence holds over the weights of all of them (0 to 1).
    pub lexical: f32,
    /// Weight of the semantic evidence. Taken relative to the passage's mean, since a
    /// small embedding model finds every sentence of an on-topic passage somewhat
    /// similar: only the sentences standing out from their passage gain (or lose).
    pub semantic: f32,
    /// Bonus for a sentence holding a number (a word starting with a digit) or a number
    /// word, when the question wants a figure ("how many", "how much") and the sentence
    /// is otherwise relevant (it holds a question term or is more similar to the question
    /// than the passage's mean).
    pub figure: f32,
}

/// The weights [`answering`] uses.
pub const ANSWER_WEIGHTS: AnswerWeights = AnswerWeights {
    lexical: 1.0,
    semantic: 2.0,
    figure: 0.3,
};

/// Words that carry a figure as well as digits do.
const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "billions",
    "trillion",
    "dozen",
    "dozens",
    "half",
    "percent",
    "double",
    "twice",
    "triple",
];

/// First words that refer back ("It", "This", "They", "However"): a sentence opening
/// with one needs the sentence before it, which introduces its subject.
const REFERRING_WORDS: &[&str] = &[
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "they",
    "them",
    "their",
    "there",
    "here",
    "he",
    "she",
    "such",
    "so",
    "but",
    "and",
    "also",
    "however",
    "then",
    "thus",
    "both",
    "which",
    "instead",
    "still",
    "yet",
    "otherwise",
    "therefore",
    "hence",
];

/// Builds an excerpt of about `max_chars` characters (never more than `max_chars + 2`,
/// counting the `…` marks of a cut) around the sentence of `text` that best answers the
/// question.
///
/// `hits` maps the question's analysed terms (as the analyzer `a` produces them) to a
/// weight such as their IDF; `semantic`, when given, holds the question's similarity to
/// each of [`sentences`]`(text)` (it is ignored when its length differs). `wants_figure`
/// favours a sentence holding a figure. The scores are weighed by [`ANSWER_WEIGHTS`].
///
/// The chosen sentence is followed by as many next sentences as fit, then preceded by
/// previous ones; the sentence before comes first when the chosen one opens with a word
/// that refers back ("It", "This", "They") or the one before ends with `:`. A chosen
/// sentence longer than `max_chars` is cut to the window of its densest hits, at word
/// boundaries. Matched words are marked as in [`excerpt`]; a text that fits is whole.
pub fn answering(
    a: &mut TextAnalyzer,
    text: &str,
    hits: &HashMap<String, f32>,
    semantic: Option<&[f32]>,
    wants_figure: bool,
    max_chars: usize,
) -> Excerpt {
    if max_chars == 0 {
        return Excerpt::default();
    }
    let terms: Vec<&str> = hits.keys().map(String::as_str).collect();
    let toks = tokens(a, text, &terms);
    if text.chars().count() <= max_chars {
        return render(text, &toks, 0..text.len(), false, false);
    }
    let spans = sentences(text);
    let Some(best) = best_sentence(text, &toks, &spans, hits, semantic, wants_figure) else {
        return excerpt_of_range(text, &toks, 0..text.len(), max_chars);
    };
    let chars = |r: &Range<usize>| text[r.clone()].chars().count();
    let (mut lo, mut hi) = (best, best);
    if chars(&spans[best]) > max_chars {
        return excerpt_of_range(text, &toks, spans[best].clone(), max_chars);
    }
    let fits = |lo: usize, hi: usize| chars(&(spans[lo].start..spans[hi].end)) <= max_chars;
    if lo > 0 && introduced_by_previous(text, &spans, best) && fits(lo - 1, hi) {
        lo -= 1;
    }
    while hi + 1 < spans.len() && fits(lo, hi + 1) {
        hi += 1;
    }
    while lo > 0 && fits(lo - 1, hi) {
        lo -= 1;
    }
    let range = spans[lo].start..spans[hi].end;
    let lead = !text[..range.start].trim().is_empty();
    let trail = !text[range.end..].trim().is_empty();
    render(text, &toks, range, lead, trail)
}

/// The index of the sentence that best answers, or `None` for a text without sentences.
fn best_sentence(
    text: &str,
    toks: &[Tok],
    spans: &[Range<usize>],
    hits: &HashMap<String, f32>,
    semantic: Option<&[f32]>,
    wants_figure: bool,
) -> Option<usize> {
    let w = ANSWER_WEIGHTS;
    let weight = |t: &str| hits.get(t).copied().filter(|w| w.is_finite() && *w > 0.0);
    let total: f32 = hits.keys().filter_map(|t| weight(t)).sum();
    let semantic = semantic.filter(|s| s.len() == spans.len()).map(|s| {
        s.iter()
            .map(|x| if x.is_finite() { *x } else { 0.0 })
            .collect::<Vec<f32>>()
    });
    let mean = semantic
        .as_ref()
        .filter(|s| !s.is_empty())
        .map(|s| s.iter().sum::<f32>() / s.len() as f32);
    let mut best: Option<(usize, f32)> = None;
    let mut t = 0; // tokens are in text order, and so are the sentences
    for (i, span) in spans.iter().enumerate() {
        while t < toks.len() && toks[t].from < span.start {
            t += 1;
        }
        let mut seen: Vec<&str> = Vec::new();
        let mut figure = false;
        let mut k = t;
        while k < toks.len() && toks[k].to <= span.end {
            let word = &text[toks[k].from..toks[k].to];
            if let Some(h) = toks[k].hit.as_deref() {
                if !seen.contains(&h) {
                    seen.push(h);
                }
            }
            // "12", "2x", "1.5" are figures; "S3" and "EC2" are names.
            figure = figure
                || word.chars().next().is_some_and(char::is_numeric)
                || NUMBER_WORDS.iter().any(|n| n.eq_ignore_ascii_case(word));
            k += 1;
        }
        let lexical = if total > 0.0 {
            seen.iter().filter_map(|h| weight(h)).sum::<f32>() / total
        } else {
            0.0
        };
        let similar = match (&semantic, mean) {
            (Some(s), Some(m)) => s[i] - m,
            _ => 0.0,
        };
        let mut score = w.lexical * lexical + w.semantic * similar;
        if wants_figure && figure && (lexical > 0.0 || similar > 0.0) {
            score += w.figure;
        }
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

/// Whether sentence `i` needs the one before it: it opens with a word that refers back,
/// or the one before ends with `:` (it introduces a list or a quote).
fn introduced_by_previous(text: &str, spans: &[Range<usize>], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).and_then(|p| spans.get(p)) else {
        return false;
    };
    if text[prev.clone()].ends_with(':') {
        return true;
    }
    let first = text[spans[i].clone()]
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    REFERRING_WORDS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(first))
}

/// An excerpt of at most `max_chars` characters from within `range` of `text`, at the
/// window of the densest hits, with `…` wherever text was left out.
fn excerpt_of_range(text: &str, toks: &[Tok], range: Range<usize>, max_chars: usize) -> Excerpt {
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

    fn weights(words: &[(&str, f32)]) -> HashMap<String, f32> {
        let mut a = analyzer();
        let mut m = HashMap::new();
        for (w, x) in words {
            for t in terms(&mut a, w) {
                m.insert(t, *x);
            }
        }
        m
    }

    /// Twenty-five sentences about a photo service, none of which says how much data
    /// arrives per day but sentence 20 (index 19).
    fn long_passage() -> (String, &'static str) {
        let answer = "Instagram stores about 12 terabytes of new photos every day, \
                      and the data per day still grows.";
        let mut s = Vec::new();
        for i in 0..25 {
            if i == 19 {
                s.push(answer.to_string());
            } else {
                s.push(format!(
                    "Sentence {i} is about the service as a whole: the team kept the \
                     design simple, chose proven tools, and moved slowly with great care."
                ));
            }
        }
        s[2] = "The data lives in PostgreSQL, sharded by user across many machines.".into();
        s[7] = "Each day the engineers review the dashboards together.".into();
        s[20] = "That volume is why photos go straight to Amazon S3.".into();
        (s.join(" "), answer)
    }

    #[test]
    fn the_answering_sentence_deep_in_a_long_passage_is_shown() {
        let (text, answer) = long_passage();
        assert!(text.chars().count() > 3_000, "{}", text.chars().count());
        let q = weights(&[("data", 1.0), ("per", 1.5), ("day", 1.2)]);
        let e = answering(&mut analyzer(), &text, &q, None, false, 320);
        let plain = e.plain();
        assert!(plain.contains(answer), "{plain}");
        assert!(plain.starts_with('…') && plain.ends_with('…'), "{plain}");
        assert!(plain.chars().count() <= 322, "{}", plain.chars().count());
        assert!(e.marked().contains("**data per day**"), "{}", e.marked());
        // The densest-window excerpt, by contrast, may show any window: the new one
        // shows the answer with the sentence that follows it as context.
        assert!(plain.contains("That volume is why"), "{plain}");
    }

    #[test]
    fn a_question_wanting_a_figure_gets_the_sentence_with_the_number() {
        let filler = "The team reviews the design every week and keeps it simple. ".repeat(8);
        let text = format!(
            "Photos are stored in Amazon S3 buckets in several regions. {filler}\
             By now we have stored over 2 billion photos there. {filler}"
        );
        let q = weights(&[("photos", 2.0), ("stored", 1.0)]);
        let plain = answering(&mut analyzer(), &text, &q, None, false, 120).plain();
        assert!(
            plain.contains("S3 buckets") && !plain.contains("2 billion"),
            "{plain}"
        );
        let plain = answering(&mut analyzer(), &text, &q, None, true, 120).plain();
        assert!(plain.contains("2 billion photos"), "{plain}");
    }

    #[test]
    fn semantic_scores_can_pick_a_sentence_sharing_no_word_with_the_question() {
        let (text, _) = long_passage();
        let n = sentences(&text).len();
        // "How do they keep pictures safe?": only "keep" occurs, in an unrelated sentence.
        let mut text = text;
        text.push_str(" We keep the servers in one region. Every upload is copied to three data centres before it is acknowledged.");
        let spans = sentences(&text);
        assert_eq!(spans.len(), n + 2);
        let q = weights(&[("keep", 0.5), ("pictures", 2.0), ("safe", 1.5)]);
        let mut sim = vec![0.2f32; spans.len()];
        sim[n + 1] = 0.8;
        let lexical = answering(&mut analyzer(), &text, &q, None, false, 100).plain();
        assert!(lexical.contains("We keep the servers"), "{lexical}");
        let hybrid = answering(&mut analyzer(), &text, &q, Some(&sim), false, 100).plain();
        assert!(hybrid.contains("copied to three data centres"), "{hybrid}");
        // Scores of the wrong length (a stale index) are ignored rather than misread.
        let stale = answering(&mut analyzer(), &text, &q, Some(&sim[1..]), false, 100).plain();
        assert_eq!(stale, lexical);
    }

    #[test]
    fn a_sentence_that_refers_back_comes_with_the_one_before() {
        let filler = "Unrelated words fill this sentence up nicely. ".repeat(10);
        let text = format!(
            "{filler}Cassandra holds the activity feed. It handles 2 million writes \
             per second at peak. {filler}"
        );
        let q = weights(&[("writes", 1.0), ("second", 1.0)]);
        let plain = answering(&mut analyzer(), &text, &q, None, false, 110).plain();
        assert!(
            plain.contains("Cassandra holds the activity feed. It handles"),
            "{plain}"
        );
    }

    #[test]
    fn an_answer_sentence_longer_than_the_limit_is_cut_around_its_hits() {
        let long = format!(
            "We tried {} and finally settled on Redis for the session cache because it was fast.",
            "many different approaches over the years ".repeat(12)
        );
        let text = format!("Intro sentence here. {long} Closing words.");
        let q = weights(&[("redis", 2.0), ("session", 1.0)]);
        let e = answering(&mut analyzer(), &text, &q, None, false, 80);
        let plain = e.plain();
        assert!(e.marked().contains("**Redis**"), "{}", e.marked());
        assert!(plain.starts_with('…') && plain.ends_with('…'), "{plain}");
        assert!(plain.chars().count() <= 82, "{plain}");
    }

    #[test]
    fn a_text_that_fits_is_shown_whole() {
        let text = "We use Redis. It caches sessions.";
        let e = answering(
            &mut analyzer(),
            text,
            &weights(&[("cache", 1.0)]),
            None,
            false,
            100,
        );
        assert_eq!(e.marked(), "We use Redis. It **caches** sessions.");
    }

    #[test]
    fn multibyte_text_never_panics_and_stays_within_the_limit() {
        let texts = [
            "레진코믹스는 구글 앱 엔진을 씁니다. 데이터는 하루에 12테라바이트입니다. ".repeat(20),
            "we used to run 2\u{a0}nginx\u{a0}machines.\u{a0}Then\u{3000}more. ".repeat(30),
            "🚀 launch 👨‍👩‍👧‍👦 family 👍🏽 data. ok! ".repeat(40),
            "cafe\u{301} re\u{301}sume\u{301} data\u{0308}\u{20dd} naïve. ".repeat(40),
            "\u{202e}data\u{202c} \u{2067}day\u{2069} per\u{200d}day\u{200c}. ".repeat(40),
        ];
        let q = weights(&[
            ("data", 1.0),
            ("day", 1.0),
            ("nginx", 1.0),
            ("레진코믹스는", 1.0),
        ]);
        let set: HashSet<String> = q.keys().cloned().collect();
        for text in &texts {
            for max in [1, 2, 3, 5, 17, 40, 99, 320] {
                for figure in [false, true] {
                    let e = answering(&mut analyzer(), text, &q, None, figure, max);
                    assert!(e.plain().chars().count() <= max + 2, "{max}: {}", e.plain());
                }
                let e = excerpt(&mut analyzer(), text, &set, max.max(3));
                assert!(
                    e.plain().chars().count() <= max.max(3),
                    "{max}: {}",
                    e.plain()
                );
            }
            let sim: Vec<f32> = (0..sentences(text).len())
                .map(|i| (i % 7) as f32 / 10.0)
                .collect();
            let e = answering(&mut analyzer(), text, &q, Some(&sim), true, 60);
            assert!(e.plain().chars().count() <= 62);
        }
    }

    fn spans_text(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn sentences_do_not_split_decimals_abbreviations_or_urls() {
        assert_eq!(
            spans_text("Latency fell 1.5 times, e.g. for reads, i.e. most traffic. See http://goo.gl/mkfQN for more! Writes vs. reads etc. are the same? Yes."),
            vec![
                "Latency fell 1.5 times, e.g. for reads, i.e. most traffic.",
                "See http://goo.gl/mkfQN for more!",
                "Writes vs. reads etc. are the same?",
                "Yes."
            ]
        );
    }

    #[test]
    fn sentences_end_at_line_breaks_and_keep_closing_quotes() {
        assert_eq!(
            spans_text("We always get asked, “what’s your stack?” We thought so.\n\n• Keep it simple\n• Don’t re-invent the wheel\n"),
            vec![
                "We always get asked, “what’s your stack?”",
                "We thought so.",
                "• Keep it simple",
                "• Don’t re-invent the wheel",
            ]
        );
        assert!(sentences("  \n \u{a0}\u{3000} ").is_empty());
    }

    #[test]
    fn a_very_long_sentence_is_split_at_a_semicolon_or_comma() {
        let part = "the service stores every photo in three places";
        let text = format!(
            "{}; {}, {}.",
            part.repeat(4),
            part.repeat(3),
            part.repeat(3)
        );
        let spans = spans_text(&text);
        assert!(spans.len() >= 2, "{spans:?}");
        assert!(spans[0].ends_with(';'), "{spans:?}");
        for s in &spans {
            assert!(s.chars().count() <= MAX_SENTENCE_CHARS, "{s}");
        }
        let words = "x".repeat(700);
        let spans = sentences(&words);
        assert_eq!(spans.len(), 3);
        assert_eq!(spans.iter().map(|r| r.len()).sum::<usize>(), 700);
    }
}
