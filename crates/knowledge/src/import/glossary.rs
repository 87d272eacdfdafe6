//! The `REFERENCES` glossary of a company page: `* [Name](url): description` items that
//! become technologies with a group, a description and a URL.

use super::markdown::{flatten_links, md_link};
use super::sink::Importer;
use super::tables::TechOut;
use crate::is_http_url;
use archie_text::compact_key;

pub(super) struct GlossaryItem {
    pub(super) pos: String,
    pub(super) name: String,
    pub(super) aliases: Vec<String>,
    pub(super) group: String,
    pub(super) description: Option<String>,
    pub(super) url: String,
}

/// `[Name](url): description` with the name cleaned: `owner/repo · GitHub` → `repo`,
/// `Long Name(ABBR)` → `ABBR` with the long name as an alias, `pHash.org` → `pHash`.
impl Importer {
    pub(super) fn add_glossary(&mut self, g: GlossaryItem) {
        let known = std::iter::once(&g.name)
            .chain(&g.aliases)
            .find_map(|n| self.techs.get(&compact_key(n)).cloned());
        if let Some((name, _)) = known {
            self.report.skipped.push(format!(
                "tech '{}': already known as {name} ({})",
                g.name, g.pos
            ));
            return;
        }
        let layer = self.layer_words.guess(&g.name, Some(&g.group));
        let mut aliases = g.aliases;
        aliases.retain(|a| compact_key(a) != compact_key(&g.name));
        self.new_tech(TechOut {
            id: String::new(),
            name: g.name,
            layer: layer.key().to_string(),
            aliases,
            group: Some(g.group),
            description: g.description,
            url: is_http_url(&g.url).then_some(g.url),
            detect: true,
        });
    }
}

pub(super) fn parse_glossary(item: &str, group: &str) -> Result<GlossaryItem, String> {
    let (title, url, rest) = md_link(item)
        .ok_or_else(|| format!("expected '[Name](url): description', found '{item}'"))?;
    let description = rest
        .trim()
        .strip_prefix(':')
        .map(|d| flatten_links(d.trim()))
        .filter(|d| !d.is_empty());
    let (name, aliases) = glossary_name(&title);
    if name.is_empty() {
        return Err(format!("no technology name in '{title}'"));
    }
    Ok(GlossaryItem {
        pos: String::new(),
        name,
        aliases,
        group: group.to_string(),
        description,
        url,
    })
}

pub(super) fn glossary_name(title: &str) -> (String, Vec<String>) {
    let mut aliases = Vec::new();
    let mut t = title
        .trim()
        .trim_end_matches(" · GitHub")
        .trim_end_matches('®')
        .trim()
        .to_string();
    if let Some((owner, repo)) = t.split_once('/') {
        if !owner.contains(' ') && !repo.contains(' ') {
            t = repo.to_string();
        }
    }
    // `ELB, Elastic Load Balancing` / `GAE, Google App Engine`.
    if let Some((a, b)) = t.split_once(", ") {
        if a.len() <= 5 && a.chars().all(|c| c.is_ascii_uppercase()) {
            aliases.push(a.to_string());
            t = b.to_string();
        }
    }
    // `Amazon Elastic Compute Cloud(Amazon EC2)`.
    if let Some(i) = t.find('(') {
        if t.ends_with(')') && i > 0 {
            let inner = t[i + 1..t.len() - 1].trim().to_string();
            let outer = t[..i].trim().to_string();
            aliases.push(outer);
            t = inner;
        }
    }
    for sep in [": ", ", ", " - "] {
        if let Some((a, _)) = t.split_once(sep) {
            t = a.to_string();
        }
    }
    for suffix in [" Wiki", ".org", ".com"] {
        if let Some(s) = t.strip_suffix(suffix) {
            aliases.push(t.clone());
            t = s.to_string();
        }
    }
    aliases.retain(|a| !a.is_empty() && compact_key(a) != compact_key(&t));
    (t.trim().to_string(), aliases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glossary_names_are_cleaned_into_product_names() {
        assert_eq!(glossary_name("unbit/uwsgi · GitHub").0, "uwsgi");
        let (n, a) = glossary_name("Amazon Elastic Compute Cloud(Amazon EC2)");
        assert_eq!(n, "Amazon EC2");
        assert_eq!(a, vec!["Amazon Elastic Compute Cloud".to_string()]);
        let (n, a) = glossary_name("GAE, Google App Engine");
        assert_eq!(n, "Google App Engine");
        assert_eq!(a, vec!["GAE".to_string()]);
        assert_eq!(glossary_name("pHash.org").0, "pHash");
        assert_eq!(glossary_name("Cacti®").0, "Cacti");
        assert_eq!(
            glossary_name("Amazon RDS, Cloud Relational Database Service: MySQL").0,
            "Amazon RDS"
        );
    }
}
