//! How entries spell things: `http(s)` URLs, stack items (`name (qualifier)`), and the
//! text of a stack.

use super::{LayerGroup, Link, StackItem};

/// Whether `v` is an absolute `http(s)` URL with a host and no whitespace.
pub fn is_http_url(v: &str) -> bool {
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    match rest {
        Some(r) => !r.is_empty() && !r.starts_with('/') && !v.chars().any(char::is_whitespace),
        None => false,
    }
}

/// Splits `name (qualifier)` / `name(qualifier)` into its parts.
pub fn split_item(raw: &str) -> (String, Option<String>) {
    let raw = raw.trim();
    match raw.find('(') {
        Some(i) if i > 0 => {
            let name = raw[..i].trim().to_string();
            let q = raw[i + 1..].trim().trim_end_matches(')').trim().to_string();
            (name, (!q.is_empty()).then_some(q))
        }
        _ => (raw.to_string(), None),
    }
}

/// The searchable, displayable text of a stack: one line per layer, the source spelling
/// kept and the canonical name added where they differ.
pub fn stack_text(layers: &[LayerGroup], links: &[Link], remark: Option<&str>) -> String {
    let mut out = String::new();
    for g in layers {
        let items: Vec<String> = g.items.iter().map(item_text).collect();
        out.push_str(&format!("{}: {}\n", g.layer.label(), items.join(", ")));
    }
    if let Some(r) = remark {
        out.push_str(&format!("Note: {r}\n"));
    }
    if !links.is_empty() {
        let titles: Vec<&str> = links.iter().map(|l| l.title.as_str()).collect();
        out.push_str(&format!("Articles: {}\n", titles.join("; ")));
    }
    out.trim_end().to_string()
}

/// Splits at `sep` outside parentheses and brackets (a stray closing bracket closes
/// nothing): `"a (b, c), d"` at `,` is `["a (b, c)", "d"]`. Pieces are trimmed; empty
/// ones are dropped.
pub fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == sep && depth == 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A stack item as a member reads it: its canonical name, and the source's note on it.
/// (The source's own spelling stays in the indexed text and in `/whatis`.)
pub fn item_shown(i: &StackItem) -> String {
    match &i.qualifier {
        Some(q) => format!("{} ({q})", i.tech),
        None => i.tech.clone(),
    }
}

/// A stack item as its source wrote it, with the canonical name beside a different
/// spelling: the indexed text of a stack, so the seed spellings stay searchable.
pub fn item_text(i: &StackItem) -> String {
    let mut s = i.raw.clone();
    // Show the canonical name whenever the source spells it differently ("my-sql [MySQL]").
    if i.raw.to_lowercase() != i.tech.to_lowercase() {
        s.push_str(&format!(" [{}]", i.tech));
    }
    if let Some(q) = &i.qualifier {
        s.push_str(&format!(" ({q})"));
    }
    s
}
