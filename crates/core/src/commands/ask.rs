//! `/ask QUESTION`: the best matching entries with excerpts and sources.

use super::{result_blocks, search_page, Caller};
use crate::app::App;
use crate::reply::{data, Data, FieldKey, Form, FormField, Reply, Status, Submit};
use archie_search::conversation::Context;

/// Longest follow-up question: what `/ask` takes.
pub const MAX_FOLLOW_UP_CHARS: usize = 300;

pub fn run(app: &App, caller: &Caller, question: &str, page: usize, per_page: usize) -> Reply {
    let q = question.trim();
    if q.is_empty() {
        return Reply::invalid("Ask a question, for example: what does Twitter use for backend?");
    }
    let (mut r, described) = answer(app, caller, q, page, per_page);
    if r.status == Status::Answer {
        let first = app
            .engine
            .follow_described(&Context::default(), q, Some(&described));
        r.follow_up = Some(first.1);
    }
    r
}

/// A follow-up question, read in the context of the conversation so far: answered as
/// `/ask` answers the question it stands for, shown with how it was read, and carrying
/// the conversation on. Logged (and counted in `/kb gaps`) as the question it was read
/// as, context included.
pub fn follow_up(
    app: &App,
    caller: &Caller,
    question: &str,
    context: &Context,
    per_page: usize,
) -> Reply {
    let q = question.trim();
    if q.is_empty() {
        return Reply::invalid(
            "Write your follow-up question, for example: and for caching? or why?",
        );
    }
    let (read_as, next) = app.engine.follow(context, q);
    let (mut r, _) = answer(app, caller, &read_as, 0, per_page);
    if r.status == Status::Answer {
        r.title = archie_text::truncate_words(q, 200);
        if read_as != q {
            r.summary = Some(format!(
                "Read as: {}",
                archie_text::truncate_words(&read_as, 300)
            ));
        }
        // Another page is another /ask; the answer shows its best page.
        r.paging = None;
        r.follow_up = Some(next);
    }
    r
}

/// The form a Follow up button opens: one line for the question.
pub fn follow_up_form(context: &Context) -> Reply {
    let mut r = Reply::new(Status::Answer, "Follow up");
    r.form = Some(Form {
        submit: Submit::FollowUp(context.clone()),
        title: "Follow up".into(),
        fields: vec![FormField {
            key: FieldKey::Question,
            label: "Your follow-up question".into(),
            value: String::new(),
            long: false,
            required: true,
            max_len: MAX_FOLLOW_UP_CHARS,
        }],
    });
    r
}

/// What `/ask q` answers, page `page`, and the glossary concepts `q` describes.
fn answer(
    app: &App,
    caller: &Caller,
    q: &str,
    page: usize,
    per_page: usize,
) -> (Reply, Vec<(String, f32)>) {
    let (mut answer, page, pages) = match search_page(app, caller, q, &[], page, per_page) {
        Ok(found) => found,
        Err(reply) => return (*reply, Vec::new()),
    };
    let described = std::mem::take(&mut answer.concepts);
    (reply_of(app, caller, q, answer, page, pages), described)
}

/// The reply showing `answer`, page `page` of `pages`.
fn reply_of(
    app: &App,
    caller: &Caller,
    q: &str,
    answer: archie_search::SearchAnswer,
    page: usize,
    pages: usize,
) -> Reply {
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
