//! Text helpers shared by every layer: normalisation for matching, slugs for ids,
//! and character-safe truncation.
//!
//! # Layout
//!

use unicode_normalization::UnicodeNormalization;

/// Lowercases, strips diacritics (é → e) and keeps every script's letters and digits.
/// Everything else becomes a single space. Used for alias lookup and query matching.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    // Decompose (é → e + ◌́, ｔ → t), drop the accents, then recompose so scripts built
    // from jamo (Hangul) come back as whole syllables.
    let folded = s
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .nfc();
    for c in folded {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A key that ignores punctuation and spaces entirely: `my-sql`, `My SQL` and `mysql`
/// share the key `mysql`; `node.js` and `nodejs` share `nodejs`.
pub fn compact_key(s: &str) -> String {
    normalize(s).replace(' ', "")
}

/// A stable, readable id fragment: lowercase ASCII words joined by `-`.
/// Non-Latin text is kept (ids may contain Hangul) so no name maps to an empty slug.
pub fn slug(s: &str) -> String {
    let n = normalize(s);
    let mut out = String::new();
    for w in n.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(w);
    }
    if out.chars().count() > 80 {
        out = out.chars().take(80).collect();
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// Truncates to at most `max` characters, cutting at a word boundary when one is near,
/// and appends `…` when anything was cut. Never splits a UTF-8 sequence.
pub fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    let trimmed = match cut.rfind(char::is_whitespace) {
        Some(i) if cut[..i].chars().count() * 4 >= max * 3 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", trimmed.trim_end())
}

/// Where each line of a text starts, for turning many byte offsets into line numbers
/// (one binary search each, where [`line_of`] reads the text up to the offset).
#[derive(Debug, Clone, Default)]
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    pub fn new(src: &str) -> LineStarts {
        let newlines = src.bytes().enumerate().filter(|(_, b)| *b == b'\n');
        LineStarts(newlines.map(|(i, _)| i).collect())
    }

    /// Byte offset → 1-based line number, as [`line_of`] gives it.
    pub fn line_of(&self, offset: usize) -> usize {
        // The newlines before `offset`, plus one.
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

/// Byte offset → 1-based line number in `src`.
pub fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_case_accents_and_punctuation() {
        assert_eq!(normalize("  Café-RUNNING!! "), "cafe running");
        assert_eq!(normalize("레진코믹스"), "레진코믹스");
        assert_eq!(compact_key("My-SQL"), "mysql");
        assert_eq!(compact_key("node.js"), "nodejs");
    }

    #[test]
    fn slug_is_stable_and_never_empty_for_words() {
        assert_eq!(
            slug("Tech Stack (2 parts) at Uber"),
            "tech-stack-2-parts-at-uber"
        );
        assert_eq!(
            slug("Lezhin Comics(레진코믹스)"),
            "lezhin-comics-레진코믹스"
        );
    }

    #[test]
    fn truncate_keeps_char_boundaries_and_marks_the_cut() {
        let s = "가나다라마바사 아자차카타파하";
        let t = truncate_words(s, 10);
        assert!(t.chars().count() <= 10);
        assert!(t.ends_with('…'));
        assert_eq!(truncate_words("short", 10), "short");
        let words = truncate_words("alpha beta gamma delta epsilon", 20);
        assert_eq!(words, "alpha beta gamma…");
    }

    #[test]
    fn line_of_counts_newlines_before_the_offset() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
        let text = "one\n\ntwo\nthree";
        let starts = LineStarts::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                starts.line_of(offset),
                line_of(text, offset),
                "offset {offset}"
            );
        }
    }
}

/// Escapes Discord markdown and neutralises mentions, so stored text shows as written and
/// can never format, ping (`@everyone`, `<@id>`) or hide a link.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut line_start = true;
    for c in s.chars() {
        match c {
            '*' | '_' | '`' | '~' | '|' | '\\' | '[' | ']' | '<' => {
                out.push('\\');
                out.push(c);
            }
            '>' | '#' | '-' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200B}"),
            _ => out.push(c),
        }
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

#[cfg(test)]
mod escape_tests {
    use super::escape_markdown;

    #[test]
    fn markdown_and_mentions_are_neutralised() {
        assert_eq!(
            escape_markdown("**bold** @everyone <@123>"),
            "\\*\\*bold\\*\\* @\u{200B}everyone \\<@\u{200B}123>"
        );
        assert_eq!(escape_markdown("> quote\n# head"), "\\> quote\n\\# head");
    }
}
