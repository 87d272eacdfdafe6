//! `qa.toml`, `reading.toml`, `notes.toml` and `articles.toml` into entries. One loader per
//! kind; what they share (company, technologies, sources) is resolved by
//! [`Loader::common`].

use super::loader::{Loader, Resolver, Src};
use super::stacks::trimmed;
use crate::files::{ArticlesFile, NotesFile, QaFile, ReadingFile};
use crate::{Detail, Entry, Kind};

pub(super) fn qa_entries(l: &mut Loader, src: &Src<QaFile>, names: Resolver) -> Vec<Entry> {
    let mut entries = Vec::new();
    for q in &src.data.qa {
        let id = l.id(src, &q.id);
        let question = l.required(src, "question", &q.question);
        let answer = l.required(src, "answer", &q.answer);
        let c = l.common(src, names, q);
        let (title, text) = (question.clone(), answer.clone());
        entries.push(c.entry(id, Kind::Qa, title, text, Detail::Qa { question, answer }));
    }
    entries
}

pub(super) fn reading_entries(
    l: &mut Loader,
    src: &Src<ReadingFile>,
    names: Resolver,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for r in &src.data.reading {
        let id = l.id(src, &r.id);
        let title = l.required(src, "title", &r.title);
        let section = l.required(src, "section", &r.section);
        let url = l.url(src, &r.url);
        let company = r
            .company
            .as_ref()
            .and_then(|c| l.company(src, names, c))
            .map(|c| c.1);
        let topic = trimmed(r.topic.as_ref());
        // The title is indexed and shown on its own; the body says where it sits.
        let mut text = format!("Reading list › {section}");
        if let Some(t) = topic.as_ref().filter(|t| **t != title) {
            text.push_str(&format!(" › {t}"));
        }
        entries.push(Entry {
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
    entries
}

pub(super) fn note_entries(l: &mut Loader, src: &Src<NotesFile>, names: Resolver) -> Vec<Entry> {
    let mut entries = Vec::new();
    for n in &src.data.note {
        let id = l.id(src, &n.id);
        let title = l.required(src, "title", &n.title);
        let text = l.required(src, "text", &n.text);
        let c = l.common(src, names, n);
        entries.push(c.entry(id, Kind::Note, title, text, Detail::Note {}));
    }
    entries
}

pub(super) fn article_entries(
    l: &mut Loader,
    src: &Src<ArticlesFile>,
    names: Resolver,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for a in &src.data.article {
        let id = l.id(src, &a.id);
        let article = l.required(src, "article", &a.article);
        let heading = l.required(src, "heading", &a.heading);
        let text = l.required(src, "text", &a.text);
        let c = l.common(src, names, a);
        let title = format!("{article} — {heading}");
        let detail = Detail::Article { article, heading };
        entries.push(c.entry(id, Kind::Article, title, text, detail));
    }
    entries
}
