//! The stack grammar of a company section: comma-separated technology lines with
//! qualifiers (`aws(ec2, s3)`, `(move out of)php`), missing commas (`nodejs my-sql`), quotes
//! and inline links, turned into a `stacks/<company>.toml`.

use super::markdown::{flatten_links, md_link};
use super::sink::Importer;
use super::tables::{LinkOut, StackOut};
use crate::{is_http_url, split_item, split_top};
use archie_text::{compact_key, slug};
use std::collections::{BTreeMap, HashSet};

/// A company section as read, before its items are resolved.
pub(super) struct StackDraft {
    pub(super) company: String,
    pub(super) aliases: Vec<String>,
    pub(super) url: Option<String>,
    pub(super) at: String,
    /// The raw technology text (the line under the heading).
    pub(super) tech_lines: Vec<(String, String)>,
    pub(super) sub_lists: Vec<(String, String, String)>,
    pub(super) remark: Vec<String>,
    pub(super) links: Vec<LinkOut>,
}

impl Importer {
    pub(super) fn add_stack(&mut self, d: StackDraft) {
        let company = self.company(&d.company, &d.aliases, d.url.as_deref());
        if self.stacked.contains(&company) {
            self.report.skipped.push(format!(
                "stack of {company}: the company already has a stack ({})",
                d.at
            ));
            return;
        }
        let mut remark = d.remark;
        let mut links = d.links;
        let items = self.stack_items(&d.tech_lines, &d.sub_lists, &mut remark, &mut links);
        let layers = self.layers_of(items);
        let sources: Vec<String> = d
            .url
            .iter()
            .cloned()
            .chain(links.first().map(|l| l.url.clone()))
            .take(1)
            .collect();
        if sources.is_empty() {
            self.report.unparsed.push(format!(
                "{}: section of {company} has no link at all to use as its source",
                d.at
            ));
            return;
        }
        let slug = slug(&company);
        let id = self.unique_id(&format!("stack-{slug}"));
        let file = format!("stacks/{}.toml", id.trim_start_matches("stack-"));
        self.stacked.insert(company.clone());
        self.report.added.push(format!("stack {id}: {company}"));
        let s = StackOut {
            id,
            company,
            sources,
            remark: (!remark.is_empty()).then(|| remark.join("\n")),
            layers,
            link: links,
        };
        match toml::to_string(&s) {
            Ok(text) => {
                self.out.insert(file, text);
            }
            Err(e) => self
                .report
                .unparsed
                .push(format!("{}: cannot write the stack: {e}", d.at)),
        }
    }

    /// The raw items of a section's technology lines and `label: list` sub-bullets, each
    /// with its position; quotes, inline links and the sub-bullets go to `remark` (and the
    /// links to `links`) as they are met.
    fn stack_items(
        &self,
        tech_lines: &[(String, String)],
        sub_lists: &[(String, String, String)],
        remark: &mut Vec<String>,
        links: &mut Vec<LinkOut>,
    ) -> Vec<(String, String)> {
        let mut items: Vec<(String, String)> = Vec::new(); // (raw item, pos)
        for (pos, line) in tech_lines {
            let (list, quote) = split_quote(line);
            if let Some(q) = quote {
                remark.push(q);
            }
            for el in split_top(&list, ',') {
                let el = el.trim().trim_end_matches(',').trim();
                if el.is_empty() {
                    continue;
                }
                // `priam and more [netflix opensouces)](url)`: keep the link, drop the prose.
                let (el, link) = match el.find('[') {
                    Some(i) if md_link(&el[i..]).is_some() => {
                        let (t, u, _) = md_link(&el[i..]).unwrap_or_default();
                        (el[..i].trim(), Some((t, u)))
                    }
                    _ => (el, None),
                };
                if let Some((t, u)) = link {
                    let t = t.trim_end_matches(')').trim().to_string();
                    if is_http_url(&u) {
                        remark.push(format!("{el} {t} ({u})"));
                        links.push(LinkOut { title: t, url: u });
                    }
                }
                let el = el.strip_suffix(" and more").unwrap_or(el).trim();
                for raw in self.split_words(el) {
                    items.push((raw, pos.clone()));
                }
            }
        }
        for (pos, label, list) in sub_lists {
            remark.push(format!("{label}: {list}"));
            for el in split_top(list, ',') {
                for raw in self.split_words(el.trim()) {
                    items.push((raw, pos.clone()));
                }
            }
        }
        items
    }

    /// The items grouped by the layer of their technology (created when unknown), each
    /// item once.
    fn layers_of(&mut self, items: Vec<(String, String)>) -> BTreeMap<&'static str, Vec<String>> {
        let mut layers: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        let mut seen = HashSet::new();
        for (raw, pos) in items {
            let raw = leading_qualifier(&raw);
            for (item, name) in expand(&raw) {
                if name.is_empty() {
                    self.report
                        .unparsed
                        .push(format!("{pos}: empty technology name in '{raw}'"));
                    continue;
                }
                if !seen.insert(compact_key(&item)) {
                    continue;
                }
                let (_, layer) = self.tech(&name, None);
                layers.entry(layer.key()).or_default().push(item);
            }
        }
        layers
    }

    /// `nodejs my-sql` (a missing comma) → two items when both words are technologies;
    /// `windows server` stays one.
    fn split_words(&self, el: &str) -> Vec<String> {
        let el = el.trim();
        if el.is_empty() {
            return Vec::new();
        }
        let words = split_top(el, ' ');
        let words: Vec<String> = merge_paren_words(words);
        let known = |w: &str| {
            let (n, _) = split_item(w);
            self.techs.contains_key(&compact_key(&n)) || self.layer_words.layer_of(&n).is_some()
        };
        let whole: Vec<String> = words.iter().map(|w| split_item(w).0).collect();
        if words.len() > 1
            && !self.techs.contains_key(&compact_key(&whole.join(" ")))
            && words.iter().filter(|w| known(w)).count() >= 2
        {
            return words;
        }
        vec![el.to_string()]
    }
}

/// `gae, "a quote" - @[who](url)` → ("gae, ", Some(quote with attribution)).
pub(super) fn split_quote(line: &str) -> (String, Option<String>) {
    match line.find('"') {
        Some(i) => (
            line[..i].to_string(),
            Some(flatten_links(&line[i..]).replace(" - @", " — @")),
        ),
        None => (line.to_string(), None),
    }
}

/// Glues a `(qualifier)` word onto the word before it: `nbp (nhn business platform)`.
pub(super) fn merge_paren_words(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some(prev) if w.starts_with('(') => {
                prev.push(' ');
                prev.push_str(&w);
            }
            _ => out.push(w),
        }
    }
    out
}

/// `(move out of)php` → `php (move out of)`.
pub(super) fn leading_qualifier(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix('(') {
        if let Some(i) = rest.find(')') {
            let name = rest[i + 1..].trim();
            if !name.is_empty() {
                return format!("{name} ({})", rest[..i].trim());
            }
        }
    }
    raw.to_string()
}

/// One stack item → the items to write with their technology names. A qualifier that
/// lists several things (`aws(ec2, s3)`) names sub-technologies: `aws`, `ec2 (aws)`, `s3 (aws)`.
pub(super) fn expand(raw: &str) -> Vec<(String, String)> {
    let (name, qualifier) = split_item(raw);
    match qualifier {
        Some(q) if q.contains(',') => {
            let mut out = vec![(name.clone(), name.clone())];
            for sub in split_top(&q, ',') {
                out.push((format!("{sub} ({name})"), sub));
            }
            out
        }
        _ => vec![(raw.to_string(), name)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers_that_list_services_become_items() {
        let items: Vec<String> = expand("aws(ec2, s3)").into_iter().map(|x| x.0).collect();
        assert_eq!(items, vec!["aws", "ec2 (aws)", "s3 (aws)"]);
        assert_eq!(
            expand("postgre-sql(quadruple extra-large)")[0].1,
            "postgre-sql"
        );
        assert_eq!(leading_qualifier("(move out of)php"), "php (move out of)");
    }
}
