//! `stacks/*.toml` into stack entries, then one entry per technology saying which
//! companies use it.

use super::loader::{Loader, Resolver, Src};
use crate::files::{LayersDef, SpannedText, StackFile, TechDef, TechnologiesFile};
use crate::{
    split_item, stack_text, Detail, Entry, Kind, Layer, LayerGroup, Link, StackItem, Tech,
};
use std::collections::{BTreeSet, HashMap};

/// Who uses each technology and where each company's stacks come from, for the
/// technology entries.
#[derive(Default)]
pub(super) struct Usage {
    /// Canonical technology name → canonical names of the companies whose stack lists it.
    used_by: HashMap<String, BTreeSet<String>>,
    /// Canonical company name → the sources of its stacks.
    stack_sources: HashMap<String, Vec<String>>,
}

pub(super) fn load_stacks(
    l: &mut Loader,
    stacks: &[Src<StackFile>],
    names: Resolver,
    usage: &mut Usage,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for src in stacks {
        entries.extend(load_stack(l, src, names, usage));
    }
    entries
}

fn load_stack(
    l: &mut Loader,
    src: &Src<StackFile>,
    names: Resolver,
    usage: &mut Usage,
) -> Option<Entry> {
    let s = &src.data;
    let id = l.id(src, &s.id);
    let Some((company_id, company)) = l.company(src, names, &s.company) else {
        if s.company.get_ref().trim().is_empty() {
            l.problem(
                &src.path,
                src.line(&s.company),
                "empty required field `company`",
            );
        }
        return None;
    };
    let mut sources = l.urls(src, &s.sources, false, &s.id);
    let mut links = Vec::new();
    for ld in &s.link {
        let title = l.required(src, "title", &ld.title);
        if let Some(url) = l.url(src, &ld.url) {
            links.push(Link { title, url });
        }
    }
    if sources.is_empty() {
        sources.extend(links.iter().map(|x| x.url.clone()).take(1));
    }
    if sources.is_empty() {
        l.problem(&src.path, src.line(&s.id), "empty required field `sources`");
    }
    let (layers, technologies) = stack_layers(l, src, names, &company, usage);
    let remark = trimmed(s.remark.as_ref());
    let text = stack_text(&layers, &links, remark.as_deref());
    usage
        .stack_sources
        .entry(company.clone())
        .or_default()
        .extend(sources.iter().cloned());
    Some(Entry {
        id,
        kind: Kind::Stack,
        title: format!("{company} technology stack"),
        text,
        company: Some(company),
        technologies,
        sources,
        aliases: Vec::new(),
        detail: Detail::Stack {
            company_id,
            layers,
            links,
            remark,
        },
    })
}

/// A stack's items resolved, by layer, and its technologies in order of appearance.
fn stack_layers(
    l: &mut Loader,
    src: &Src<StackFile>,
    names: Resolver,
    company: &str,
    usage: &mut Usage,
) -> (Vec<LayerGroup>, Vec<String>) {
    let mut layers = Vec::new();
    let mut technologies: Vec<String> = Vec::new();
    for layer in Layer::ALL {
        let mut group = Vec::new();
        for raw in layer_items(&src.data.layers, layer) {
            let (name, qualifier) = split_item(raw.get_ref());
            if name.is_empty() {
                l.problem(&src.path, src.line(raw), "empty technology name");
                continue;
            }
            if let Some(tech) = l.tech(src, names, &name, raw) {
                usage
                    .used_by
                    .entry(tech.clone())
                    .or_default()
                    .insert(company.to_string());
                if !technologies.contains(&tech) {
                    technologies.push(tech.clone());
                }
                group.push(StackItem {
                    raw: name,
                    tech,
                    qualifier,
                });
            }
        }
        if !group.is_empty() {
            layers.push(LayerGroup {
                layer,
                items: group,
            });
        }
    }
    (layers, technologies)
}

pub(super) fn layer_items(d: &LayersDef, layer: Layer) -> &[SpannedText] {
    match layer {
        Layer::Language => &d.language,
        Layer::Web => &d.web,
        Layer::Data => &d.data,
        Layer::Cache => &d.cache,
        Layer::Queue => &d.queue,
        Layer::Search => &d.search,
        Layer::Hosting => &d.hosting,
        Layer::Monitoring => &d.monitoring,
        Layer::Deploy => &d.deploy,
        Layer::Other => &d.other,
    }
}

/// The entry of each technology (after the stacks, so each knows who uses it).
pub(super) fn tech_entries(
    l: &mut Loader,
    src: &Src<TechnologiesFile>,
    defs: &[(usize, &TechDef)],
    techs: &[Tech],
    usage: &Usage,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (idx, t) in defs {
        let tech = &techs[*idx];
        let users: Vec<String> = usage
            .used_by
            .get(&tech.name)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        let description = trimmed(t.description.as_ref());
        let group = trimmed(t.group.as_ref());
        let sources = tech_sources(t, &users, usage);
        if sources.is_empty() {
            l.problem(
                &src.path,
                src.line(&t.id),
                format!(
                    "technology '{}' has no `url` and no stack lists it, so nothing is its source",
                    tech.name
                ),
            );
        }
        let mut text = match &description {
            Some(d) => format!("{}: {d}", tech.name),
            None => format!("{} ({})", tech.name, tech.layer.label()),
        };
        if !users.is_empty() {
            text.push_str(&format!("\nUsed by: {}.", users.join(", ")));
        }
        entries.push(Entry {
            id: tech.id.clone(),
            kind: Kind::Tech,
            title: tech.name.clone(),
            text,
            company: None,
            technologies: vec![tech.name.clone()],
            sources,
            aliases: tech.aliases.clone(),
            detail: Detail::Tech {
                layer: tech.layer,
                group,
                description,
                used_by: users,
            },
        });
    }
    entries
}

/// A technology's `url`, else the first source of each stack that lists it.
fn tech_sources(t: &TechDef, users: &[String], usage: &Usage) -> Vec<String> {
    let mut sources: Vec<String> = t
        .url
        .iter()
        .map(|u| u.get_ref().trim().to_string())
        .filter(|u| crate::is_http_url(u))
        .collect();
    if sources.is_empty() {
        for u in users {
            if let Some(s) = usage.stack_sources.get(u).and_then(|s| s.first()) {
                if !sources.contains(s) {
                    sources.push(s.clone());
                }
            }
        }
    }
    sources
}

/// An optional text field, trimmed; `None` when empty.
pub(super) fn trimmed(s: Option<&SpannedText>) -> Option<String> {
    s.map(|s| s.get_ref().trim().to_string())
        .filter(|s| !s.is_empty())
}
