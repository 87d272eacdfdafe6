//! Pure checks of what a moderator typed, run before any write: required fields, lengths,
//! http(s) links, technology names resolved to canonical ones (with suggestions), company
//! names resolved when known, control characters stripped. Errors are user errors with a
//! message that names the bad value and the fix; Markdown and mentions are kept verbatim
//! (rendering escapes them).

use super::entries::url_key;
use super::{Draft, Duplicate, DuplicateField};
use archie_knowledge::{is_http_url, Kind, Knowledge};

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 4000;
pub const MAX_COMPANY: usize = 100;
pub const MAX_TECHNOLOGIES: usize = 20;
pub const MAX_SOURCES: usize = 10;
pub const MAX_URL: usize = 500;

/// A draft as typed: every field a string (or list of strings), nothing checked yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawDraft {
    pub kind: String,
    pub title: String,
    pub text: String,
    pub company: Option<String>,
    pub technologies: Vec<String>,
    pub sources: Vec<String>,
}

impl RawDraft {
    /// The fields of a Discord modal: technologies as one comma/semicolon/line separated
    /// field, sources as links separated by spaces or lines.
    pub fn from_fields(
        kind: &str,
        title: &str,
        text: &str,
        company: &str,
        technologies: &str,
        sources: &str,
    ) -> RawDraft {
        RawDraft {
            kind: kind.to_string(),
            title: title.to_string(),
            text: text.to_string(),
            company: Some(company.to_string()),
            technologies: split_list(technologies),
            sources: split_links(sources),
        }
    }
}

/// Why a draft cannot be saved. The message is written for the moderator who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("the {field} is required")]
    Missing { field: &'static str },
    #[error("unknown kind '{value}'; use one of: {}", kinds())]
    UnknownKind { value: String },
    #[error("the {field} is too long ({len} characters, at most {max}); shorten it")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("too many {field} ({count}, at most {max})")]
    TooMany {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("at least one source link is required (an http:// or https:// URL)")]
    NoSource,
    #[error("source '{url}' is not an http:// or https:// link")]
    NotHttpUrl { url: String },
    #[error("unknown technology '{name}'{}", tech_hint(suggestions))]
    UnknownTechnology {
        name: String,
        suggestions: Vec<String>,
    },
    #[error("a stack's {0}")]
    Stack(#[from] archie_knowledge::typed_stack::TypedStackError),
    #[error(
        "a stack belongs to a company Archie knows; '{name}' is not one{}",
        company_hint(suggestions)
    )]
    UnknownCompany {
        name: String,
        suggestions: Vec<String>,
    },
    #[error("an entry with this title already exists: {id}; edit it instead")]
    DuplicateTitle { id: String },
    #[error("source '{url}' is already cited by entry {id}; edit that entry instead")]
    DuplicateSource { id: String, url: String },
}

fn kinds() -> String {
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    names.join(", ")
}

fn company_hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => "; /stack autocompletes the companies Archie knows".to_string(),
        _ => format!("; did you mean {}?", suggestions.join(", ")),
    }
}

fn tech_hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => "; use a known name, or ask a maintainer to add it to knowledge/technologies.toml"
            .to_string(),
        [one] => format!("; did you mean {one}?"),
        [init @ .., last] => format!("; did you mean {} or {last}?", init.join(", ")),
    }
}

impl From<Duplicate> for ValidationError {
    fn from(d: Duplicate) -> ValidationError {
        match d.field {
            DuplicateField::Title => ValidationError::DuplicateTitle { id: d.id },
            DuplicateField::Source(url) => ValidationError::DuplicateSource { id: d.id, url },
        }
    }
}

/// Checks and cleans a typed draft: the [`Draft`] the store accepts, technologies and known
/// companies under their canonical names.
pub fn validate(raw: &RawDraft, k: &Knowledge) -> Result<Draft, ValidationError> {
    let kind_text = one_line(&raw.kind);
    if kind_text.is_empty() {
        return Err(ValidationError::Missing { field: "kind" });
    }
    let kind = Kind::parse(&kind_text).ok_or(ValidationError::UnknownKind { value: kind_text })?;
    let mut sources: Vec<String> = Vec::new();
    for s in raw.sources.iter().map(|s| clean_link(s)) {
        if !s.is_empty() && !sources.iter().any(|x| url_key(x) == url_key(&s)) {
            sources.push(s);
        }
    }
    let names: Vec<String> = raw
        .technologies
        .iter()
        .map(|t| one_line(t))
        .filter(|t| !t.is_empty())
        .collect();
    let draft = Draft {
        kind,
        title: one_line(&raw.title),
        text: multi_line(&raw.text),
        company: raw
            .company
            .as_deref()
            .map(one_line)
            .filter(|c| !c.is_empty())
            .map(|c| match k.companies.get(&c) {
                Some(known) => known.name.clone(),
                None => c,
            }),
        technologies: names,
        sources,
    };
    check_shape(&draft)?;
    let mut technologies = resolve_technologies(&draft.technologies, k)?;
    if kind == Kind::Stack {
        for t in stack_technologies(&draft, k)? {
            if !technologies.contains(&t) {
                technologies.push(t);
            }
        }
    }
    Ok(Draft {
        technologies,
        ..draft
    })
}

/// A stack's text read as layers: its company must be known, every line a layer, every
/// technology known. Returns the technologies it lists, canonical, in order.
fn stack_technologies(d: &Draft, k: &Knowledge) -> Result<Vec<String>, ValidationError> {
    let Some(company) = d.company.as_deref() else {
        return Err(ValidationError::Missing { field: "company" });
    };
    if k.companies.get(company).is_none() {
        return Err(ValidationError::UnknownCompany {
            name: company.to_string(),
            suggestions: k
                .companies
                .suggest(company, 3)
                .into_iter()
                .map(|c| c.name.clone())
                .collect(),
        });
    }
    let typed =
        archie_knowledge::typed_stack::parse(&d.text, |n| k.techs.get(n).map(|t| t.name.clone()))?;
    let names: Vec<String> = typed
        .layers
        .iter()
        .flat_map(|g| g.items.iter().map(|i| i.tech.clone()))
        .collect();
    resolve_technologies(&names, k)
}

/// The technologies field of the modal ("redis, my-sql; Cassandra") as canonical names.
pub fn parse_technologies(field: &str, k: &Knowledge) -> Result<Vec<String>, ValidationError> {
    let names = split_list(field);
    if names.len() > MAX_TECHNOLOGIES {
        return Err(ValidationError::TooMany {
            field: "technologies",
            count: names.len(),
            max: MAX_TECHNOLOGIES,
        });
    }
    resolve_technologies(&names, k)
}

/// Canonical names for `names`, deduplicated, in the order given.
fn resolve_technologies(names: &[String], k: &Knowledge) -> Result<Vec<String>, ValidationError> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let Some(t) = k.techs.get(name) else {
            return Err(ValidationError::UnknownTechnology {
                name: name.clone(),
                suggestions: k
                    .techs
                    .suggest(name, 3)
                    .into_iter()
                    .map(|t| t.name.clone())
                    .collect(),
            });
        };
        if !out.contains(&t.name) {
            out.push(t.name.clone());
        }
    }
    Ok(out)
}

/// The rules a stored draft always meets (everything but name resolution, which needs the
/// knowledge). The store re-checks them on every write.
pub fn check_shape(d: &Draft) -> Result<(), ValidationError> {
    required("title", &d.title)?;
    required("text", &d.text)?;
    max_len("title", &d.title, MAX_TITLE)?;
    max_len("text", &d.text, MAX_TEXT)?;
    if let Some(c) = &d.company {
        required("company", c)?;
        max_len("company", c, MAX_COMPANY)?;
    }
    if d.technologies.len() > MAX_TECHNOLOGIES {
        return Err(ValidationError::TooMany {
            field: "technologies",
            count: d.technologies.len(),
            max: MAX_TECHNOLOGIES,
        });
    }
    if d.sources.is_empty() {
        return Err(ValidationError::NoSource);
    }
    if d.sources.len() > MAX_SOURCES {
        return Err(ValidationError::TooMany {
            field: "sources",
            count: d.sources.len(),
            max: MAX_SOURCES,
        });
    }
    for url in &d.sources {
        max_len("source link", url, MAX_URL)?;
        if !is_http_url(url) {
            return Err(ValidationError::NotHttpUrl { url: url.clone() });
        }
    }
    Ok(())
}

fn required(field: &'static str, v: &str) -> Result<(), ValidationError> {
    if v.trim().is_empty() {
        return Err(ValidationError::Missing { field });
    }
    Ok(())
}

fn max_len(field: &'static str, v: &str, max: usize) -> Result<(), ValidationError> {
    let len = v.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, len, max });
    }
    Ok(())
}

/// Characters that never belong in stored text: control characters and the bidirectional
/// overrides that can disguise a link.
fn is_unwanted(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A single-line field: line breaks and tabs become spaces, other control characters go,
/// runs of spaces collapse, ends are trimmed.
pub fn one_line(s: &str) -> String {
    let spaced: String = s
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if is_unwanted(c) => None,
            c => Some(c),
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A multi-line field: line breaks (normalised to `\n`) and tabs kept, other control
/// characters removed, ends trimmed.
pub fn multi_line(s: &str) -> String {
    let unified = s.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !is_unwanted(c))
        .collect();
    kept.trim().to_string()
}

/// A link as pasted: trimmed, without the `<…>` Discord users wrap links in.
fn clean_link(s: &str) -> String {
    let s = one_line(s);
    let s = s.trim_start_matches('<').trim_end_matches('>');
    s.trim().to_string()
}

/// Splits a list field on commas, semicolons and line breaks; drops empty items.
pub fn split_list(field: &str) -> Vec<String> {
    field
        .split([',', ';', '\n'])
        .map(one_line)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Splits a links field on whitespace (links cannot contain any).
pub fn split_links(field: &str) -> Vec<String> {
    field
        .split_whitespace()
        .map(clean_link)
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_strips_controls_and_collapses_breaks() {
        assert_eq!(one_line("  a\u{0007}b\n c\t\u{202E}d "), "ab c d");
    }

    #[test]
    fn multi_line_keeps_line_breaks_but_not_other_controls() {
        assert_eq!(multi_line("one\r\ntwo\u{0000}\rthree "), "one\ntwo\nthree");
    }

    #[test]
    fn lists_split_on_commas_semicolons_and_lines() {
        assert_eq!(
            split_list("redis, my-sql; Cassandra\n ,"),
            ["redis", "my-sql", "Cassandra"]
        );
        assert_eq!(
            split_links("<https://a.example/x>  https://b.example\nhttps://c.example"),
            [
                "https://a.example/x",
                "https://b.example",
                "https://c.example"
            ]
        );
    }

    #[test]
    fn technology_hints_read_as_a_sentence() {
        assert_eq!(tech_hint(&["Redis".into()]), "; did you mean Redis?");
        assert_eq!(
            tech_hint(&["A".into(), "B".into(), "C".into()]),
            "; did you mean A, B or C?"
        );
    }
}
