//! Plain-text rendering for the CLI. Matched words are bold on a terminal (ANSI) and
//! marked `**word**` when piped.

use crate::reply::{Reply, Rich, UnixTime};

pub fn render(r: &Reply, ansi: bool) -> String {
    let mut out = String::new();
    out.push_str(&bold(&r.title, ansi));
    out.push('\n');
    if let Some(s) = &r.summary {
        out.push_str(s);
        out.push('\n');
    }
    for (i, b) in r.blocks.iter().enumerate() {
        out.push('\n');
        let n = if r.paging.is_some() || r.blocks.len() > 1 {
            format!("{}. ", i + 1)
        } else {
            String::new()
        };
        out.push_str(&format!("{n}{}", bold(&b.heading, ansi)));
        if let Some(t) = &b.tag {
            out.push_str(&format!("  [{t}]"));
        }
        if let Some(at) = b.at {
            out.push_str(&format!("  ({})", time(at)));
        }
        out.push('\n');
        if let Some(c) = &b.context {
            out.push_str(&format!("   from {c}\n"));
        }
        for line in rich(&b.body, ansi).lines() {
            out.push_str(&format!("   {line}\n"));
        }
        for l in &b.sources {
            if l.title.is_empty() || l.url.contains(&l.title) {
                out.push_str(&format!("   ↳ {}\n", l.url));
            } else {
                out.push_str(&format!("   ↳ {} — {}\n", l.title, l.url));
            }
        }
    }
    if !r.suggestions.is_empty() {
        out.push_str(&format!("\nDid you mean: {}\n", r.suggestions.join(", ")));
    }
    match r.paging {
        Some(p) if p.newest_first && p.page + 1 < p.pages => out.push_str(&format!(
            "\nPage {} of {}; older changes: --page {}.\n",
            p.page + 1,
            p.pages,
            p.page + 2
        )),
        Some(p) if !p.newest_first => out.push_str("\nMore results: raise --limit.\n"),
        _ => {}
    }
    out
}

/// A revision's time, in UTC.
fn time(at: UnixTime) -> String {
    archie_core::reply::utc(at.0).unwrap_or_else(|| format!("{} s after 1970", at.0))
}

fn bold(s: &str, ansi: bool) -> String {
    if ansi {
        format!("\x1b[1m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn rich(r: &Rich, ansi: bool) -> String {
    if ansi {
        r.segments
            .iter()
            .map(|s| {
                if s.hit {
                    bold(&s.text, true)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    } else {
        r.marked()
    }
}

/// The JSON `--json` prints for a reply: its data, or the error and suggestions.
pub fn reply_json(reply: &Reply) -> serde_json::Value {
    match &reply.data {
        Some(data) => serde_json::to_value(data).unwrap_or(serde_json::Value::Null),
        None => serde_json::json!({"error": reply.summary, "suggestions": reply.suggestions}),
    }
}

/// Prints a reply on stdout: its JSON, or its text (bold matches on a terminal).
pub fn print_reply(reply: &Reply, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&reply_json(reply))?);
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        print!("{}", render(reply, ansi));
    }
    Ok(())
}
