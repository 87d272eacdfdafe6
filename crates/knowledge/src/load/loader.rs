//! The reading and checking every kind of file shares: parsing a TOML file, required
//! fields, URLs, ids, and resolving company and technology names, each problem reported
//! as `file:line: what is wrong`.

use super::super::files::{ArticleDef, NoteDef, QaDef, SpannedText};
use super::super::{Company, Detail, Entry, Kind, NameTable, Named, Problem, Tech};
use crate::is_http_url;
use archie_text::{line_of, LineStarts};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A parsed file with its source text, so spans can become line numbers.
pub(super) struct Src<T> {
    pub(super) path: PathBuf,
    pub(super) lines: LineStarts,
    pub(super) data: T,
}

impl<T> Src<T> {
    /// The line a field starts on.
    pub(super) fn line(&self, s: &SpannedText) -> usize {
        self.lines.line_of(s.span().start)
    }
}

/// The problems found so far, and every entry id with where it was first defined.
#[derive(Default)]
pub(super) struct Loader {
    pub(super) problems: Vec<Problem>,
    ids: HashMap<String, (PathBuf, usize)>,
}

/// The name tables entries refer to, for resolving their company and technologies.
#[derive(Clone, Copy)]
pub(super) struct Resolver<'a> {
    pub(super) companies: &'a NameTable<Company>,
    pub(super) techs: &'a NameTable<Tech>,
}

/// The fields Q&A, notes and articles share, as written.
pub(super) trait CommonFields {
    fn id(&self) -> &SpannedText;
    fn company(&self) -> Option<&SpannedText>;
    fn technologies(&self) -> &[SpannedText];
    fn sources(&self) -> &[SpannedText];
}

macro_rules! common_fields {
    ($($def:ty),*) => {$(
        impl CommonFields for $def {
            fn id(&self) -> &SpannedText {
                &self.id
            }
            fn company(&self) -> Option<&SpannedText> {
                self.company.as_ref()
            }
            fn technologies(&self) -> &[SpannedText] {
                &self.technologies
            }
            fn sources(&self) -> &[SpannedText] {
                &self.sources
            }
        }
    )*};
}

common_fields!(QaDef, NoteDef, ArticleDef);

/// The fields Q&A, notes and articles share, resolved: the company's canonical name, the
/// technologies' canonical names and the sources.
pub(super) struct Common {
    pub(super) company: Option<String>,
    pub(super) technologies: Vec<String>,
    pub(super) sources: Vec<String>,
}

impl Common {
    /// The entry these fields belong to.
    pub(super) fn entry(
        self,
        id: String,
        kind: Kind,
        title: String,
        text: String,
        detail: Detail,
    ) -> Entry {
        Entry {
            id,
            kind,
            title,
            text,
            company: self.company,
            technologies: self.technologies,
            sources: self.sources,
            aliases: Vec::new(),
            detail,
        }
    }
}

impl Loader {
    pub(super) fn problem(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.problems.push(Problem {
            file: path.to_path_buf(),
            line,
            message: message.into(),
        });
    }

    /// Reads and parses a file; a missing file is `None` without a problem when it is
    /// `optional`.
    pub(super) fn read<T: DeserializeOwned>(
        &mut self,
        path: PathBuf,
        optional: bool,
    ) -> Option<Src<T>> {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                self.problem(&path, 1, format!("cannot read file: {e}"));
                return None;
            }
        };
        match toml::from_str::<T>(&text) {
            Ok(data) => Some(Src {
                path,
                lines: LineStarts::new(&text),
                data,
            }),
            Err(e) => {
                let line = e.span().map(|s| line_of(&text, s.start)).unwrap_or(1);
                let msg = e.message().replace('\n', " ");
                self.problem(&path, line, format!("cannot parse TOML: {msg}"));
                None
            }
        }
    }

    /// A required text field: reports it when empty, returns it trimmed.
    pub(super) fn required<T>(&mut self, src: &Src<T>, field: &str, s: &SpannedText) -> String {
        let v = s.get_ref().trim().to_string();
        if v.is_empty() {
            self.problem(
                &src.path,
                src.line(s),
                format!("empty required field `{field}`"),
            );
        }
        v
    }

    pub(super) fn url<T>(&mut self, src: &Src<T>, s: &SpannedText) -> Option<String> {
        let v = s.get_ref().trim();
        if is_http_url(v) {
            Some(v.to_string())
        } else {
            self.problem(
                &src.path,
                src.line(s),
                format!("url '{v}' is not an http(s) URL"),
            );
            None
        }
    }

    pub(super) fn urls<T>(
        &mut self,
        src: &Src<T>,
        list: &[SpannedText],
        required: bool,
        at: &SpannedText,
    ) -> Vec<String> {
        let out: Vec<String> = list.iter().filter_map(|s| self.url(src, s)).collect();
        if required && list.is_empty() {
            self.problem(&src.path, src.line(at), "empty required field `sources`");
        }
        out
    }

    /// An entry id: required, and unique across the folder.
    pub(super) fn id<T>(&mut self, src: &Src<T>, s: &SpannedText) -> String {
        let id = self.required(src, "id", s);
        let line = src.line(s);
        if id.is_empty() {
            return id;
        }
        if let Some((f, l)) = self.ids.get(&id) {
            let msg = format!("duplicate id '{id}' (first defined at {}:{l})", f.display());
            self.problem(&src.path, line, msg);
        } else {
            self.ids.insert(id.clone(), (src.path.clone(), line));
        }
        id
    }

    /// The company a name refers to: (id, canonical name). An empty name is `None`
    /// without a problem.
    pub(super) fn company<T>(
        &mut self,
        src: &Src<T>,
        names: Resolver,
        s: &SpannedText,
    ) -> Option<(String, String)> {
        let v = s.get_ref().trim();
        if v.is_empty() {
            return None;
        }
        match names.companies.get(v) {
            Some(c) => Some((c.id.clone(), c.name.clone())),
            None => {
                self.unresolved(src, s, names.companies, v, "company", "companies.toml");
                None
            }
        }
    }

    /// The canonical name of technology `name`, written at `s`.
    pub(super) fn tech<T>(
        &mut self,
        src: &Src<T>,
        names: Resolver,
        name: &str,
        s: &SpannedText,
    ) -> Option<String> {
        match names.techs.get(name) {
            Some(t) => Some(t.name.clone()),
            None => {
                self.unresolved(src, s, names.techs, name, "technology", "technologies.toml");
                None
            }
        }
    }

    /// Reports a name (`what`: company, technology) that no entry of `file` claims, with
    /// the closest known name as a hint.
    fn unresolved<T, N: Named>(
        &mut self,
        src: &Src<T>,
        s: &SpannedText,
        table: &NameTable<N>,
        name: &str,
        what: &str,
        file: &str,
    ) {
        let hint = did_you_mean(table.suggest(name, 1).first().map(|n| n.name()));
        self.problem(
            &src.path,
            src.line(s),
            format!("{what} '{name}' has no canonical entry in {file}{hint}"),
        );
    }

    /// The company, technologies and sources of a Q&A, note or article, in that order.
    pub(super) fn common<T>(
        &mut self,
        src: &Src<T>,
        names: Resolver,
        def: &dyn CommonFields,
    ) -> Common {
        let company = def
            .company()
            .and_then(|c| self.company(src, names, c))
            .map(|c| c.1);
        let mut techs = Vec::new();
        for t in def.technologies() {
            techs.extend(self.tech(src, names, t.get_ref(), t));
        }
        let sources = self.urls(src, def.sources(), true, def.id());
        Common {
            company,
            technologies: techs,
            sources,
        }
    }
}

fn did_you_mean(name: Option<&str>) -> String {
    name.map(|n| format!(" (did you mean '{n}'?)"))
        .unwrap_or_default()
}
