//! Answer quality as a member meets it: a question set scored through the `/ask` command
//! itself (the same `execute` a transport calls, with the first page of five results), not
//! through the search engine underneath it.

use crate::app::App;
use crate::commands::{execute, Caller, Command};
use crate::reply::Data;
use archie_search::conversation::Context;
use archie_search::eval::{score_with, Conversation, EvalQuestion, Scores};
use archie_search::SearchResult;

/// The results `/ask question` shows first, best first (at most five), as a caller from
/// no server sees them.
pub fn ask_results(app: &App, question: &str) -> Vec<SearchResult> {
    let ask = Command::Ask {
        question: question.to_string(),
        page: 0,
        per_page: 5,
    };
    match execute(app, &Caller::default(), &ask).data {
        Some(Data::Search(s)) => s.results,
        _ => Vec::new(),
    }
}

/// `questions` scored on what `/ask` answers.
pub fn score(app: &App, questions: &[EvalQuestion]) -> Scores {
    score_with(questions, |q| ask_results(app, q))
}

/// The standalone question `question` asks after the `earlier` questions of its
/// conversation (oldest first).
pub fn in_context(app: &App, earlier: &[String], question: &str) -> String {
    let mut ctx = Context::default();
    for turn in earlier {
        ctx = app.engine.follow(&ctx, turn).1;
    }
    app.engine.follow(&ctx, question).0
}

/// The question a conversation's last turn asks: in the context of the turns before it
/// (`context`), or on its own.
pub fn last_question(app: &App, c: &Conversation, context: bool) -> String {
    match c.turns.split_last() {
        None => String::new(),
        Some((last, before)) if context => in_context(app, before, last),
        Some((last, _)) => last.clone(),
    }
}

/// `conversations` scored on what `/ask` answers to their last turn, with or without the
/// context of the turns before it.
pub fn score_conversations(app: &App, conversations: &[Conversation], context: bool) -> Scores {
    let questions: Vec<EvalQuestion> = conversations
        .iter()
        .map(|c| EvalQuestion {
            id: c.id.clone(),
            cat: c.cat.clone(),
            q: last_question(app, c, context),
            expect: c.expect.clone(),
        })
        .collect();
    score(app, &questions)
}
