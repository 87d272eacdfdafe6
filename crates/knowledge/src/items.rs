//! How entries spell things: `http(s)` URLs, stack items (`name (qualifier)`), and the
//! text of a stack.

use super::{LayerGroup, Link, NameTable, StackItem, Tech};

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

/// What a stack's remarks say beyond its layers, line by line, for a member to read. A
/// line that only lists technologies (`databases: mongodb, my-sql`: the importer keeps a
/// seed's sub-lists so) keeps those that `shown` (the canonical names the layers show)
/// lacks, under their canonical names and each once, and goes when none is left; any other
/// line (prose, a quote, a link) stays as written, once.
pub fn remark_beyond_layers(
    remarks: &[String],
    shown: &[&str],
    techs: &NameTable<Tech>,
) -> Vec<String> {
    let mut seen: Vec<String> = shown.iter().map(|t| t.to_string()).collect();
    let mut out: Vec<String> = Vec::new();
    let lines = remarks.iter().flat_map(|r| r.lines()).map(str::trim);
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((label, items)) = tech_list(line, techs) else {
            if !out.iter().any(|l| l == line) {
                out.push(line.to_string());
            }
            continue;
        };
        let mut fresh: Vec<String> = Vec::new();
        for i in items {
            if !seen.contains(&i.tech) {
                seen.push(i.tech.clone());
                fresh.push(item_shown(&i));
            }
        }
        if !fresh.is_empty() {
            let list = fresh.join(", ");
            out.push(match label {
                Some(l) => format!("{l}: {list}"),
                None => list,
            });
        }
    }
    out
}

/// A remark line that only lists technologies, `[label:] item, item (qualifier), ...`: its
/// label and its items resolved; `None` when some item names no known technology.
fn tech_list<'a>(
    line: &'a str,
    techs: &NameTable<Tech>,
) -> Option<(Option<&'a str>, Vec<StackItem>)> {
    let (label, list) = match line.split_once(':') {
        Some((l, rest)) => (Some(l.trim()).filter(|l| !l.is_empty()), rest),
        None => (None, line),
    };
    let items: Vec<StackItem> = split_top(list, ',')
        .iter()
        .map(|el| {
            let (raw, qualifier) = split_item(el);
            techs.get(&raw).map(|t| StackItem {
                tech: t.name.clone(),
                raw,
                qualifier,
            })
        })
        .collect::<Option<_>>()?;
    (!items.is_empty()).then_some((label, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn techs() -> NameTable<Tech> {
        let tech = |id: &str, name: &str, aliases: &[&str]| Tech {
            id: id.into(),
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            layer: crate::Layer::Data,
            detect: true,
        };
        let mut table = NameTable::default();
        for (i, t) in [
            tech("mysql", "MySQL", &[]),
            tech("postgresql", "PostgreSQL", &["postgres-sql"]),
            tech("redis", "Redis", &[]),
        ]
        .into_iter()
        .enumerate()
        {
            for n in t.aliases.iter().chain([&t.name]) {
                table.claim(n, i).expect("distinct names");
            }
            table.items.push(t);
        }
        table
    }

    fn beyond(remark: &str, shown: &[&str]) -> Vec<String> {
        remark_beyond_layers(&[remark.to_string()], shown, &techs())
    }

    #[test]
    fn a_line_listing_what_the_layers_show_goes() {
        let r = "databases: my-sql, postgres-sql(9.1)\nmy-sql";
        assert!(beyond(r, &["MySQL", "PostgreSQL"]).is_empty());
    }

    #[test]
    fn a_list_keeps_what_the_layers_lack_canonically_and_once() {
        let r = "storage: my-sql, redis (sessions), Redis\ncache: redis";
        assert_eq!(beyond(r, &["MySQL"]), ["storage: Redis (sessions)"]);
    }

    #[test]
    fn prose_stays_as_written() {
        let r = "MySQL on big machines, as of 2012\nredis: for feeds, sessions";
        assert_eq!(
            beyond(r, &["MySQL", "Redis"]),
            [
                "MySQL on big machines, as of 2012",
                "redis: for feeds, sessions"
            ]
        );
    }
}
