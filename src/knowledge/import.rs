//! `archie import`: turns an awesome-list (Markdown links) or a plain Q&A text into
//! knowledge entries in a knowledge folder, reporting what was added, skipped or unparsable.
//!
//! Two Markdown shapes are understood. A *company page* has `## [Company](url)` sections,
//! each with a comma-separated technology line (`aws(ec2, s3)`, `(move out of)php`,
//! `nodejs my-sql`), optional `* label: tech, tech` sub-bullets and `* [title](url)` article
//! links, followed by a `REFERENCES` glossary of `* [Name](url): description` items under
//! `## INFRA…`/`## DATABASE…`/`## DEPLOY…` groups. A *reading list* has `## Section` headings
//! and `* [title](url)` items, possibly all flattened onto one line. The Q&A text format is a
//! question line, a blank line and the answer paragraph, optionally followed by
//! `Source: URL` lines.
//!
//! New entries are appended to the folder's TOML files (a new `stacks/<slug>.toml` per
//! company); names that do not resolve yet become new companies and technologies, so the
//! folder still passes `archie check` afterwards.

use super::load::{is_http_url, split_item};
use super::{load_dir, Kind, Knowledge, Layer};
use crate::text::{compact_key, line_of, normalize, slug};
use anyhow::Context;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Markdown link list: a sectioned company page or a one-line awesome-list.
    AwesomeMd,
    /// Plain text: a question line, a blank line, the answer paragraph.
    QaText,
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub file: PathBuf,
    pub format: Format,
    pub knowledge: PathBuf,
    pub dry_run: bool,
}

#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    /// `kind id: what` for every entry, company or technology added.
    pub added: Vec<String>,
    /// What was already there: same URL, same question, existing stack, existing alias.
    pub skipped: Vec<String>,
    /// `file:line:column: what` for every piece of input that could not be understood.
    pub unparsed: Vec<String>,
    /// True when nothing was written.
    pub dry_run: bool,
    /// The files written (or that would be written on a dry run).
    pub files: Vec<PathBuf>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.added {
            writeln!(f, "added    {a}")?;
        }
        for s in &self.skipped {
            writeln!(f, "skipped  {s}")?;
        }
        for u in &self.unparsed {
            writeln!(f, "unparsed {u}")?;
        }
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for a in &self.added {
            *by_kind
                .entry(a.split(' ').next().unwrap_or(""))
                .or_default() += 1;
        }
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let files: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
        write!(
            f,
            "{}added {}{}, skipped {} as duplicate, unparsed {}",
            if self.dry_run {
                "dry run: would have "
            } else {
                ""
            },
            self.added.len(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            },
            self.skipped.len(),
            self.unparsed.len()
        )?;
        if !files.is_empty() {
            write!(
                f,
                "\n{} {}",
                if self.dry_run { "would write" } else { "wrote" },
                files.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Imports `opts.file` into `opts.knowledge`. Fails without writing when the folder is not
/// valid to begin with, the file cannot be read, or the result would not pass `archie
/// check`; a write that fails half-way puts every file back.
pub fn run(opts: &ImportOptions) -> anyhow::Result<ImportReport> {
    let input = std::fs::read_to_string(&opts.file)
        .with_context(|| format!("cannot read '{}'", opts.file.display()))?;
    let mut imp = Importer::new(&opts.knowledge)?;
    let name = opts.file.display().to_string();
    match opts.format {
        Format::AwesomeMd => imp.awesome_md(&name, &input),
        Format::QaText => imp.qa_text(&name, &input),
    }
    imp.report.dry_run = opts.dry_run;
    imp.report.files = imp.out.keys().map(|f| opts.knowledge.join(f)).collect();
    if !opts.dry_run && !imp.out.is_empty() {
        imp.write(&opts.knowledge)?;
    }
    Ok(imp.report)
}

// ---------------------------------------------------------------------------------------
// What the folder already holds, and what this import adds to it.

const FILES: [&str; 6] = [
    "companies.toml",
    "technologies.toml",
    "qa.toml",
    "reading.toml",
    "notes.toml",
    "articles.toml",
];

struct Importer {
    /// compact key → canonical company name.
    companies: HashMap<String, String>,
    company_urls: HashMap<String, String>,
    company_ids: HashSet<String>,
    /// compact key → (canonical tech name, layer).
    techs: HashMap<String, (String, Layer)>,
    ids: HashSet<String>,
    reading_urls: HashSet<String>,
    questions: HashSet<String>,
    /// Canonical names of companies that have a stack.
    stacked: HashSet<String>,
    /// Relative file → TOML text to append (or the whole text of a new stack file).
    out: BTreeMap<String, String>,
    report: ImportReport,
}

impl Importer {
    fn new(dir: &Path) -> anyhow::Result<Importer> {
        let mut imp = Importer {
            companies: HashMap::new(),
            company_urls: HashMap::new(),
            company_ids: HashSet::new(),
            techs: HashMap::new(),
            ids: HashSet::new(),
            reading_urls: HashSet::new(),
            questions: HashSet::new(),
            stacked: HashSet::new(),
            out: BTreeMap::new(),
            report: ImportReport::default(),
        };
        let has_files = FILES.iter().any(|f| dir.join(f).is_file())
            || std::fs::read_dir(dir.join("stacks")).is_ok_and(|mut d| d.next().is_some());
        if !has_files {
            return Ok(imp);
        }
        let (k, problems) = load_dir(dir);
        if !problems.is_empty() {
            let shown: Vec<String> = problems.iter().take(20).map(|p| p.to_string()).collect();
            anyhow::bail!(
                "the knowledge folder {} has {} problem(s); fix them first (`archie check --knowledge {}`):\n{}",
                dir.display(),
                problems.len(),
                dir.display(),
                shown.join("\n")
            );
        }
        imp.absorb(&k);
        Ok(imp)
    }

    fn absorb(&mut self, k: &Knowledge) {
        for c in &k.companies.items {
            self.company_ids.insert(c.id.clone());
            for n in std::iter::once(&c.name).chain(&c.aliases).chain([&c.id]) {
                self.companies.insert(compact_key(n), c.name.clone());
            }
            if let Some(u) = &c.url {
                self.company_urls.insert(c.name.clone(), u.clone());
            }
        }
        for t in &k.techs.items {
            for n in std::iter::once(&t.name).chain(&t.aliases).chain([&t.id]) {
                self.techs.insert(compact_key(n), (t.name.clone(), t.layer));
            }
        }
        for e in &k.entries {
            self.ids.insert(e.id.clone());
            match (&e.kind, &e.detail) {
                (Kind::Reading, super::Detail::Reading { url, .. }) => {
                    self.reading_urls.insert(url.clone());
                }
                (Kind::Qa, super::Detail::Qa { question, .. }) => {
                    self.questions.insert(normalize(question));
                }
                (Kind::Stack, _) => {
                    if let Some(c) = &e.company {
                        self.stacked.insert(c.clone());
                    }
                }
                _ => {}
            }
        }
    }

    fn unique_id(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let mut n = 2;
        while self.ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.ids.insert(id.clone());
        id
    }

    fn append<T: Serialize>(&mut self, file: &str, table: &str, item: &T) {
        let mut m: BTreeMap<&str, Vec<&T>> = BTreeMap::new();
        m.insert(table, vec![item]);
        match toml::to_string(&m) {
            Ok(s) => {
                let buf = self.out.entry(file.to_string()).or_default();
                if !buf.is_empty() {
                    buf.push('\n');
                }
                buf.push_str(&s);
            }
            Err(e) => self
                .report
                .unparsed
                .push(format!("{file}: cannot write a {table} entry: {e}")),
        }
    }

    /// The canonical company for `name`, creating it when it does not resolve yet.
    fn company(&mut self, name: &str, aliases: &[String], url: Option<&str>) -> String {
        let key = compact_key(name);
        if let Some(c) = self.companies.get(&key).cloned() {
            return c;
        }
        if let Some(c) = aliases
            .iter()
            .find_map(|a| self.companies.get(&compact_key(a)))
        {
            return c.clone();
        }
        let mut id = slug(name);
        let mut n = 2;
        while self.company_ids.contains(&id) || id.is_empty() {
            id = format!("{}-{n}", slug(name));
            n += 1;
        }
        self.company_ids.insert(id.clone());
        let aliases: Vec<String> = aliases
            .iter()
            .filter(|a| !self.companies.contains_key(&compact_key(a)) && compact_key(a) != key)
            .cloned()
            .collect();
        for a in aliases.iter().chain([&name.to_string(), &id]) {
            self.companies.insert(compact_key(a), name.to_string());
        }
        let url = url.filter(|u| is_http_url(u)).map(str::to_string);
        if let Some(u) = &url {
            self.company_urls.insert(name.to_string(), u.clone());
        }
        self.report.added.push(format!("company {id}: {name}"));
        let c = CompanyOut {
            id,
            name: name.to_string(),
            aliases,
            url,
        };
        self.append("companies.toml", "company", &c);
        name.to_string()
    }

    /// The canonical technology for `name`, creating it (layer guessed) when unknown.
    fn tech(&mut self, name: &str, group: Option<&str>) -> (String, Layer) {
        if let Some(t) = self.techs.get(&compact_key(name)) {
            return t.clone();
        }
        let layer = guess_layer(name, group);
        self.new_tech(TechOut {
            id: String::new(),
            name: name.to_string(),
            layer: layer.key().to_string(),
            aliases: Vec::new(),
            group: group.map(str::to_string),
            description: None,
            url: None,
            detect: true,
        });
        (name.to_string(), layer)
    }

    fn new_tech(&mut self, mut t: TechOut) {
        t.id = self.unique_id(&format!("tech-{}", slug(&t.name)));
        let layer = Layer::parse(&t.layer).unwrap_or(Layer::Other);
        t.aliases.retain(|a| {
            let k = compact_key(a);
            !k.is_empty() && !self.techs.contains_key(&k) && k != compact_key(&t.name)
        });
        t.aliases.dedup_by_key(|a| compact_key(a));
        for n in t.aliases.iter().chain([&t.name, &t.id]) {
            self.techs.insert(compact_key(n), (t.name.clone(), layer));
        }
        self.report
            .added
            .push(format!("tech {}: {} ({})", t.id, t.name, t.layer));
        self.append("technologies.toml", "tech", &t);
    }

    /// Appends the new entries to the folder's files, then checks the folder as `archie
    /// check` would. All or nothing: when a write fails or the check finds a problem, every
    /// file is put back as it was (new files and folders removed), so a failed import
    /// leaves no half-written folder. Each file is replaced whole (written beside it, then
    /// renamed), never left cut short.
    fn write(&self, dir: &Path) -> anyhow::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let mut saved: Vec<(PathBuf, Option<String>)> = Vec::new();
        for file in self.out.keys() {
            let path = dir.join(file);
            let before = match std::fs::read_to_string(&path) {
                Ok(text) => Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => anyhow::bail!(
                    "cannot read '{}' ({e}), so the import would overwrite it; nothing was \
                     written: make it a readable UTF-8 text file or move it away, then import again",
                    path.display()
                ),
            };
            saved.push((path, before));
        }
        let new_dirs: Vec<PathBuf> = [dir.to_path_buf(), dir.join("stacks")]
            .into_iter()
            .filter(|d| !d.exists())
            .collect();
        let result = self.write_all(dir, &saved).and_then(|()| {
            let (_, problems) = load_dir(dir);
            if problems.is_empty() {
                return Ok(());
            }
            let shown: Vec<String> = problems.iter().take(20).map(|p| p.to_string()).collect();
            anyhow::bail!(
                "the import would leave {} problem(s) in {}, so nothing was written; please \
                 report this:\n{}",
                problems.len(),
                dir.display(),
                shown.join("\n")
            )
        });
        if result.is_err() {
            for (path, before) in &saved {
                let _ = std::fs::remove_file(partial(path));
                let _ = match before {
                    Some(text) => std::fs::write(path, text),
                    None => std::fs::remove_file(path),
                };
            }
            for d in new_dirs.iter().rev() {
                let _ = std::fs::remove_dir(d);
            }
        }
        result
    }

    fn write_all(&self, dir: &Path, saved: &[(PathBuf, Option<String>)]) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir.join("stacks"))
            .with_context(|| format!("cannot create '{}'", dir.join("stacks").display()))?;
        for ((path, before), text) in saved.iter().zip(self.out.values()) {
            let mut body = before.clone().unwrap_or_default();
            if !body.is_empty() {
                if !body.ends_with('\n') {
                    body.push('\n');
                }
                body.push('\n');
            }
            body.push_str(text);
            let tmp = partial(path);
            std::fs::write(&tmp, body)
                .and_then(|()| std::fs::rename(&tmp, path))
                .with_context(|| format!("cannot write '{}'", path.display()))?;
        }
        Ok(())
    }
}

/// Where a file's new text is written before it replaces the file.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

#[derive(Serialize)]
struct CompanyOut {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct TechOut {
    id: String,
    name: String,
    layer: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "is_true")]
    detect: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Serialize)]
struct QaOut {
    id: String,
    question: String,
    answer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<String>,
    sources: Vec<String>,
}

#[derive(Serialize)]
struct ReadingOut {
    id: String,
    title: String,
    url: String,
    section: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<String>,
}

#[derive(Serialize)]
struct StackOut {
    id: String,
    company: String,
    sources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remark: Option<String>,
    layers: BTreeMap<&'static str, Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    link: Vec<LinkOut>,
}

#[derive(Serialize, Clone)]
struct LinkOut {
    title: String,
    url: String,
}

// ---------------------------------------------------------------------------------------
// Q&A text.

impl Importer {
    fn qa_text(&mut self, file: &str, input: &str) {
        // Paragraphs with their byte offsets.
        let mut paras: Vec<(usize, String)> = Vec::new();
        let mut start: Option<usize> = None;
        let mut cur = String::new();
        let mut offset = 0;
        for line in input.split_inclusive('\n') {
            let t = line.trim();
            if t.is_empty() {
                if let Some(s) = start.take() {
                    paras.push((s, std::mem::take(&mut cur)));
                }
            } else {
                if start.is_none() {
                    start = Some(offset + (line.len() - line.trim_start().len()));
                }
                if !cur.is_empty() {
                    cur.push('\n');
                }
                cur.push_str(t);
            }
            offset += line.len();
        }
        if let Some(s) = start {
            paras.push((s, cur));
        }
        let mut i = 0;
        while i < paras.len() {
            let (at, q) = &paras[i];
            let pos = position(file, input, *at);
            let is_question = !q.contains('\n') && q.ends_with('?');
            if !is_question {
                self.report.unparsed.push(format!(
                    "{pos}: expected a one-line question ending in '?', found '{}'",
                    crate::text::truncate_words(q, 60)
                ));
                i += 1;
                continue;
            }
            let Some((_, answer)) = paras
                .get(i + 1)
                .filter(|(_, a)| !a.ends_with('?') || a.contains('\n'))
            else {
                self.report
                    .unparsed
                    .push(format!("{pos}: question '{q}' has no answer paragraph"));
                i += 1;
                continue;
            };
            let mut sources = Vec::new();
            let mut lines = Vec::new();
            for l in answer.lines() {
                match l
                    .strip_prefix("Source:")
                    .or_else(|| l.strip_prefix("Sources:"))
                {
                    Some(u) => sources.extend(u.split_whitespace().map(str::to_string)),
                    None => lines.push(l),
                }
            }
            let answer = lines.join("\n");
            i += 2;
            if !self.questions.insert(normalize(q)) {
                self.report
                    .skipped
                    .push(format!("qa '{q}': same question already known ({pos})"));
                continue;
            }
            let company = self.named_company(q);
            if sources.is_empty() {
                if let Some(u) = company.as_ref().and_then(|c| self.company_urls.get(c)) {
                    sources.push(u.clone());
                }
            }
            if let Some(bad) = sources.iter().find(|u| !is_http_url(u)) {
                self.report
                    .unparsed
                    .push(format!("{pos}: source '{bad}' is not an http(s) URL"));
                continue;
            }
            if sources.is_empty() {
                self.report.unparsed.push(format!(
                    "{pos}: question '{q}' has no source: add a 'Source: URL' line to its answer"
                ));
                continue;
            }
            let id = self.unique_id(&format!("qa-{}", slug(q)));
            self.report.added.push(format!("qa {id}: {q}"));
            let qa = QaOut {
                id,
                question: q.clone(),
                answer,
                company,
                sources,
            };
            self.append("qa.toml", "qa", &qa);
        }
    }

    /// The one known company a text names as a word (first match wins).
    fn named_company(&self, text: &str) -> Option<String> {
        let words: Vec<String> = normalize(text).split(' ').map(str::to_string).collect();
        for n in 1..=3 {
            for w in words.windows(n) {
                let key = w.concat();
                if key.chars().count() < 3 {
                    continue;
                }
                if let Some(c) = self.companies.get(&key) {
                    return Some(c.clone());
                }
            }
        }
        None
    }
}

fn position(file: &str, input: &str, at: usize) -> String {
    let line = line_of(input, at);
    let start = input[..at.min(input.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let col = input[start..at.min(input.len())].chars().count() + 1;
    format!("{file}:{line}:{col}")
}

// ---------------------------------------------------------------------------------------
// Markdown.

/// One logical line: a physical line, or a piece of a flattened one split at `* [` and
/// `## ` markers. `at` is its byte offset in the input.
struct LogLine<'a> {
    at: usize,
    text: &'a str,
    /// Whether it began a physical line (continuation lines can only follow those).
    physical: bool,
}

fn logical_lines(input: &str) -> Vec<LogLine<'_>> {
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
fn md_link(s: &str) -> Option<(String, String, &str)> {
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
fn flatten_links(s: &str) -> String {
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

enum Section {
    /// Before the first `##` heading, or a section that holds no knowledge.
    Skip,
    Company(Box<StackDraft>),
    Glossary(String),
    Reading {
        name: String,
        topic: Option<String>,
    },
}

struct StackDraft {
    company: String,
    aliases: Vec<String>,
    url: Option<String>,
    at: String,
    /// The raw technology text (the line under the heading).
    tech_lines: Vec<(String, String)>,
    sub_lists: Vec<(String, String, String)>,
    remark: Vec<String>,
    links: Vec<LinkOut>,
}

const SKIPPED_SECTIONS: [&str; 5] = [
    "contents",
    "special thanks",
    "license",
    "contributing",
    "table of contents",
];

impl Importer {
    fn awesome_md(&mut self, file: &str, input: &str) {
        let lines = logical_lines(input);
        let mut section = Section::Skip;
        let mut in_references = false;
        let mut last_glossary: Option<usize> = None;
        let mut glossary: Vec<GlossaryItem> = Vec::new();
        let mut stacks: Vec<StackDraft> = Vec::new();
        let mut readings: Vec<ReadingDraft> = Vec::new();
        let mut prev_blank = true;
        for ll in &lines {
            let t = ll.text.trim();
            let pos = position(
                file,
                input,
                ll.at + (ll.text.len() - ll.text.trim_start().len()),
            );
            if t.is_empty() {
                prev_blank = true;
                last_glossary = None;
                continue;
            }
            let was_blank = std::mem::replace(&mut prev_blank, false);
            if t.eq_ignore_ascii_case("references") {
                in_references = true;
                self.close(&mut section, &mut stacks);
                section = Section::Skip;
                continue;
            }
            if let Some(h) = t.strip_prefix("## ").or_else(|| t.strip_prefix("### ")) {
                self.close(&mut section, &mut stacks);
                last_glossary = None;
                section = self.heading(h.trim(), in_references, &pos);
                continue;
            }
            if t.starts_with('#') || t == "*" || t.chars().all(|c| c == '=' || c == '-') {
                continue;
            }
            let item = t.strip_prefix("* ").or_else(|| t.strip_prefix("- "));
            match &mut section {
                Section::Skip => {}
                Section::Company(d) => match item {
                    Some(rest) if rest.trim().starts_with('[') => match md_link(rest.trim()) {
                        Some((title, url, after)) => {
                            if is_http_url(&url) {
                                d.links.push(LinkOut {
                                    title: title.clone(),
                                    url,
                                });
                            } else {
                                self.report
                                    .unparsed
                                    .push(format!("{pos}: link '{title}' has no http(s) URL"));
                            }
                            for (lang, u) in extra_links(after) {
                                d.links.push(LinkOut {
                                    title: format!("{title} ({lang})"),
                                    url: u,
                                });
                            }
                        }
                        None => self
                            .report
                            .unparsed
                            .push(format!("{pos}: expected '[title](url)', found '{t}'")),
                    },
                    Some(rest) if rest.trim().is_empty() => {}
                    Some(rest) => match rest.split_once(':') {
                        Some((label, list)) => {
                            d.sub_lists
                                .push((pos, label.trim().into(), list.trim().into()))
                        }
                        None => d.tech_lines.push((pos, rest.trim().to_string())),
                    },
                    None => d.tech_lines.push((pos, t.to_string())),
                },
                Section::Glossary(group) => match item {
                    Some(rest) => match parse_glossary(rest.trim(), group) {
                        Ok(mut g) => {
                            g.pos = pos.clone();
                            glossary.push(g);
                            last_glossary = Some(glossary.len() - 1);
                        }
                        Err(e) => self.report.unparsed.push(format!("{pos}: {e}")),
                    },
                    None => {
                        // A wrapped description continues the item above it.
                        if let (Some(i), true, false) = (last_glossary, ll.physical, was_blank) {
                            let g = &mut glossary[i];
                            let d = g.description.get_or_insert_with(String::new);
                            d.push(' ');
                            d.push_str(t);
                        }
                    }
                },
                Section::Reading { name, topic } => {
                    let Some(rest) = item else { continue };
                    let rest = rest.trim();
                    match md_link(rest) {
                        Some((title, url, _)) if is_http_url(&url) => {
                            let company = company_in_title(&title);
                            let this_topic = match &company {
                                Some(_) => topic.clone(),
                                None => {
                                    *topic = Some(title.clone());
                                    Some(title.clone())
                                }
                            };
                            readings.push(ReadingDraft {
                                pos,
                                title,
                                url,
                                section: name.clone(),
                                topic: this_topic,
                                company,
                            });
                        }
                        Some((title, url, _)) => self.report.unparsed.push(format!(
                            "{pos}: link '{title}' has no http(s) URL ('{url}')"
                        )),
                        None if rest.starts_with('[') => self.report.unparsed.push(format!(
                            "{pos}: expected '[title](url)', found '{}'",
                            crate::text::truncate_words(rest, 60)
                        )),
                        None => {}
                    }
                }
            }
        }
        self.close(&mut section, &mut stacks);
        // Glossary first, so the stacks' technologies resolve to its names.
        for g in glossary {
            self.add_glossary(g);
        }
        for d in stacks {
            self.add_stack(d);
        }
        self.add_readings(readings);
    }

    fn close(&mut self, section: &mut Section, stacks: &mut Vec<StackDraft>) {
        if let Section::Company(d) = std::mem::replace(section, Section::Skip) {
            stacks.push(*d);
        }
    }

    fn heading(&mut self, h: &str, in_references: bool, pos: &str) -> Section {
        if h.starts_with('[') {
            let Some((title, url, after)) = md_link(h) else {
                self.report
                    .unparsed
                    .push(format!("{pos}: expected '## [Company](url)', found '{h}'"));
                return Section::Skip;
            };
            let (company, aliases) = company_heading(&title);
            let mut links = Vec::new();
            for (lang, u) in extra_links(after) {
                links.push(LinkOut {
                    title: format!("{company} ({lang})"),
                    url: u,
                });
            }
            return Section::Company(Box::new(StackDraft {
                company,
                aliases,
                url: is_http_url(&url).then_some(url),
                at: pos.to_string(),
                tech_lines: Vec::new(),
                sub_lists: Vec::new(),
                remark: Vec::new(),
                links,
            }));
        }
        let name = h.trim_end_matches(':').trim();
        if SKIPPED_SECTIONS.contains(&name.to_lowercase().as_str()) {
            return Section::Skip;
        }
        if in_references {
            let first = normalize(name)
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            let group = match first.as_str() {
                "infra" | "infrastructure" | "platforms" => "infra".to_string(),
                "database" | "databases" | "data" | "storage" => "data".to_string(),
                "deploy" | "deployment" | "monitoring" => "deploy".to_string(),
                other => other.to_string(),
            };
            return Section::Glossary(group);
        }
        Section::Reading {
            name: name.to_string(),
            topic: None,
        }
    }
}

/// ` ([Korean](url))` after a link: (label, url) pairs.
fn extra_links(after: &str) -> Vec<(String, String)> {
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

/// `Gae9(개9)` → ("Gae9", ["개9"]); `Cartoon Service(만화서비스) - Smartstudy` →
/// ("Smartstudy", ["Cartoon Service", "만화서비스"]).
fn company_heading(title: &str) -> (String, Vec<String>) {
    let (product, company) = match title.rsplit_once(" - ") {
        Some((p, c)) => (Some(p.trim()), c.trim()),
        None => (None, title.trim()),
    };
    let mut aliases = Vec::new();
    let mut split = |s: &str| -> String {
        match s.find('(') {
            Some(i) if i > 0 && s.ends_with(')') => {
                aliases.push(s[i + 1..s.len() - 1].trim().to_string());
                s[..i].trim().to_string()
            }
            _ => s.to_string(),
        }
    };
    let name = split(company);
    if let Some(p) = product {
        let p = split(p);
        aliases.insert(0, p);
    }
    aliases.retain(|a| !a.is_empty());
    (name, aliases)
}

// ---------------------------------------------------------------------------------------
// Stacks.

impl Importer {
    fn add_stack(&mut self, d: StackDraft) {
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
        let mut items: Vec<(String, String)> = Vec::new(); // (raw item, pos)
        for (pos, line) in &d.tech_lines {
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
        for (pos, label, list) in &d.sub_lists {
            remark.push(format!("{label}: {list}"));
            for el in split_top(list, ',') {
                for raw in self.split_words(el.trim()) {
                    items.push((raw, pos.clone()));
                }
            }
        }
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
            self.techs.contains_key(&compact_key(&n)) || builtin_layer(&n).is_some()
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

    fn add_glossary(&mut self, g: GlossaryItem) {
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
        let layer = guess_layer(&g.name, Some(&g.group));
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

/// `gae, "a quote" - @[who](url)` → ("gae, ", Some(quote with attribution)).
fn split_quote(line: &str) -> (String, Option<String>) {
    match line.find('"') {
        Some(i) => (
            line[..i].to_string(),
            Some(flatten_links(&line[i..]).replace(" - @", " — @")),
        ),
        None => (line.to_string(), None),
    }
}

/// Splits at `sep` outside parentheses and brackets.
fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if c == sep && depth <= 0 {
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

/// Glues a `(qualifier)` word onto the word before it: `nbp (nhn business platform)`.
fn merge_paren_words(words: Vec<String>) -> Vec<String> {
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
fn leading_qualifier(raw: &str) -> String {
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
fn expand(raw: &str) -> Vec<(String, String)> {
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

// ---------------------------------------------------------------------------------------
// Glossary.

struct GlossaryItem {
    pos: String,
    name: String,
    aliases: Vec<String>,
    group: String,
    description: Option<String>,
    url: String,
}

/// `[Name](url): description` with the name cleaned: `owner/repo · GitHub` → `repo`,
/// `Long Name(ABBR)` → `ABBR` with the long name as an alias, `pHash.org` → `pHash`.
fn parse_glossary(item: &str, group: &str) -> Result<GlossaryItem, String> {
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

fn glossary_name(title: &str) -> (String, Vec<String>) {
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

// ---------------------------------------------------------------------------------------
// Reading list.

struct ReadingDraft {
    pos: String,
    title: String,
    url: String,
    section: String,
    topic: Option<String>,
    company: Option<String>,
}

impl Importer {
    fn add_readings(&mut self, readings: Vec<ReadingDraft>) {
        let mut names: Vec<String> = self.companies.values().cloned().collect();
        names.extend(readings.iter().filter_map(|r| r.company.clone()));
        names.sort();
        names.dedup();
        for mut r in readings {
            if r.company.is_none() {
                r.company = company_mentioned(&r.title, &names);
            }
            if !self.reading_urls.insert(r.url.clone()) {
                self.report.skipped.push(format!(
                    "reading '{}': same URL already listed ({})",
                    r.title, r.pos
                ));
                continue;
            }
            let company = r.company.map(|c| self.company(&c, &[], None));
            let id = self.unique_id(&format!("reading-{}", slug(&r.title)));
            self.report.added.push(format!("reading {id}: {}", r.title));
            let out = ReadingOut {
                id,
                title: r.title,
                url: r.url,
                section: r.section,
                topic: r.topic,
                company,
            };
            self.append("reading.toml", "reading", &out);
        }
    }
}

/// The company a reading-list title is about: `… at Uber`, `… (used at Netflix)`,
/// `… - Jeff Dean, Google`.
pub fn company_in_title(title: &str) -> Option<String> {
    let lower = title.to_lowercase();
    if let Some(i) = lower.rfind(" at ") {
        let cand = clean_company(&title[i + 4..]);
        if looks_like_company(&cand, 4) {
            return Some(cand);
        }
    }
    if let Some((_, who)) = title.rsplit_once(" - ") {
        if let Some((_, org)) = who.rsplit_once(", ") {
            let cand = clean_company(org);
            if looks_like_company(&cand, 2) && cand.split(' ').all(starts_upper) {
                return Some(cand);
            }
        }
    }
    None
}

fn starts_upper(w: &str) -> bool {
    w.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn clean_company(s: &str) -> String {
    let mut s = s.trim();
    // Drop a trailing `(2018)`, `(from 27:22)` and an unbalanced `)`.
    loop {
        if let Some(i) = s.rfind(" (") {
            if s.ends_with(')') {
                s = s[..i].trim();
                continue;
            }
        }
        break;
    }
    if s.ends_with(')') && !s.contains('(') {
        s = s[..s.len() - 1].trim();
    }
    let s = s.trim_end_matches(['.', ',', ';', ':']);
    s.strip_suffix(" Engineering").unwrap_or(s).to_string()
}

fn looks_like_company(s: &str, max_words: usize) -> bool {
    const NOT: [&str; 4] = ["large", "once", "all", "various layers"];
    let lower = s.to_lowercase();
    !s.is_empty()
        && s.split(' ').count() <= max_words
        && (s.chars().next().is_some_and(|c| !c.is_lowercase())
            || s.chars().any(char::is_uppercase))
        && !NOT.contains(&lower.as_str())
        && lower != "scale"
        && !lower.ends_with(" scale")
        && !s.contains(" of ")
}

/// Company names that are also ordinary words: never guessed from a bare mention.
const WORDLIKE_COMPANIES: [&str; 10] = [
    "King", "Square", "Medium", "Box", "LINE", "Target", "Segment", "Indeed", "Line", "Wix",
];

/// The one known company a title mentions as a capitalised word (`Scaling Pinterest - …`,
/// `Erlang in WhatsApp`), when the title has no `at Company`.
fn company_mentioned(title: &str, names: &[String]) -> Option<String> {
    let mut found: Vec<&String> = Vec::new();
    for n in names {
        if n.chars().count() < 3 || WORDLIKE_COMPANIES.contains(&n.as_str()) {
            continue;
        }
        let mut from = 0;
        while let Some(i) = title[from..].find(n.as_str()) {
            let s = from + i;
            let e = s + n.len();
            let before = title[..s].chars().next_back();
            let after = title[e..].chars().next();
            let boundary =
                |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '.'));
            if boundary(before) && boundary(after) && !found.contains(&n) {
                found.push(n);
            }
            from = e;
        }
    }
    match found.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Layers.

/// A layer for a technology the folder does not know yet, from common product names,
/// else from its glossary group, else `other`.
fn guess_layer(name: &str, group: Option<&str>) -> Layer {
    builtin_layer(name).unwrap_or(match group {
        Some("data") => Layer::Data,
        Some("deploy") => Layer::Deploy,
        _ => Layer::Other,
    })
}

const KNOWN: [(Layer, &str); 10] = [
    (
        Layer::Language,
        "php java scala erlang ruby python perl clojure groovy nodejs node go golang javascript \
         rubyonrails ror rails django flask pylons sinatra play grails symfony symfony2 werkzeug \
         paste twisted gevent finagle thrift ergo velocity tornado",
    ),
    (
        Layer::Web,
        "nginx apache sciapache haproxy jetty tomcat mongrel unicorn gunicorn uwsgi modwsgi \
         phpfpm phpfrm cometserver epoll bigpipe zuul",
    ),
    (
        Layer::Data,
        "mysql postgresql postgressql postgres mongodb cassandra casandra hbase membase hadoop \
         hive vertica dynamodb sdb simpledb rds haystack gizzard sqlserver mssql pgpool pgbouncer \
         repmgr mrjob mapreduce emr googlecloudstorage sqlalchemy south doctrine zookeeper \
         puppetdb redis",
    ),
    (
        Layer::Cache,
        "memcached memcache memchached memcahced varnish evcache fatcache",
    ),
    (
        Layer::Queue,
        "gearman celery rabbitmq kafka kestrel starling activemq beanstalkd sqs sns resque",
    ),
    (Layer::Search, "solr lucene elasticsearch sphinx"),
    (
        Layer::Hosting,
        "aws ec2 s3 ebs elb eip vpc iam directconnect route53 ubuntu linux centos windowsserver \
         gae googleappengine appengine dotcloud heroku skyscape nhnncloud nbp cloudfront akamai \
         upstart mdadm xfs dyn ses",
    ),
    (
        Layer::Monitoring,
        "munin nagios awstats pingdom pagerduty sentry cacti ganglia graphite graphie statsd \
         logstash newrelic exceptional flaskexceptional googleanalytics scribe syslogng cloudwatch",
    ),
    (
        Layer::Deploy,
        "fabric capistrano puppet jenkins func rsync lftp npk asgard boto",
    ),
    (Layer::Other, ""),
];

fn builtin_layer(name: &str) -> Option<Layer> {
    let key = compact_key(name);
    KNOWN
        .iter()
        .find(|(_, names)| names.split_whitespace().any(|n| n == key))
        .map(|(l, _)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_names_come_from_the_end_of_a_title() {
        assert_eq!(
            company_in_title("Tech Stack (2 parts) at Uber").as_deref(),
            Some("Uber")
        );
        assert_eq!(
            company_in_title("Designs, Lessons and Advice - Jeff Dean, Google").as_deref(),
            Some("Google")
        );
        assert_eq!(
            company_in_title("Uniform Consistent Hashing (used at Netflix)").as_deref(),
            Some("Netflix")
        );
        assert_eq!(
            company_in_title("Search Federation Architecture at LinkedIn (2018)").as_deref(),
            Some("LinkedIn")
        );
        assert_eq!(
            company_in_title("Monitoring with Time Series at Scale"),
            None
        );
        assert_eq!(
            company_in_title("How To Design A Good API - Joshua Bloch"),
            None
        );
    }

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

    #[test]
    fn company_headings_keep_other_names_as_aliases() {
        let (n, a) = company_heading("Cartoon Service(만화서비스) - Smartstudy");
        assert_eq!(n, "Smartstudy");
        assert_eq!(
            a,
            vec!["Cartoon Service".to_string(), "만화서비스".to_string()]
        );
        let (n, a) = company_heading("TheBorn Coupon(더본쿠폰)");
        assert_eq!(n, "TheBorn Coupon");
        assert_eq!(a, vec!["더본쿠폰".to_string()]);
    }

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
