//! Answer quality as a member meets it: a question set scored through the `/ask` command
//! itself (the same `execute` a transport calls, with the first page of five results), not
//! through the search engine underneath it.

use crate::app::App;
use crate::commands::{execute, Caller, Command};
use crate::reply::Data;
use archie_search::eval::{score_with, EvalQuestion, Scores};
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
