//! `companies.toml` and `technologies.toml` into name tables: every name and alias
//! claimed by exactly one company or technology.

use super::loader::{Loader, Src};
use crate::files::{CompaniesFile, SpannedText, TechDef, TechnologiesFile};
use crate::{Company, Layer, NameTable, Named, Tech};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub(super) fn load_companies(
    l: &mut Loader,
    src: &Src<CompaniesFile>,
    table: &mut NameTable<Company>,
) {
    let mut company_ids: HashMap<String, (PathBuf, usize)> = HashMap::new();
    for c in &src.data.company {
        let id = l.required(src, "id", &c.id);
        let line = src.line(&c.id);
        if let Some((f, first)) = company_ids.get(&id) {
            let msg = format!(
                "duplicate company id '{id}' (first defined at {}:{first})",
                f.display()
            );
            l.problem(&src.path, line, msg);
            continue;
        }
        company_ids.insert(id.clone(), (src.path.clone(), line));
        let name = l.required(src, "name", &c.name);
        let url = c.url.as_ref().and_then(|u| l.url(src, u));
        let aliases = trimmed_all(&c.aliases);
        let idx = table.items.len();
        table.items.push(Company {
            id: id.clone(),
            name: name.clone(),
            aliases: aliases.clone(),
            url,
            detect: c.detect,
        });
        let names = [(id.as_str(), line), (name.as_str(), src.line(&c.name))];
        let claims = with_aliases(src, &names, &aliases, &c.aliases);
        claim_all(l, table, &src.path, idx, &claims, "company");
    }
}

/// Loads the technologies; returns each one's index with its definition, for its entry
/// (made once the stacks say who uses it).
pub(super) fn load_techs<'a>(
    l: &mut Loader,
    src: &'a Src<TechnologiesFile>,
    table: &mut NameTable<Tech>,
) -> Vec<(usize, &'a TechDef)> {
    let mut defs = Vec::new();
    for t in &src.data.tech {
        let id = l.id(src, &t.id);
        let name = l.required(src, "name", &t.name);
        let layer = match Layer::parse(t.layer.get_ref()) {
            Some(layer) => layer,
            None => {
                let keys: Vec<&str> = Layer::ALL.iter().map(|l| l.key()).collect();
                let msg = format!(
                    "unknown layer '{}' (one of: {})",
                    t.layer.get_ref(),
                    keys.join(", ")
                );
                l.problem(&src.path, src.line(&t.layer), msg);
                Layer::Other
            }
        };
        if let Some(u) = &t.url {
            l.url(src, u);
        }
        let aliases = trimmed_all(&t.aliases);
        let idx = table.items.len();
        table.items.push(Tech {
            id: id.clone(),
            name: name.clone(),
            aliases: aliases.clone(),
            layer,
            detect: t.detect,
        });
        let names = [
            (id.as_str(), src.line(&t.id)),
            (name.as_str(), src.line(&t.name)),
        ];
        let claims = with_aliases(src, &names, &aliases, &t.aliases);
        claim_all(l, table, &src.path, idx, &claims, "technology");
        defs.push((idx, t));
    }
    defs
}

/// The aliases as written, trimmed.
fn trimmed_all(aliases: &[SpannedText]) -> Vec<String> {
    aliases
        .iter()
        .map(|a| a.get_ref().trim().to_string())
        .collect()
}

/// The names an entry claims (id and name with their lines), then its aliases.
fn with_aliases<'a, T>(
    src: &Src<T>,
    names: &[(&'a str, usize)],
    aliases: &'a [String],
    written: &[SpannedText],
) -> Vec<(&'a str, usize)> {
    let mut claims = names.to_vec();
    for (a, s) in aliases.iter().zip(written) {
        claims.push((a.as_str(), src.line(s)));
    }
    claims
}

fn claim_all<T: Named>(
    l: &mut Loader,
    names: &mut NameTable<T>,
    path: &Path,
    idx: usize,
    claims: &[(&str, usize)],
    what: &str,
) {
    for (alias, line) in claims {
        if let Err(other) = names.claim(alias, idx) {
            let owner = names.items[other].name().to_string();
            let me = names.items[idx].name().to_string();
            l.problem(
                path,
                *line,
                format!("alias '{alias}' of {what} '{me}' is already claimed by '{owner}'"),
            );
        }
    }
}
