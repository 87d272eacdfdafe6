//! The Markdown tokenizer: logical lines (flattened lists cut at `* [` and `## `) and
//! `[title](url)` links.

use crate::is_http_url;

/// One logical line: a physical line, or a piece of a flattened one split at `* [` and
/// `## ` markers. `at` is its byte offset in the input.
pub(super) struct LogLine<'a> {
    pub(super) at: usize,
    pub(super) text: &'a str,
    /// Whether it began a physical line (continuation lines can only follow those).
    pub(super) physical: bool,
}

pub(super) fn logical_lines(input: &str) -> Vec<LogLine<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in input.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let bytes = line.as_bytes();
        let mut cuts = vec![0];
        let mut i = 1;
        while i + 2 < bytes.len() {
            if bytes[i - 1] == b' ' {
                let rest = &line[i..];
                let heading = rest.starts_with("## ") || rest.starts_with("### ");
                if rest.starts_with("* [") || heading {
                    cuts.push(i);
                }
            }
            i += 1;
        }
        cuts.push(line.len());
        for (n, w) in cuts.windows(2).enumerate() {
            out.push(LogLine {
                at: offset + w[0],
                text: &line[w[0]..w[1]],
                physical: n == 0,
            });
        }
        offset += raw.len();
    }
    out
}

/// `[title](url)` at the start of `s`: (title, url, rest after the link).
pub(super) fn md_link(s: &str) -> Option<(String, String, &str)> {
    let s = s.strip_prefix('[')?;
    let mut depth = 1;
    let mut end = None;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let end = end?;
    let title = s[..end].trim().to_string();
    let rest = s[end + 1..].strip_prefix('(')?;
    let close = rest.find(')')?;
    let url = rest[..close].trim().to_string();
    Some((title, url, &rest[close + 1..]))
}

/// Replaces every `[text](url)` in free text by `text (url)`.
pub(super) fn flatten_links(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        match md_link(&rest[i..]) {
            Some((t, u, after)) => {
                if u.is_empty() {
                    out.push_str(&t);
                } else {
                    out.push_str(&format!("{t} ({u})"));
                }
                rest = after;
            }
            None => {
                out.push('[');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// ` ([Korean](url))` after a link: (label, url) pairs.
pub(super) fn extra_links(after: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = after;
    while let Some(i) = rest.find('[') {
        match md_link(&rest[i..]) {
            Some((t, u, a)) => {
                if is_http_url(&u) {
                    out.push((t, u));
                }
                rest = a;
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_lines_are_cut_at_items_and_headings() {
        let l = logical_lines("## A * [x](http://a.b) * [y](http://c.d) ## B * [z](http://e.f)");
        let texts: Vec<&str> = l.iter().map(|l| l.text.trim()).collect();
        assert_eq!(
            texts,
            vec![
                "## A",
                "* [x](http://a.b)",
                "* [y](http://c.d)",
                "## B",
                "* [z](http://e.f)"
            ]
        );
        assert_eq!(l[3].at, 41);
    }
}
