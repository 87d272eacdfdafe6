//! `/ask QUESTION`: the best matching entries with excerpts and sources.

use super::{result_blocks, search_page, Caller};
use crate::app::App;
use crate::reply::{data, Data, Reply, Status};

pub fn run(app: &App, caller: &Caller, question: &str, page: usize, per_page: usize) -> Reply {
    let q = question.trim();
    if q.is_empty() {
        return Reply::invalid("Ask a question, for example: what does Twitter use for backend?");
    }
    let (answer, page, pages) = match search_page(app, caller, q, &[], page, per_page) {
        Ok(found) => found,
        Err(reply) => return *reply,
    };
    let ask = super::kb::feedback::record(app, caller, q, &answer.results);
    if answer.results.is_empty() {
        let mut r = Reply::new(Status::NotFound, "I don't know that yet");
        r.summary = Some(
            "Archie knows how real companies build their systems: stacks, technologies, \
             Q&A, architecture articles and a reading list. Try /stack Instagram, \
             /uses redis, /whatis cassandra or /read caching."
                .into(),
        );
        r.suggestions = answer.suggestions.clone();
        r.data = Some(Data::Search(data::Search {
            query: q.to_string(),
            results: Vec::new(),
            suggestions: Some(answer.suggestions),
        }));
        return r;
    }
    let mut r = Reply::new(Status::Answer, archie_text::truncate_words(q, 200));
    let tag = |res: &archie_search::SearchResult| {
        Some(match &res.company {
            Some(c) => format!("{} · {c}", res.kind.label()),
            None => res.kind.label().to_string(),
        })
    };
    result_blocks(&mut r, (app, caller), &answer.results, tag, page, pages);
    r.feedback = ask;
    r.data = Some(Data::Search(data::Search {
        query: q.to_string(),
        results: answer.results,
        suggestions: None,
    }));
    r
}
