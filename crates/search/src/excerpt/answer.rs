//! The sentence that answers: each sentence scored from lexical and semantic evidence,
//! then shown with its neighbours as context.

use super::marking::{render, tokens, Tok};
use super::sentences::sentences;
use super::window::excerpt_of_range;
use super::Excerpt;
use std::collections::HashMap;
use std::ops::Range;
use tantivy::tokenizer::TextAnalyzer;

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
/// boundaries. Matched words are marked as in `excerpt`; a text that fits is whole.
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
