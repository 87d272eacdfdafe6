//! Korean in questions and entries: words split where the script changes ("kestrel은" →
//! "kestrel" "은"), particles (josa, `knowledge/words.toml`) taken off a word's end, and
//! character bigrams of Hangul words, as Lucene's CJK bigram filter makes them, so that a
//! compound and its parts meet ("데이터베이스" and "데이터").

use archie_knowledge::words::Words;
use tantivy::tokenizer::{PreTokenizedStream, PreTokenizedString, Token, Tokenizer};

pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// The pieces of a word where it changes between Hangul and another script, with their
/// byte offsets.
pub fn script_pieces(word: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<bool> = None;
    for (i, c) in word.char_indices() {
        let h = is_hangul(c);
        if prev.is_some_and(|p| p != h) {
            out.push((start, &word[start..i]));
            start = i;
        }
        prev = Some(h);
    }
    if start < word.len() {
        out.push((start, &word[start..]));
    }
    out
}

/// A Hangul word without its particle: the longest particle that leaves at least two
/// syllables is taken off ("트위터는" → "트위터"; "결과" stays). `after_other_script` says
/// the word follows another script's piece ("kestrel" + "은"): then a lone particle is
/// dropped (`None`).
pub fn strip_particle(word: &str, after_other_script: bool) -> Option<&str> {
    let w = Words::get();
    if after_other_script && w.korean_particles.iter().any(|p| p == word) {
        return None;
    }
    let n = word.chars().count();
    for p in &w.korean_particles {
        let pn = p.chars().count();
        if n >= pn + 2 {
            if let Some(stem) = word.strip_suffix(p.as_str()) {
                return Some(stem);
            }
        }
    }
    Some(word)
}

/// The words of a (normalised) question word: script pieces, Hangul ones without their
/// particle unless `known` says the word is a name as written.
pub fn question_words(word: &str, known: &dyn Fn(&str) -> bool) -> Vec<String> {
    if !word.chars().any(is_hangul) || known(word) {
        return vec![word.to_string()];
    }
    let mut out = Vec::new();
    let mut other_before = false;
    for (_, piece) in script_pieces(word) {
        let hangul = piece.chars().any(is_hangul);
        if hangul && !known(piece) {
            if let Some(stem) = strip_particle(piece, other_before) {
                out.push(stem.to_string());
            }
        } else {
            out.push(piece.to_string());
        }
        other_before = !hangul;
    }
    out
}

/// Splits like tantivy's simple tokenizer (runs of letters and digits), then at script
/// changes; a Hangul word loses its particle and is followed by its character bigrams (at
/// the same position) when it has more than two syllables.
#[derive(Clone, Default)]
pub struct KoreanAwareTokenizer;

impl Tokenizer for KoreanAwareTokenizer {
    type TokenStream<'a> = PreTokenizedStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PreTokenizedStream {
        let mut tokens: Vec<Token> = Vec::new();
        let mut position = 0usize;
        let push = |tokens: &mut Vec<Token>, from: usize, s: &str, position: usize| {
            tokens.push(Token {
                offset_from: from,
                offset_to: from + s.len(),
                position,
                text: s.to_string(),
                position_length: 1,
            })
        };
        for (start, word) in runs(text) {
            let mut other_before = false;
            for (off, piece) in script_pieces(word) {
                let from = start + off;
                if !piece.chars().any(is_hangul) {
                    push(&mut tokens, from, piece, position);
                    position += 1;
                    other_before = true;
                    continue;
                }
                let Some(stem) = strip_particle(piece, other_before) else {
                    continue;
                };
                push(&mut tokens, from, stem, position);
                let chars: Vec<(usize, char)> = stem.char_indices().collect();
                if chars.len() > 2 {
                    for pair in chars.windows(2) {
                        let (a, _) = pair[0];
                        let (b, c) = pair[1];
                        push(&mut tokens, from + a, &stem[a..b + c.len_utf8()], position);
                    }
                }
                position += 1;
                other_before = false;
            }
        }
        PreTokenizedStream::from(PreTokenizedString {
            text: text.to_string(),
            tokens,
        })
    }
}

/// Runs of letters and digits with their byte offsets.
fn runs(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        let mut t = KoreanAwareTokenizer;
        let mut ts = t.token_stream(s);
        let mut out = Vec::new();
        while tantivy::tokenizer::TokenStream::advance(&mut ts) {
            out.push(tantivy::tokenizer::TokenStream::token(&ts).text.clone());
        }
        out
    }

    #[test]
    fn particles_come_off_and_scripts_split() {
        assert_eq!(texts("kestrel은 뭐야"), ["kestrel", "뭐야"]);
        assert_eq!(texts("트위터는"), ["트위터", "트위", "위터"]);
        assert_eq!(texts("memcached를 쓰는"), ["memcached", "쓰는"]);
        assert_eq!(texts("결과"), ["결과"]);
        assert_eq!(texts("Hello, tax-payer"), ["Hello", "tax", "payer"]);
    }

    #[test]
    fn a_question_word_keeps_a_known_name_whole() {
        let none = |_: &str| false;
        assert_eq!(question_words("레진코믹스는", &none), ["레진코믹스"]);
        assert_eq!(question_words("kestrel은", &none), ["kestrel"]);
        let known = |w: &str| w == "스마트스터디";
        assert_eq!(question_words("스마트스터디", &known), ["스마트스터디"]);
    }
}
