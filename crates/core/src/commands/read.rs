//! `/read TOPIC`: reading-list links on a topic, best first.

use super::{result_blocks, search_page, Caller};
use crate::app::App;
use crate::reply::{data, Data, Reply, Status};
use archie_knowledge::Kind;

pub fn run(app: &App, caller: &Caller, topic: &str, page: usize, per_page: usize) -> Reply {
    let t = topic.trim();
    if t.is_empty() {
        return Reply::invalid("Give a topic, for example: consistent hashing.");
    }
    let (answer, page, pages) = match search_page(app, caller, t, &[Kind::Reading], page, per_page)
    {
        Ok(found) => found,
        Err(reply) => return *reply,
    };
    if answer.results.is_empty() {
        let mut r = Reply::new(Status::NotFound, "Nothing to read on that yet");
        r.summary = Some(format!(
            "No reading-list link matches '{}'. Try a broader topic such as caching, sharding or microservices.",
            archie_text::truncate_words(t, 60)
        ));
        r.suggestions = answer.suggestions;
        r.data = Some(Data::Search(data::Search {
            query: t.to_string(),
            results: Vec::new(),
            suggestions: None,
        }));
        return r;
    }
    let mut r = Reply::new(
        Status::Answer,
        format!("Reading on {}", archie_text::truncate_words(t, 100)),
    );
    result_blocks(
        &mut r,
        (app, caller),
        &answer.results,
        |res| res.company.clone(),
        page,
        pages,
    );
    r.data = Some(Data::Search(data::Search {
        query: t.to_string(),
        results: answer.results,
        suggestions: None,
    }));
    r
}
