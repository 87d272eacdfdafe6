//! A readable summary of what a revision changed, one line per change:
//! `title: "old" → "new"`, `+ technology Redis`, `- source https://…`, and for the text the
//! first sentence that differs with the length change.

use super::Draft;
use archie_text::truncate_words;

/// How much of a changed sentence a diff line shows.
const SHOWN: usize = 80;

/// The changes from `before` to `after` (`None`: nothing was shown).
pub fn diff(before: Option<&Draft>, after: Option<&Draft>) -> Vec<String> {
    match (before, after) {
        (None, None) => Vec::new(),
        (None, Some(a)) => vec![format!("added {} \"{}\"", a.kind.as_str(), a.title)],
        (Some(b), None) => vec![format!("removed {} \"{}\"", b.kind.as_str(), b.title)],
        (Some(b), Some(a)) => changes(b, a),
    }
}

fn changes(b: &Draft, a: &Draft) -> Vec<String> {
    let mut out = Vec::new();
    if b.kind != a.kind {
        out.push(format!("kind: {} → {}", b.kind.as_str(), a.kind.as_str()));
    }
    if b.title != a.title {
        out.push(format!(
            "title: {} → {}",
            quoted(&b.title),
            quoted(&a.title)
        ));
    }
    if b.company != a.company {
        let show = |c: &Option<String>| c.as_deref().map_or("none".to_string(), quoted);
        out.push(format!(
            "company: {} → {}",
            show(&b.company),
            show(&a.company)
        ));
    }
    if let Some(line) = text_change(&b.text, &a.text) {
        out.push(line);
    }
    list_changes(&mut out, "technology", &b.technologies, &a.technologies);
    list_changes(&mut out, "source", &b.sources, &a.sources);
    out
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", truncate_words(s, SHOWN))
}

fn list_changes(out: &mut Vec<String>, what: &str, before: &[String], after: &[String]) {
    for x in after.iter().filter(|x| !before.contains(x)) {
        out.push(format!("+ {what} {x}"));
    }
    for x in before.iter().filter(|x| !after.contains(x)) {
        out.push(format!("- {what} {x}"));
    }
}

/// Sentences end at `.`, `!` or `?` followed by whitespace, or at a line break.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_blank = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
        if c == '\n' || (matches!(c, '.' | '!' | '?') && next_blank) {
            let end = i + c.len_utf8();
            let s = text[start..end].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// `text: "old sentence" → "new sentence" (120 → 140 chars)` for the first sentence that
/// differs; an added or dropped sentence shows as `+`/`-`.
fn text_change(b: &str, a: &str) -> Option<String> {
    if b == a {
        return None;
    }
    let (bl, al) = (b.chars().count(), a.chars().count());
    let (bs, as_) = (sentences(b), sentences(a));
    let first = bs.iter().zip(&as_).position(|(x, y)| x != y);
    let what = match first {
        Some(i) => format!("{} → {}", quoted(bs[i]), quoted(as_[i])),
        None if as_.len() > bs.len() => format!("+ {}", quoted(as_[bs.len()])),
        None if bs.len() > as_.len() => format!("- {}", quoted(bs[as_.len()])),
        None => "whitespace only".to_string(),
    };
    Some(format!("text: {what} ({bl} → {al} chars)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use archie_knowledge::Kind;

    fn draft() -> Draft {
        Draft {
            kind: Kind::Note,
            title: "Cache first".into(),
            text: "Use Redis. Then shard.".into(),
            company: None,
            technologies: vec!["Redis".into()],
            sources: vec!["https://a.example".into()],
        }
    }

    #[test]
    fn every_changed_field_gets_one_readable_line() {
        let b = draft();
        let a = Draft {
            title: "Cache before sharding".into(),
            text: "Use Redis. Then shard MySQL.".into(),
            company: Some("Twitter".into()),
            technologies: vec!["MySQL".into()],
            sources: vec!["https://b.example".into()],
            ..draft()
        };
        assert_eq!(
            diff(Some(&b), Some(&a)),
            [
                "title: \"Cache first\" → \"Cache before sharding\"",
                "company: none → \"Twitter\"",
                "text: \"Then shard.\" → \"Then shard MySQL.\" (22 → 28 chars)",
                "+ technology MySQL",
                "- technology Redis",
                "+ source https://b.example",
                "- source https://a.example",
            ]
        );
    }

    #[test]
    fn an_appended_sentence_shows_as_added() {
        let b = draft();
        let a = Draft {
            text: "Use Redis. Then shard. Finally, cache again.".into(),
            ..draft()
        };
        assert_eq!(
            diff(Some(&b), Some(&a)),
            ["text: + \"Finally, cache again.\" (22 → 44 chars)"]
        );
    }

    #[test]
    fn adds_and_removes_name_the_entry() {
        assert_eq!(diff(None, Some(&draft())), ["added note \"Cache first\""]);
        assert_eq!(diff(Some(&draft()), None), ["removed note \"Cache first\""]);
        assert!(diff(Some(&draft()), Some(&draft())).is_empty());
    }
}
