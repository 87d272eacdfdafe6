//! Discord markdown from knowledge and user text: escaping (markdown, mentions, bidi
//! overrides), rich excerpts within a length budget with hits in bold, and links.

use super::limits::{clip, measure};
use archie_core::reply::{Block, Link, Rich, UnixTime};

pub(super) fn heading(b: &Block) -> String {
    let mut h = esc(&b.heading);
    if let Some(t) = b.tag.as_deref().filter(|t| !t.trim().is_empty()) {
        h.push_str(" · ");
        h.push_str(&esc(t));
    }
    // Discord shows `<t:…:f>` as a date in the reader's own time zone.
    if let Some(UnixTime(at)) = b.at {
        h.push_str(&format!(" · <t:{at}:f>"));
    }
    h
}

/// Markdown of rich text within `max` units: escaped, hits in bold, cut at a word with `…`.
pub(super) fn rich(r: &Rich, max: usize) -> String {
    let full = markdown(r);
    if measure(&full) <= max {
        return full;
    }
    let mut out = String::new();
    for s in &r.segments {
        let t = esc(&s.text);
        let md = if s.hit && !t.trim().is_empty() {
            format!("**{t}**")
        } else {
            t
        };
        if measure(&out) + measure(&md) < max {
            out.push_str(&md);
            continue;
        }
        if !s.hit {
            let room = max.saturating_sub(measure(&out) + 1);
            out.push_str(&clip(&md, room));
        }
        break;
    }
    if !out.ends_with('…') {
        out.push('…');
    }
    out
}

/// `[title](url) · [title](url)` within `max` units.
pub(super) fn links_line(links: &[Link], max: usize) -> String {
    let mut out = String::new();
    for l in links {
        let md = link(l);
        let sep = if out.is_empty() { "" } else { " · " };
        if measure(&out) + measure(sep) + measure(&md) > max {
            break;
        }
        out.push_str(sep);
        out.push_str(&md);
    }
    out
}

pub(super) fn link(l: &Link) -> String {
    let title = if l.title.trim().is_empty() {
        archie_core::reply::short_url(&l.url)
    } else {
        l.title.clone()
    };
    format!("[{}]({})", esc(&clip(title.trim(), 120)), safe_url(&l.url))
}

/// Escapes markdown and mentions, and drops bidirectional overrides so a text cannot
/// reverse the rest of the message.
pub(super) fn esc(s: &str) -> String {
    strip_bidi(&archie_text::escape_markdown(s))
}

/// Rich text as escaped markdown with hits in bold.
pub(super) fn markdown(r: &Rich) -> String {
    strip_bidi(&r.markdown())
}

pub(super) fn strip_bidi(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// A URL that cannot end a markdown link early or break out of it.
pub(super) fn safe_url(u: &str) -> String {
    let mut out = String::with_capacity(u.len());
    for c in u.trim().chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '[' => out.push_str("%5B"),
            ']' => out.push_str("%5D"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
