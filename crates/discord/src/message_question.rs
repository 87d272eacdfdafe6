//! "Find an answer" on a message: the question in a member's message, as `/ask` would
//! take it. Code blocks, inline code, links, mentions, custom emoji and timestamps are
//! dropped (they are not the question, and mentions must never be echoed as pings);
//! a long message keeps its question sentences, else its opening words.

use regex::Regex;
use std::sync::OnceLock;

/// Longest question taken from a message: what `/ask` accepts.
pub const MAX_QUESTION_CHARS: usize = crate::definitions::MAX_QUESTION as usize;

fn noise() -> &'static [Regex] {
    static NOISE: OnceLock<Vec<Regex>> = OnceLock::new();
    NOISE.get_or_init(|| {
        [
            // Fenced code blocks (closed or left open), then inline code.
            r"(?s)```.*?(```|$)",
            r"`[^`\n]*`",
            // Links, bare or in angle brackets, and masked links' targets.
            r"<?https?://[^\s>)]+>?",
            // User, role and channel mentions, custom emoji, timestamps, slash mentions.
            r"<(@[!&]?|#)\d+>",
            r"<a?:\w+:\d+>",
            r"<t:-?\d+(:[tTdDfFR])?>",
            r"</[\w -]+:\d+>",
            r"@(everyone|here)\b",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("a valid pattern"))
        .collect()
    })
}

/// The question in `message`, or `None` when nothing readable is left.
pub fn question_in(message: &str) -> Option<String> {
    let mut text = message.to_string();
    for re in noise() {
        text = re.replace_all(&text, " ").into_owned();
    }
    // Markdown emphasis and quote marks are not words.
    let text: String = text
        .lines()
        .map(|l| l.trim_start_matches(['>', '#', '-', '*', ' ']))
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['*', '_', '~', '|'], " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if !text.chars().any(char::is_alphanumeric) {
        return None;
    }
    if text.chars().count() <= MAX_QUESTION_CHARS {
        return Some(text);
    }
    // A long message: its sentences that ask something, as many as fit.
    let mut asked = String::new();
    for s in sentences(&text).filter(|s| s.ends_with('?')) {
        if asked.chars().count() + s.chars().count() + 1 > MAX_QUESTION_CHARS {
            break;
        }
        if !asked.is_empty() {
            asked.push(' ');
        }
        asked.push_str(s);
    }
    if asked.is_empty() {
        asked = archie_text::truncate_words(&text, MAX_QUESTION_CHARS - 1)
            .trim_end_matches('…')
            .to_string();
    }
    Some(asked)
}

/// Sentences of `text`, each ending with its `.`, `?` or `!`.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['.', '?', '!'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_message_is_the_question() {
        assert_eq!(
            question_in("what does Twitter use for backend?").as_deref(),
            Some("what does Twitter use for backend?")
        );
    }

    #[test]
    fn code_links_and_mentions_are_dropped() {
        let m = "hey <@123456789012345678> @everyone how does instagram shard postgres? \
                 see https://instagram-engineering.com/x and ```sql\nSELECT * FROM t;\n``` \
                 or `pg_dump` <:pepe:1234> <#42> <@&77> <t:1700000000:R>";
        let q = question_in(m).unwrap();
        assert_eq!(q, "hey how does instagram shard postgres? see and or");
        assert!(
            !q.contains('<') && !q.contains('@') && !q.contains("http"),
            "{q}"
        );
    }

    #[test]
    fn a_long_message_keeps_its_question_sentences() {
        let filler = "We moved our whole stack last year and it was painful. ".repeat(8);
        let m = format!("{filler}How does Discord store trillions of messages? {filler}");
        assert_eq!(
            question_in(&m).as_deref(),
            Some("How does Discord store trillions of messages?")
        );
        let statement = "word ".repeat(200);
        let q = question_in(&statement).unwrap();
        assert!(q.chars().count() <= MAX_QUESTION_CHARS, "{}", q.len());
        assert!(q.starts_with("word word"));
    }

    #[test]
    fn nothing_readable_is_none() {
        for m in [
            "",
            "   ",
            "```rust\nfn main() {}\n```",
            "https://example.com",
            "<@1> <@&2>",
        ] {
            assert_eq!(question_in(m), None, "{m:?}");
        }
    }
}
