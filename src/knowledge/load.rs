//! Reads a knowledge folder into a resolved [`Knowledge`], collecting every problem as
//! `file:line: what is wrong` instead of stopping at the first one.

use super::files::*;
use super::model::*;
use super::{Knowledge, Names, Topics};
use crate::text::{line_of, normalize};
use serde::de::DeserializeOwned;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with a knowledge folder, located to a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// A parsed file with its source text, so spans can become line numbers.
struct Src<T> {
    path: PathBuf,
    text: String,
    data: T,
}

struct Loader {
    problems: Vec<Problem>,
    ids: HashMap<String, (PathBuf, usize)>,
}

impl Loader {
    fn problem(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.problems.push(Problem {
            file: path.to_path_buf(),
            line,
            message: message.into(),
        });
    }

    fn read<T: DeserializeOwned + Default>(&mut self, path: PathBuf) -> Option<Src<T>> {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                self.problem(&path, 1, format!("cannot read file: {e}"));
                return None;
            }
        };
        match toml::from_str::<T>(&text) {
            Ok(data) => Some(Src { path, text, data }),
            Err(e) => {
                let line = e.span().map(|s| line_of(&text, s.start)).unwrap_or(1);
                let msg = e.message().replace('\n', " ");
                self.problem(&path, line, format!("cannot parse TOML: {msg}"));
                None
            }
        }
    }

    fn line(src_text: &str, s: &S) -> usize {
        line_of(src_text, s.span().start)
    }

    /// A required text field: reports it when empty, returns it trimmed.
    fn required(&mut self, path: &Path, text: &str, field: &str, s: &S) -> String {
        let v = s.get_ref().trim().to_string();
        if v.is_empty() {
            self.problem(
                path,
                Self::line(text, s),
                format!("empty required field `{field}`"),
            );
        }
        v
    }

    fn url(&mut self, path: &Path, text: &str, s: &S) -> Option<String> {
        let v = s.get_ref().trim();
        if is_http_url(v) {
            Some(v.to_string())
        } else {
            self.problem(
                path,
                Self::line(text, s),
                format!("url '{v}' is not an http(s) URL"),
            );
            None
        }
    }

    fn urls(&mut self, path: &Path, text: &str, list: &[S], required: bool, at: &S) -> Vec<String> {
        let out: Vec<String> = list
            .iter()
            .filter_map(|s| self.url(path, text, s))
            .collect();
        if required && list.is_empty() {
            self.problem(path, Self::line(text, at), "empty required field `sources`");
        }
        out
    }

    fn id(&mut self, path: &Path, text: &str, s: &S) -> String {
        let id = self.required(path, text, "id", s);
        let line = Self::line(text, s);
        if id.is_empty() {
            return id;
        }
        if let Some((f, l)) = self.ids.get(&id) {
            let msg = format!("duplicate id '{id}' (first defined at {}:{l})", f.display());
            self.problem(path, line, msg);
        } else {
            self.ids.insert(id.clone(), (path.to_path_buf(), line));
        }
        id
    }
}

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

/// Loads and validates a knowledge folder. The `Knowledge` holds what could be resolved;
/// `problems` lists everything wrong (empty for a valid folder).
pub fn load_dir(dir: &Path) -> (Knowledge, Vec<Problem>) {
    let mut l = Loader {
        problems: Vec::new(),
        ids: HashMap::new(),
    };
    if !dir.is_dir() {
        l.problem(dir, 0, "not a directory (pass --knowledge DIR)");
        return (Knowledge::default(), l.problems);
    }
    let companies_src: Option<Src<CompaniesFile>> = l.read(dir.join("companies.toml"));
    let techs_src: Option<Src<TechnologiesFile>> = l.read(dir.join("technologies.toml"));
    let qa_src: Option<Src<QaFile>> = l.read(dir.join("qa.toml"));
    let reading_src: Option<Src<ReadingFile>> = l.read(dir.join("reading.toml"));
    let notes_src: Option<Src<NotesFile>> = l.read(dir.join("notes.toml"));
    let articles_src: Option<Src<ArticlesFile>> = l.read(dir.join("articles.toml"));
    let topics_src: Option<Src<TopicsFile>> = l.read(dir.join("topics.toml"));
    let mut stack_paths: Vec<PathBuf> = std::fs::read_dir(dir.join("stacks"))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    stack_paths.sort();
    let stacks: Vec<Src<StackFile>> = stack_paths
        .into_iter()
        .filter_map(|p| read_stack(&mut l, p))
        .collect();

    let mut k = Knowledge::default();

    // Companies.
    let mut company_ids: HashMap<String, (PathBuf, usize)> = HashMap::new();
    if let Some(src) = &companies_src {
        for c in &src.data.company {
            let id = l.required(&src.path, &src.text, "id", &c.id);
            let line = Loader::line(&src.text, &c.id);
            if let Some((f, first)) = company_ids.get(&id) {
                let msg = format!(
                    "duplicate company id '{id}' (first defined at {}:{first})",
                    f.display()
                );
                l.problem(&src.path, line, msg);
                continue;
            }
            company_ids.insert(id.clone(), (src.path.clone(), line));
            let name = l.required(&src.path, &src.text, "name", &c.name);
            let url = c.url.as_ref().and_then(|u| l.url(&src.path, &src.text, u));
            let aliases: Vec<String> = c
                .aliases
                .iter()
                .map(|a| a.get_ref().trim().to_string())
                .collect();
            let idx = k.companies.items.len();
            k.companies.items.push(Company {
                id: id.clone(),
                name: name.clone(),
                aliases: aliases.clone(),
                url,
                detect: c.detect,
            });
            let mut claims: Vec<(&str, usize)> =
                vec![(&id, line), (&name, Loader::line(&src.text, &c.name))];
            for (a, s) in aliases.iter().zip(&c.aliases) {
                claims.push((a, Loader::line(&src.text, s)));
            }
            claim_all(&mut l, &mut k.companies, &src.path, idx, &claims, "company");
        }
    }

    // Technologies.
    let mut tech_defs: Vec<(usize, &TechDef, &Src<TechnologiesFile>)> = Vec::new();
    if let Some(src) = &techs_src {
        for t in &src.data.tech {
            let id = l.id(&src.path, &src.text, &t.id);
            let name = l.required(&src.path, &src.text, "name", &t.name);
            let layer = match Layer::parse(t.layer.get_ref()) {
                Some(layer) => layer,
                None => {
                    let keys: Vec<&str> = Layer::ALL.iter().map(|l| l.key()).collect();
                    let msg = format!(
                        "unknown layer '{}' (one of: {})",
                        t.layer.get_ref(),
                        keys.join(", ")
                    );
                    l.problem(&src.path, Loader::line(&src.text, &t.layer), msg);
                    Layer::Other
                }
            };
            if let Some(u) = &t.url {
                l.url(&src.path, &src.text, u);
            }
            let aliases: Vec<String> = t
                .aliases
                .iter()
                .map(|a| a.get_ref().trim().to_string())
                .collect();
            let idx = k.techs.items.len();
            k.techs.items.push(Tech {
                id: id.clone(),
                name: name.clone(),
                aliases: aliases.clone(),
                layer,
                detect: t.detect,
            });
            let mut claims: Vec<(&str, usize)> = vec![
                (&id, Loader::line(&src.text, &t.id)),
                (&name, Loader::line(&src.text, &t.name)),
            ];
            for (a, s) in aliases.iter().zip(&t.aliases) {
                claims.push((a, Loader::line(&src.text, s)));
            }
            claim_all(&mut l, &mut k.techs, &src.path, idx, &claims, "technology");
            tech_defs.push((idx, t, src));
        }
    }

    let resolve_company =
        |l: &mut Loader, path: &Path, text: &str, s: &S| -> Option<(String, String)> {
            let v = s.get_ref().trim();
            if v.is_empty() {
                return None;
            }
            match k.companies.get(v) {
                Some(c) => Some((c.id.clone(), c.name.clone())),
                None => {
                    let hint =
                        did_you_mean(k.companies.suggest(v, 1).first().map(|c| c.name.as_str()));
                    l.problem(
                        path,
                        Loader::line(text, s),
                        format!("company '{v}' has no canonical entry in companies.toml{hint}"),
                    );
                    None
                }
            }
        };
    let resolve_tech =
        |l: &mut Loader, path: &Path, text: &str, name: &str, s: &S| -> Option<String> {
            match k.techs.get(name) {
                Some(t) => Some(t.name.clone()),
                None => {
                    let hint =
                        did_you_mean(k.techs.suggest(name, 1).first().map(|t| t.name.as_str()));
                    l.problem(
                        path,
                        Loader::line(text, s),
                        format!(
                            "technology '{name}' has no canonical entry in technologies.toml{hint}"
                        ),
                    );
                    None
                }
            }
        };

    // Stacks.
    let mut used_by: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut stack_sources: HashMap<String, Vec<String>> = HashMap::new();
    for src in &stacks {
        let s = &src.data;
        let id = l.id(&src.path, &src.text, &s.id);
        let Some((company_id, company)) = resolve_company(&mut l, &src.path, &src.text, &s.company)
        else {
            if s.company.get_ref().trim().is_empty() {
                l.problem(
                    &src.path,
                    Loader::line(&src.text, &s.company),
                    "empty required field `company`",
                );
            }
            continue;
        };
        let mut sources = l.urls(&src.path, &src.text, &s.sources, false, &s.id);
        let mut links = Vec::new();
        for ld in &s.link {
            let title = l.required(&src.path, &src.text, "title", &ld.title);
            if let Some(url) = l.url(&src.path, &src.text, &ld.url) {
                links.push(Link { title, url });
            }
        }
        if sources.is_empty() {
            sources.extend(links.iter().map(|x| x.url.clone()).take(1));
        }
        if sources.is_empty() {
            l.problem(
                &src.path,
                Loader::line(&src.text, &s.id),
                "empty required field `sources`",
            );
        }
        let mut layers = Vec::new();
        let mut technologies: Vec<String> = Vec::new();
        for layer in Layer::ALL {
            let items = layer_items(&s.layers, layer);
            let mut group = Vec::new();
            for raw in items {
                let (name, qualifier) = split_item(raw.get_ref());
                if name.is_empty() {
                    l.problem(
                        &src.path,
                        Loader::line(&src.text, raw),
                        "empty technology name",
                    );
                    continue;
                }
                if let Some(tech) = resolve_tech(&mut l, &src.path, &src.text, &name, raw) {
                    used_by
                        .entry(tech.clone())
                        .or_default()
                        .insert(company.clone());
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
        let remark = s
            .remark
            .as_ref()
            .map(|r| r.get_ref().trim().to_string())
            .filter(|r| !r.is_empty());
        let text = stack_text(&layers, &links, remark.as_deref());
        stack_sources
            .entry(company.clone())
            .or_default()
            .extend(sources.iter().cloned());
        k.entries.push(Entry {
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
        });
    }

    // Tech entries (after stacks, so each knows who uses it).
    for (idx, t, src) in &tech_defs {
        let tech = k.techs.items[*idx].clone();
        let users: Vec<String> = used_by
            .get(&tech.name)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        let description = t
            .description
            .as_ref()
            .map(|d| d.get_ref().trim().to_string())
            .filter(|d| !d.is_empty());
        let group = t
            .group
            .as_ref()
            .map(|g| g.get_ref().trim().to_string())
            .filter(|g| !g.is_empty());
        let mut sources: Vec<String> = t
            .url
            .iter()
            .map(|u| u.get_ref().trim().to_string())
            .filter(|u| is_http_url(u))
            .collect();
        if sources.is_empty() {
            for u in &users {
                if let Some(s) = stack_sources.get(u).and_then(|s| s.first()) {
                    if !sources.contains(s) {
                        sources.push(s.clone());
                    }
                }
            }
        }
        if sources.is_empty() {
            l.problem(
                &src.path,
                Loader::line(&src.text, &t.id),
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
        k.entries.push(Entry {
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

    // Q&A.
    if let Some(src) = &qa_src {
        for q in &src.data.qa {
            let id = l.id(&src.path, &src.text, &q.id);
            let question = l.required(&src.path, &src.text, "question", &q.question);
            let answer = l.required(&src.path, &src.text, "answer", &q.answer);
            let company = q
                .company
                .as_ref()
                .and_then(|c| resolve_company(&mut l, &src.path, &src.text, c))
                .map(|c| c.1);
            let mut technologies = Vec::new();
            for t in &q.technologies {
                technologies.extend(resolve_tech(&mut l, &src.path, &src.text, t.get_ref(), t));
            }
            let sources = l.urls(&src.path, &src.text, &q.sources, true, &q.id);
            k.entries.push(Entry {
                id,
                kind: Kind::Qa,
                title: question.clone(),
                text: answer.clone(),
                company,
                technologies,
                sources,
                aliases: Vec::new(),
                detail: Detail::Qa { question, answer },
            });
        }
    }

    // Reading list.
    if let Some(src) = &reading_src {
        for r in &src.data.reading {
            let id = l.id(&src.path, &src.text, &r.id);
            let title = l.required(&src.path, &src.text, "title", &r.title);
            let section = l.required(&src.path, &src.text, "section", &r.section);
            let url = l.url(&src.path, &src.text, &r.url);
            let company = r
                .company
                .as_ref()
                .and_then(|c| resolve_company(&mut l, &src.path, &src.text, c))
                .map(|c| c.1);
            let topic = r
                .topic
                .as_ref()
                .map(|t| t.get_ref().trim().to_string())
                .filter(|t| !t.is_empty());
            // The title is indexed and shown on its own; the body says where it sits.
            let mut text = format!("Reading list › {section}");
            if let Some(t) = topic.as_ref().filter(|t| **t != title) {
                text.push_str(&format!(" › {t}"));
            }
            k.entries.push(Entry {
                id,
                kind: Kind::Reading,
                title,
                text,
                company,
                technologies: Vec::new(),
                sources: url.iter().cloned().collect(),
                aliases: Vec::new(),
                detail: Detail::Reading {
                    url: url.unwrap_or_default(),
                    section,
                    topic,
                },
            });
        }
    }

    // Notes.
    if let Some(src) = &notes_src {
        for n in &src.data.note {
            let id = l.id(&src.path, &src.text, &n.id);
            let title = l.required(&src.path, &src.text, "title", &n.title);
            let text = l.required(&src.path, &src.text, "text", &n.text);
            let company = n
                .company
                .as_ref()
                .and_then(|c| resolve_company(&mut l, &src.path, &src.text, c))
                .map(|c| c.1);
            let mut technologies = Vec::new();
            for t in &n.technologies {
                technologies.extend(resolve_tech(&mut l, &src.path, &src.text, t.get_ref(), t));
            }
            let sources = l.urls(&src.path, &src.text, &n.sources, true, &n.id);
            k.entries.push(Entry {
                id,
                kind: Kind::Note,
                title,
                text,
                company,
                technologies,
                sources,
                aliases: Vec::new(),
                detail: Detail::Note {},
            });
        }
    }

    // Articles.
    if let Some(src) = &articles_src {
        for a in &src.data.article {
            let id = l.id(&src.path, &src.text, &a.id);
            let article = l.required(&src.path, &src.text, "article", &a.article);
            let heading = l.required(&src.path, &src.text, "heading", &a.heading);
            let text = l.required(&src.path, &src.text, "text", &a.text);
            let company = a
                .company
                .as_ref()
                .and_then(|c| resolve_company(&mut l, &src.path, &src.text, c))
                .map(|c| c.1);
            let mut technologies = Vec::new();
            for t in &a.technologies {
                technologies.extend(resolve_tech(&mut l, &src.path, &src.text, t.get_ref(), t));
            }
            let sources = l.urls(&src.path, &src.text, &a.sources, true, &a.id);
            k.entries.push(Entry {
                id,
                kind: Kind::Article,
                title: format!("{article} — {heading}"),
                text,
                company,
                technologies,
                sources,
                aliases: Vec::new(),
                detail: Detail::Article { article, heading },
            });
        }
    }

    if companies_src.is_none()
        && techs_src.is_none()
        && stacks.is_empty()
        && qa_src.is_none()
        && reading_src.is_none()
        && notes_src.is_none()
        && articles_src.is_none()
        && l.problems.is_empty()
    {
        l.problem(dir, 0, "no knowledge files found (expected companies.toml, technologies.toml, stacks/*.toml, qa.toml, reading.toml, notes.toml, articles.toml)");
    }

    if let Some(src) = &topics_src {
        k.topics = load_topics(&mut l, src);
    }
    detect_technologies(&mut k);
    (k, l.problems)
}

/// Synonyms and filler words, normalised the way questions are.
fn load_topics(l: &mut Loader, src: &Src<TopicsFile>) -> Topics {
    let mut t = Topics::default();
    let words_of = |s: &str| -> Vec<String> {
        normalize(s)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    for syn in &src.data.synonym {
        let means = words_of(syn.means.get_ref());
        if means.is_empty() {
            l.problem(
                &src.path,
                Loader::line(&src.text, &syn.means),
                "synonym with an empty 'means'",
            );
            continue;
        }
        for w in &syn.words {
            match words_of(w.get_ref()).as_slice() {
                [one] => {
                    if let Some(old) = t.synonyms.insert(one.clone(), means.clone()) {
                        if old != means {
                            let msg =
                                format!("'{one}' is already a synonym of '{}'", old.join(" "));
                            l.problem(&src.path, Loader::line(&src.text, w), msg);
                        }
                    }
                }
                _ => l.problem(
                    &src.path,
                    Loader::line(&src.text, w),
                    format!("synonym '{}' must be one word", w.get_ref()),
                ),
            }
        }
    }
    for f in &src.data.filler {
        t.filler.extend(words_of(f.get_ref()));
    }
    for c in &src.data.concept {
        let names: Vec<String> = c
            .names
            .iter()
            .map(|n| words_of(n.get_ref()).join(" "))
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() || c.about.get_ref().trim().is_empty() {
            l.problem(
                &src.path,
                Loader::line(&src.text, &c.about),
                "concept needs at least one name and an 'about'",
            );
            continue;
        }
        t.concepts.push(crate::knowledge::Concept {
            names,
            about: c.about.get_ref().trim().to_string(),
        });
    }
    t
}

fn read_stack(l: &mut Loader, p: PathBuf) -> Option<Src<StackFile>> {
    let text = match std::fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) => {
            l.problem(&p, 1, format!("cannot read file: {e}"));
            return None;
        }
    };
    match toml::from_str::<StackFile>(&text) {
        Ok(data) => Some(Src {
            path: p,
            text,
            data,
        }),
        Err(e) => {
            let line = e.span().map(|s| line_of(&text, s.start)).unwrap_or(1);
            l.problem(
                &p,
                line,
                format!("cannot parse TOML: {}", e.message().replace('\n', " ")),
            );
            None
        }
    }
}

fn did_you_mean(name: Option<&str>) -> String {
    name.map(|n| format!(" (did you mean '{n}'?)"))
        .unwrap_or_default()
}

fn claim_all<T>(
    l: &mut Loader,
    names: &mut Names<T>,
    path: &Path,
    idx: usize,
    claims: &[(&str, usize)],
    what: &str,
) where
    T: super::Named,
{
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

fn layer_items(d: &LayersDef, layer: Layer) -> &[S] {
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

/// Adds the technologies an entry's prose names (by canonical name or alias) to its
/// `technologies`, so lookups by technology find articles and reading links too.
pub fn detect_technologies(k: &mut Knowledge) {
    let keys: HashMap<String, String> = k
        .techs
        .items
        .iter()
        .filter(|t| t.detect)
        .flat_map(|t| {
            std::iter::once(t.name.clone())
                .chain(t.aliases.iter().cloned())
                .map(move |a| (normalize(&a), t.name.clone()))
        })
        .filter(|(a, _)| a.chars().count() >= 3)
        .collect();
    let max_words = keys.keys().map(|k| k.split(' ').count()).max().unwrap_or(1);
    for e in &mut k.entries {
        if matches!(e.kind, Kind::Stack | Kind::Tech) {
            continue;
        }
        let words: Vec<String> = normalize(&format!("{} {}", e.title, e.text))
            .split(' ')
            .map(str::to_string)
            .collect();
        for n in 1..=max_words {
            for w in words.windows(n) {
                if let Some(t) = keys.get(&w.join(" ")) {
                    if !e.technologies.contains(t) {
                        e.technologies.push(t.clone());
                    }
                }
            }
        }
    }
}
