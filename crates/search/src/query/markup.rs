//! A chat message as a question: Discord markup taken out before it is read. Mentions,
//! `@everyone`/`@here`, custom and `:shortcode:` emoji, timestamps and fenced code blocks
//! go; quote markers, inline code and emphasis keep their words; a
//! URL leaves the words of its host and path as hints ("github.com/twitter/gizzard" →
//! "github twitter gizzard").

use regex::Regex;
use std::sync::OnceLock;

struct Patterns {
    fence: Regex,
    drop: Vec<Regex>,
    url: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("a valid pattern");
        Patterns {
            fence: re(r"(?s)```.*?(```|$)"),
            drop: [
                r"<(@[!&]?|#)\d+>",
                r"<a?:\w+:\d+>",
                r"<t:-?\d+(:[tTdDfFR])?>",
                r"</[\w -]+:\d+>",
                r"@(everyone|here)\b",
                r":[a-z0-9_+-]{2,32}:",
            ]
            .iter()
            .map(|p| re(p))
            .collect(),
            url: re(r"<?(https?://|www\.)[^\s<>()]+>?|\b([a-z0-9-]+\.)+(com|io|org|net|dev|co|blog)(/[^\s<>()]*)?"),
        }
    })
}

/// Parts of a host name that say nothing about what is linked.
const HOST_NOISE: &[&str] = &[
    "www",
    "com",
    "org",
    "net",
    "io",
    "dev",
    "co",
    "blog",
    "engineering",
    "https",
    "http",
    "html",
    "htm",
    "php",
    "md",
    "en",
    "us",
    "amp",
];

/// The words of a URL worth reading: host and path words, without scheme, top-level
/// domain, file endings, query string, ids and hashes.
fn url_words(url: &str) -> String {
    let url = url.trim_matches(['<', '>']);
    let url = url.split(['?', '#']).next().unwrap_or("");
    url.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| !HOST_NOISE.contains(&w.to_ascii_lowercase().as_str()))
        // Ids, dates and hashes: digits, or long runs without vowels.
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| w.len() <= 24)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `message` with its markup taken out (the same text when it has none).
pub fn clean(message: &str) -> String {
    let p = patterns();
    let text = p.fence.replace_all(message, " ");
    // A quoted line loses its marker and keeps its words: what a member quotes is what
    // they ask about ("> tumblr sharded mysql" / "is there a link?").
    let mut text: String = text
        .lines()
        .map(|l| l.trim_start().trim_start_matches(['>', ' ']))
        .collect::<Vec<_>>()
        .join("\n");
    for re in &p.drop {
        text = re.replace_all(&text, " ").into_owned();
    }
    let text = p.url.replace_all(&text, |c: &regex::Captures| {
        format!(" {} ", url_words(&c[0]))
    });
    let text: String = text
        .lines()
        .map(|l| l.trim_start().trim_start_matches(['#', '-', '*', ' ']))
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['`', '*', '_', '~', '|'], " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(
            clean("what does Twitter use for backend?"),
            "what does Twitter use for backend?"
        );
        assert_eq!(clean("what's node.js"), "what's node.js");
    }

    #[test]
    fn mentions_emoji_code_and_quotes_go() {
        let m = "@here <@123456789012345678> <:pepega:98765> :thinking: does **instagram** \
                 shard `postgres`?\n> they said mysql\n```sql\nSELECT 1;\n```";
        assert_eq!(clean(m), "does instagram shard postgres ? they said mysql");
    }

    #[test]
    fn a_url_leaves_its_words() {
        assert_eq!(
            clean("what is https://github.com/twitter/gizzard?tab=readme"),
            "what is github twitter gizzard"
        );
        assert_eq!(
            clean("saw github.com/twitter/gizzard, what is it"),
            "saw github twitter gizzard what is it"
        );
    }

    #[test]
    fn a_quote_is_read_without_its_marker() {
        assert_eq!(clean("> who uses kafka"), "who uses kafka");
    }
}
