//! What a community document stores: the row as search shows it (an [`Entry`], or a
//! hidden base id), in a JSON shape of its own. `Entry`'s own JSON is the public export
//! format (untagged, flattened), which does not read back unambiguously; this one does.

use archie_knowledge::{Detail, Entry, Kind, Layer, LayerGroup, Link, StackItem};
use serde::{Deserialize, Serialize};

/// One stored row: a shown entry, or a base id hidden in the guild.
#[derive(Serialize, Deserialize)]
pub(super) enum StoredRow {
    Live(Box<StoredEntry>),
    Hidden(String),
}

#[derive(Serialize, Deserialize)]
pub(super) struct StoredEntry {
    id: String,
    kind: String,
    title: String,
    text: String,
    company: Option<String>,
    technologies: Vec<String>,
    sources: Vec<String>,
    aliases: Vec<String>,
    detail: StoredDetail,
}

/// A stack layer's items: `(raw, tech, qualifier)`.
type Items = Vec<(String, String, Option<String>)>;

#[derive(Serialize, Deserialize)]
enum StoredDetail {
    Stack {
        company_id: String,
        /// `(layer key, items)`.
        layers: Vec<(String, Items)>,
        /// `(title, url)`.
        links: Vec<(String, String)>,
        remark: Option<String>,
    },
    Tech {
        layer: String,
        group: Option<String>,
        description: Option<String>,
        used_by: Vec<String>,
    },
    Qa {
        question: String,
        answer: String,
    },
    Reading {
        url: String,
        section: String,
        topic: Option<String>,
    },
    Note,
    Article {
        article: String,
        heading: String,
    },
}

impl StoredEntry {
    pub(super) fn of(e: &Entry) -> StoredEntry {
        let detail = match &e.detail {
            Detail::Stack {
                company_id,
                layers,
                links,
                remark,
            } => StoredDetail::Stack {
                company_id: company_id.clone(),
                layers: layers
                    .iter()
                    .map(|g| {
                        let items = g
                            .items
                            .iter()
                            .map(|i| (i.raw.clone(), i.tech.clone(), i.qualifier.clone()))
                            .collect();
                        (g.layer.key().to_string(), items)
                    })
                    .collect(),
                links: links
                    .iter()
                    .map(|l| (l.title.clone(), l.url.clone()))
                    .collect(),
                remark: remark.clone(),
            },
            Detail::Tech {
                layer,
                group,
                description,
                used_by,
            } => StoredDetail::Tech {
                layer: layer.key().to_string(),
                group: group.clone(),
                description: description.clone(),
                used_by: used_by.clone(),
            },
            Detail::Qa { question, answer } => StoredDetail::Qa {
                question: question.clone(),
                answer: answer.clone(),
            },
            Detail::Reading {
                url,
                section,
                topic,
            } => StoredDetail::Reading {
                url: url.clone(),
                section: section.clone(),
                topic: topic.clone(),
            },
            Detail::Note {} => StoredDetail::Note,
            Detail::Article { article, heading } => StoredDetail::Article {
                article: article.clone(),
                heading: heading.clone(),
            },
        };
        StoredEntry {
            id: e.id.clone(),
            kind: e.kind.as_str().to_string(),
            title: e.title.clone(),
            text: e.text.clone(),
            company: e.company.clone(),
            technologies: e.technologies.clone(),
            sources: e.sources.clone(),
            aliases: e.aliases.clone(),
            detail,
        }
    }

    /// The entry back; `None` when a kind or layer name is unknown (a newer layout).
    pub(super) fn entry(self) -> Option<Entry> {
        let layer = |k: &str| Layer::parse(k);
        let detail = match self.detail {
            StoredDetail::Stack {
                company_id,
                layers,
                links,
                remark,
            } => Detail::Stack {
                company_id,
                layers: layers
                    .into_iter()
                    .map(|(l, items)| {
                        Some(LayerGroup {
                            layer: layer(&l)?,
                            items: items
                                .into_iter()
                                .map(|(raw, tech, qualifier)| StackItem {
                                    raw,
                                    tech,
                                    qualifier,
                                })
                                .collect(),
                        })
                    })
                    .collect::<Option<Vec<_>>>()?,
                links: links
                    .into_iter()
                    .map(|(title, url)| Link { title, url })
                    .collect(),
                remark,
            },
            StoredDetail::Tech {
                layer: l,
                group,
                description,
                used_by,
            } => Detail::Tech {
                layer: layer(&l)?,
                group,
                description,
                used_by,
            },
            StoredDetail::Qa { question, answer } => Detail::Qa { question, answer },
            StoredDetail::Reading {
                url,
                section,
                topic,
            } => Detail::Reading {
                url,
                section,
                topic,
            },
            StoredDetail::Note => Detail::Note {},
            StoredDetail::Article { article, heading } => Detail::Article { article, heading },
        };
        Some(Entry {
            id: self.id,
            kind: Kind::parse(&self.kind)?,
            title: self.title,
            text: self.text,
            company: self.company,
            technologies: self.technologies,
            sources: self.sources,
            aliases: self.aliases,
            detail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_entry_reads_back_as_it_was_stored() {
        let k = archie_knowledge::Knowledge::load(&std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../knowledge"
        )))
        .unwrap();
        let mut seen = std::collections::HashSet::new();
        for e in &k.entries {
            let json = serde_json::to_vec(&StoredRow::Live(Box::new(StoredEntry::of(e)))).unwrap();
            let StoredRow::Live(back) = serde_json::from_slice(&json).unwrap() else {
                panic!("not live")
            };
            assert_eq!(back.entry().as_ref(), Some(e));
            seen.insert(e.kind);
        }
        assert!(seen.len() >= 5, "{seen:?}");
    }
}
