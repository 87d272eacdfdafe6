//! Autocomplete for company and technology options, answered from memory: names that
//! start with what was typed first, then names containing it, then close spellings.
//! The label is readable, the value is the stable id (commands accept ids and names).

use archie_core::app::App;
use archie_knowledge::Knowledge;
use archie_text::compact_key;

/// Which list an option completes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    Companies,
    Technologies,
    /// Entry ids (`/kb`), as the asking server sees them: see [`suggest_in`].
    Entries,
}

/// Discord shows at most 25 choices.
const MAX: usize = 25;

struct Item<'a> {
    id: &'a str,
    name: &'a str,
    aliases: &'a [String],
}

fn items(k: &Knowledge, names: Names) -> Vec<Item<'_>> {
    match names {
        Names::Companies => k
            .companies
            .items
            .iter()
            .map(|c| Item {
                id: &c.id,
                name: &c.name,
                aliases: &c.aliases,
            })
            .collect(),
        Names::Technologies => k
            .techs
            .items
            .iter()
            .map(|t| Item {
                id: &t.id,
                name: &t.name,
                aliases: &t.aliases,
            })
            .collect(),
        Names::Entries => Vec::new(),
    }
}

/// Up to 25 `(label, id)` choices, entries limited to what `guild` sees.
pub fn suggest_in(
    app: &App,
    guild: Option<u64>,
    names: Names,
    typed: &str,
) -> Vec<(String, String)> {
    match names {
        Names::Entries => archie_core::commands::kb::suggest_ids(app, guild, typed),
        _ => suggest(app, names, typed),
    }
}

/// Up to 25 `(label, id)` choices for what the user has typed so far.
pub fn suggest(app: &App, names: Names, typed: &str) -> Vec<(String, String)> {
    let k = app.engine.knowledge();
    let all = items(k, names);
    let q = compact_key(typed);
    // (rank, label, id): 0 name prefix, 1 alias prefix, 2 name contains, 3 alias contains.
    let mut scored: Vec<(u8, String, &str)> = Vec::new();
    for it in &all {
        let name_key = compact_key(it.name);
        let alias = |f: &dyn Fn(&str) -> bool| {
            it.aliases
                .iter()
                .find(|a| f(&compact_key(a)))
                .map(|a| format!("{} ({a})", it.name))
        };
        let hit = if q.is_empty() || name_key.starts_with(&q) {
            Some((0, it.name.to_string()))
        } else if let Some(l) = alias(&|a: &str| a.starts_with(&q)) {
            Some((1, l))
        } else if name_key.contains(&q) || compact_key(it.id).contains(&q) {
            Some((2, it.name.to_string()))
        } else {
            alias(&|a: &str| a.contains(&q)).map(|l| (3, l))
        };
        if let Some((rank, label)) = hit {
            scored.push((rank, label, it.id));
        }
    }
    scored.sort_by(|a, b| (a.0, a.1.to_lowercase(), a.2).cmp(&(b.0, b.1.to_lowercase(), b.2)));
    let mut out: Vec<(String, String)> = Vec::new();
    for (_, label, id) in scored {
        if !out.iter().any(|(_, v)| v == id) {
            out.push((label, id.to_string()));
        }
    }
    if out.len() < MAX && !q.is_empty() {
        let close: Vec<(String, String)> = match names {
            Names::Companies => k
                .companies
                .suggest(typed, MAX)
                .into_iter()
                .map(|c| (c.name.clone(), c.id.clone()))
                .collect(),
            Names::Technologies => k
                .techs
                .suggest(typed, MAX)
                .into_iter()
                .map(|t| (t.name.clone(), t.id.clone()))
                .collect(),
            Names::Entries => Vec::new(),
        };
        for (label, id) in close {
            if !out.iter().any(|(_, v)| *v == id) {
                out.push((label, id));
            }
        }
    }
    out.retain(|(_, id)| !id.is_empty() && id.chars().count() <= 100);
    out.truncate(MAX);
    out
}
