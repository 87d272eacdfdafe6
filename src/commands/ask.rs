//! `/ask QUESTION`: the best matching entries with excerpts and sources.

use super::Ctx;
use super::MAX_RESULTS;
use crate::app::App;
use crate::reply::{links, Block, Paging, Reply, Status};

pub fn run(app: &App, ctx: &Ctx, question: &str, page: usize, per_page: usize) -> Reply {
    let q = question.trim();
    if q.is_empty() {
        return Reply::invalid("Ask a question, for example: what does Twitter use for backend?");
    }
    let per_page = per_page.clamp(1, MAX_RESULTS);
    let window = |page: usize| page * per_page..(page + 1) * per_page;
    let mut answer = app
        .engine
        .search_window(q, MAX_RESULTS, &[], ctx.guild, window(page));
    if answer.results.is_empty() {
        let mut r = Reply::new(Status::NotFound, "I don't know that yet");
        r.summary = Some(
            "Archie knows how real companies build their systems: stacks, technologies, \
             Q&A, architecture articles and a reading list. Try /stack Instagram, \
             /uses redis, /whatis cassandra or /read caching."
                .into(),
        );
        r.suggestions = answer.suggestions.clone();
        r.data = serde_json::json!({"query": q, "results": [], "suggestions": answer.suggestions});
        return r;
    }
    let pages = answer.results.len().div_ceil(per_page);
    if page >= pages {
        // A page past the end (an old button): show the last one, with its excerpts.
        answer = app
            .engine
            .search_window(q, MAX_RESULTS, &[], ctx.guild, window(pages - 1));
    }
    let page = page.min(pages - 1);
    let shown = &answer.results[page * per_page..((page + 1) * per_page).min(answer.results.len())];
    let mut r = Reply::new(Status::Answer, crate::text::truncate_words(q, 200));
    for res in shown {
        let tag = match &res.company {
            Some(c) => format!("{} · {c}", res.kind.as_str()),
            None => res.kind.as_str().to_string(),
        };
        r.blocks.push(Block {
            heading: res.title.clone(),
            tag: Some(tag),
            body: res.parts.clone(),
            sources: links(&res.sources),
        });
    }
    if pages > 1 {
        r.paging = Some(Paging {
            page,
            pages,
            key: "ask".into(),
        });
    }
    r.data = serde_json::json!({"query": q, "results": shown});
    r
}
