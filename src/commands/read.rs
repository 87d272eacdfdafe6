//! `/read TOPIC`: reading-list links on a topic, best first.

use super::Ctx;
use super::MAX_RESULTS;
use crate::app::App;
use crate::knowledge::Kind;
use crate::reply::{links, Block, Paging, Reply, Status};

pub fn run(app: &App, ctx: &Ctx, topic: &str, page: usize, per_page: usize) -> Reply {
    let t = topic.trim();
    if t.is_empty() {
        return Reply::invalid("Give a topic, for example: consistent hashing.");
    }
    let per_page = per_page.clamp(1, MAX_RESULTS);
    let answer = app
        .engine
        .search_in(t, MAX_RESULTS, &[Kind::Reading], ctx.guild);
    if answer.results.is_empty() {
        let mut r = Reply::new(Status::NotFound, "Nothing to read on that yet");
        r.summary = Some(format!("No reading-list link matches '{}'. Try a broader topic such as caching, sharding or microservices.", crate::text::truncate_words(t, 60)));
        r.suggestions = answer.suggestions;
        r.data = serde_json::json!({"query": t, "results": []});
        return r;
    }
    let pages = answer.results.len().div_ceil(per_page);
    let page = page.min(pages - 1);
    let shown = &answer.results[page * per_page..((page + 1) * per_page).min(answer.results.len())];
    let mut r = Reply::new(
        Status::Answer,
        format!("Reading on {}", crate::text::truncate_words(t, 100)),
    );
    for res in shown {
        r.blocks.push(Block {
            heading: res.title.clone(),
            tag: res.company.clone(),
            body: res.parts.clone(),
            sources: links(&res.sources),
        });
    }
    if pages > 1 {
        r.paging = Some(Paging {
            page,
            pages,
            key: "read".into(),
        });
    }
    r.data = serde_json::json!({"query": t, "results": shown});
    r
}
