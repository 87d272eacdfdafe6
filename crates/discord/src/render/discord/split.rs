//! Splits long markdown into pieces of at most `max` units, preferring paragraph
//! boundaries, then line boundaries, then word boundaries; never inside a code block
//! (a long block is closed and reopened) or a markdown link `[text](url)`.

use super::limits::{clip, measure};

/// The pieces of `text`, each non-empty and at most `max` units long.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let max = max.max(16);
    let mut out: Vec<(String, &str)> = Vec::new();
    for unit in paragraphs(text) {
        if measure(&unit) <= max {
            out.push((unit, "\n\n"));
        } else if unit.starts_with("```") {
            out.extend(split_fence(&unit, max).into_iter().map(|u| (u, "\n")));
        } else {
            for (i, line) in unit.split('\n').enumerate() {
                let sep = if i == 0 { "\n\n" } else { "\n" };
                if measure(line) <= max {
                    out.push((line.to_string(), sep));
                } else {
                    for (j, w) in split_words(line, max).into_iter().enumerate() {
                        out.push((w, if j == 0 { sep } else { " " }));
                    }
                }
            }
        }
    }
    pack(out, max)
}

/// Joins consecutive pieces greedily while they fit, each with the separator it had in
/// the text (a blank line between paragraphs, a line break, or a space).
fn pack(units: Vec<(String, &str)>, max: usize) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    for (u, sep) in units.into_iter().filter(|(u, _)| !u.trim().is_empty()) {
        match chunks.last_mut() {
            Some(last) if measure(last) + measure(sep) + measure(&u) <= max => {
                last.push_str(sep);
                last.push_str(&u);
            }
            _ => chunks.push(u),
        }
    }
    chunks
}

/// Paragraphs separated by blank lines; a fenced code block is always one paragraph.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for line in text.split('\n') {
        let fence = line.trim_start().starts_with("```");
        if !in_fence && fence {
            if !cur.is_empty() {
                out.push(cur.join("\n"));
                cur.clear();
            }
            in_fence = !line.trim_start()[3..].contains("```");
            cur.push(line);
            if !in_fence {
                out.push(cur.join("\n"));
                cur.clear();
            }
            continue;
        }
        if in_fence {
            cur.push(line);
            if fence {
                in_fence = false;
                out.push(cur.join("\n"));
                cur.clear();
            }
            continue;
        }
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(cur.join("\n"));
                cur.clear();
            }
        } else {
            cur.push(line);
        }
    }
    if !cur.is_empty() {
        let mut p = cur.join("\n");
        if in_fence {
            p.push_str("\n```");
        }
        out.push(p);
    }
    out
}

/// A code block too long for one piece: its lines in pieces, each wrapped in fences.
fn split_fence(block: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<&str> = block.split('\n').collect();
    let opener = lines
        .first()
        .map(|l| l.trim().to_string())
        .unwrap_or_default();
    let opener = if measure(&opener) > 20 {
        "```".to_string()
    } else {
        opener
    };
    if lines.len() > 1 && lines.last().is_some_and(|l| l.trim() == "```") {
        lines.pop();
    }
    let inner = max.saturating_sub(measure(&opener) + 5).max(8);
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in lines.into_iter().skip(1) {
        let line = if measure(line) > inner {
            clip(line, inner)
        } else {
            line.to_string()
        };
        if !cur.is_empty() && measure(&cur) + 1 + measure(&line) > inner {
            out.push(format!("{opener}\n{cur}\n```"));
            cur.clear();
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(&line);
    }
    if !cur.is_empty() {
        out.push(format!("{opener}\n{cur}\n```"));
    }
    out
}

/// Words (and whole links, and whole bold runs) packed into pieces.
fn split_words(line: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for atom in atoms(line).into_iter().flat_map(|a| hard_cut(a, max)) {
        if !cur.is_empty() && measure(&cur) + 1 + measure(&atom) > max {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&atom);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// An atom longer than `max` cut into pieces by characters (never after a lone `\\`).
fn hard_cut(atom: String, max: usize) -> Vec<String> {
    if measure(&atom) <= max {
        return vec![atom];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in atom.chars() {
        if measure(&cur) + c.len_utf16() > max {
            let mut carry = String::new();
            if cur.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1 {
                cur.pop();
                carry.push('\\');
            }
            out.push(std::mem::replace(&mut cur, carry));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Space-separated words, except that a markdown link or a `**bold run**` stays whole.
fn atoms(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open: Option<String> = None;
    for w in line.split(' ') {
        if let Some(mut a) = open.take() {
            a.push(' ');
            a.push_str(w);
            if closes(&a) {
                out.push(a);
            } else {
                open = Some(a);
            }
            continue;
        }
        if closes(w) {
            out.push(w.to_string());
        } else {
            open = Some(w.to_string());
        }
    }
    if let Some(a) = open {
        // Never closed: give up on keeping it whole.
        out.extend(a.split(' ').map(str::to_string));
    }
    out
}

/// Whether `s` has no unfinished link (`[` without `](...)`) and an even number of `**`.
fn closes(s: &str) -> bool {
    let mut depth = 0i32;
    let mut in_url = false;
    let mut prev = '\0';
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
            prev = c;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_url => depth += 1,
            '(' if prev == ']' && depth > 0 => in_url = true,
            ')' if in_url => {
                in_url = false;
                depth -= 1;
            }
            _ => {}
        }
        prev = c;
    }
    !in_url && depth <= 0 && s.matches("**").count().is_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_stay_whole_when_they_fit() {
        let text = format!("{}\n\n{}", "a ".repeat(30).trim(), "b ".repeat(30).trim());
        let parts = split(&text, 70);
        assert_eq!(parts.len(), 2);
        assert!(parts[0].starts_with('a') && parts[1].starts_with('b'));
    }

    #[test]
    fn a_link_is_never_cut() {
        let link = "[Scaling Twitter to many users](https://example.com/a/b)";
        let text = format!("{} {link} {}", "word ".repeat(12), "tail ".repeat(12));
        for max in 60..90 {
            for p in split(&text, max) {
                assert!(measure(&p) <= max);
                let opens = p.matches('[').count();
                assert_eq!(opens, p.matches(')').count(), "max {max}: {p}");
            }
        }
    }

    #[test]
    fn a_long_code_block_is_closed_and_reopened() {
        let code = (0..50)
            .map(|i| format!("let x{i} = {i};"))
            .collect::<Vec<_>>();
        let text = format!("intro\n\n```rust\n{}\n```\n\nafter", code.join("\n"));
        let parts = split(&text, 200);
        for p in &parts {
            assert!(measure(p) <= 200);
            assert_eq!(p.matches("```").count() % 2, 0, "{p}");
        }
        assert!(parts.iter().any(|p| p.contains("let x49 = 49;")));
    }

    #[test]
    fn text_without_spaces_is_still_cut_to_size() {
        let parts = split(&"x".repeat(10_000), 1024);
        assert!(parts.iter().all(|p| measure(p) <= 1024));
        assert_eq!(parts.iter().map(|p| p.len()).sum::<usize>(), 10_000);
    }
}
