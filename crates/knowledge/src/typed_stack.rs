//! A stack as a person types it: one layer per line, the layer's name, a colon, then the
//! technologies separated by commas ("Data stores: MySQL, Redis"). A `Note:` line is the
//! stack's remark; an `Articles:` line (what a shipped stack's text ends with) names its
//! links and is kept by the entry, not re-read. A technology may carry its source's
//! spelling and a qualifier, as the shipped stacks print them: `my-sql [MySQL] (master)`.
//! Moderators' stacks are stored in this form and become real layers when indexed.

use super::{Layer, LayerGroup, StackItem};

/// What a typed stack says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypedStack {
    pub layers: Vec<LayerGroup>,
    pub remark: Option<String>,
}

/// A line that is not a layer, with the line's number (from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypedStackError {
    #[error("line {line} has no 'Layer: technologies' (e.g. Data stores: MySQL, Redis)")]
    NoColon { line: usize },
    #[error("line {line}: '{name}' is not a layer; use one of: {}", layer_names())]
    UnknownLayer { line: usize, name: String },
    #[error("no layer is listed; write one per line, e.g. Data stores: MySQL, Redis")]
    Empty,
}

fn layer_names() -> String {
    Layer::ALL
        .iter()
        .map(|l| short_label(*l))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A layer's label without its parenthesised hints: "Data stores".
pub fn short_label(l: Layer) -> &'static str {
    let label = l.label();
    label.split(" (").next().unwrap_or(label)
}

/// The layer a heading names: its key, its label with or without the hints in brackets,
/// the label's first word, or one of the hints ("database", "cloud").
pub fn layer_named(heading: &str) -> Option<Layer> {
    let h = heading.trim().to_lowercase();
    if h.is_empty() {
        return None;
    }
    // "Datastores" and "data-stores" mean "Data stores".
    let compact = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let hc = compact(&h);
    Layer::ALL.into_iter().find(|l| {
        let label = l.label().to_lowercase();
        let short = short_label(*l).to_lowercase();
        let first = short.split([' ', '&']).next().unwrap_or("");
        let hints = label
            .split_once(" (")
            .map(|(_, rest)| rest.trim_end_matches(')').to_string())
            .unwrap_or_default();
        h == l.key()
            || h == label
            || hc == compact(&short)
            || h == first
            || hints.split(',').any(|x| x.trim() == h)
    })
}

/// Parses `text`; `canonical` gives a technology's canonical name (`None`: unknown, kept
/// as typed; the caller decides whether that is an error).
pub fn parse(
    text: &str,
    canonical: impl Fn(&str) -> Option<String>,
) -> Result<TypedStack, TypedStackError> {
    let mut out = TypedStack::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((head, rest)) = line.split_once(':') else {
            return Err(TypedStackError::NoColon { line: i + 1 });
        };
        let head_lc = head.trim().to_lowercase();
        if head_lc == "note" {
            out.remark = Some(rest.trim().to_string()).filter(|r| !r.is_empty());
            continue;
        }
        if head_lc == "articles" {
            continue;
        }
        let Some(layer) = layer_named(head) else {
            return Err(TypedStackError::UnknownLayer {
                line: i + 1,
                name: archie_text::truncate_words(head.trim(), 40),
            });
        };
        // Commas or semicolons separate items, except inside brackets ("Django (a, b)").
        let items: Vec<StackItem> = super::split_top(&rest.replace(';', ","), ',')
            .into_iter()
            .map(|raw| item(&raw, &canonical))
            .collect();
        if items.is_empty() {
            continue;
        }
        match out.layers.iter_mut().find(|g| g.layer == layer) {
            Some(g) => g.items.extend(items),
            None => out.layers.push(LayerGroup { layer, items }),
        }
    }
    if out.layers.is_empty() {
        return Err(TypedStackError::Empty);
    }
    Ok(out)
}

/// `my-sql [MySQL] (master)`: the spelling, the canonical name in square brackets (or
/// looked up), the qualifier in round ones.
fn item(raw: &str, canonical: &impl Fn(&str) -> Option<String>) -> StackItem {
    let (named, qualifier) = super::split_item(&strip_bracketed(raw));
    let given = raw
        .split_once('[')
        .and_then(|(_, r)| r.split_once(']'))
        .map(|(name, _)| name.trim().to_string())
        .filter(|n| !n.is_empty());
    let tech = given
        .as_deref()
        .and_then(canonical)
        .or_else(|| canonical(&named))
        .unwrap_or_else(|| given.clone().unwrap_or_else(|| named.clone()));
    StackItem {
        raw: named,
        tech,
        qualifier,
    }
}

/// `raw` without a `[…]` part.
fn strip_bracketed(raw: &str) -> String {
    match (raw.find('['), raw.find(']')) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &raw[..a], &raw[b + 1..])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> Option<String> {
        match name.to_lowercase().as_str() {
            "mysql" | "my-sql" => Some("MySQL".into()),
            "redis" => Some("Redis".into()),
            "django" => Some("Django".into()),
            _ => None,
        }
    }

    #[test]
    fn a_typed_stack_becomes_layers_with_canonical_names() {
        let s = parse(
            "Data stores: my-sql, Redis\n\nlanguages: Django (extra, large)\nNote: early days\nArticles: ignored",
            known,
        )
        .unwrap();
        assert_eq!(s.layers.len(), 2);
        assert_eq!(s.layers[0].layer, Layer::Data);
        let names: Vec<(&str, &str)> = s.layers[0]
            .items
            .iter()
            .map(|i| (i.raw.as_str(), i.tech.as_str()))
            .collect();
        assert_eq!(names, [("my-sql", "MySQL"), ("Redis", "Redis")]);
        assert_eq!(s.layers[1].layer, Layer::Language);
        assert_eq!(
            s.layers[1].items[0].qualifier.as_deref(),
            Some("extra, large")
        );
        assert_eq!(s.remark.as_deref(), Some("early days"));
    }

    #[test]
    fn what_a_shipped_stack_prints_reads_back_to_the_same_layers() {
        let typed =
            "Data stores (database, storage): my-sql [MySQL] (master), Redis\nCaching: memcached";
        let s = parse(typed, known).unwrap();
        assert_eq!(s.layers[0].items[0].raw, "my-sql");
        assert_eq!(s.layers[0].items[0].tech, "MySQL");
        assert_eq!(s.layers[0].items[0].qualifier.as_deref(), Some("master"));
        assert_eq!(s.layers[1].layer, Layer::Cache);
        assert_eq!(
            s.layers[1].items[0].tech, "memcached",
            "unknown: kept as typed"
        );
    }

    #[test]
    fn lines_that_are_not_layers_are_named() {
        assert_eq!(
            parse("Data stores: MySQL\nMySQL and Redis", known),
            Err(TypedStackError::NoColon { line: 2 })
        );
        let e = parse("Datastorez: MySQL", known).unwrap_err();
        assert_eq!(
            e,
            TypedStackError::UnknownLayer {
                line: 1,
                name: "Datastorez".into()
            }
        );
        assert!(e.to_string().contains("Data stores"), "{e}");
        assert_eq!(
            parse("Note: only a note", known),
            Err(TypedStackError::Empty)
        );
        for heading in [
            "database",
            "Data stores",
            "data",
            "cloud",
            "Queues & jobs",
            "queues",
        ] {
            assert!(layer_named(heading).is_some(), "{heading}");
        }
    }
}
