//! The typed commands every transport produces, and `execute`, the one dispatcher.
//! One file per command, each with a `run` of the same shape.

mod ask;
mod compare;
mod help;
pub mod kb;
mod quiz;
mod read;
mod stack;
mod uses;
mod whatis;

use crate::app::App;
use crate::reply::{Reply, Status};
pub use kb::KbCommand;

/// Longest name a lookup command accepts (Discord's option values are capped at 100 too).
pub const MAX_NAME_CHARS: usize = 100;
/// Results a follow-up's answer shows: the best and two related, as `/ask` on Discord.
pub const FOLLOW_UP_PER_PAGE: usize = 3;
/// Results a paged answer can reach.
pub const MAX_RESULTS: usize = 15;

/// Who asks and where: a Discord server (guild) or none (a DM, the CLI).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Caller {
    pub guild: Option<u64>,
    /// The member asking, for moderator commands and the audit trail.
    pub actor: Option<archie_store::Actor>,
    /// Whether the member may change the server's knowledge (checked by the transport
    /// from Discord's permissions and `ARCHIE_MODERATOR_ROLES`).
    pub moderator: bool,
    /// Whether the member typed the command (a slash command), not clicked a button of an
    /// earlier answer: only typed questions count as asked.
    pub typed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Ask {
        question: String,
        page: usize,
        per_page: usize,
    },
    Stack {
        company: String,
    },
    Uses {
        tech: String,
    },
    WhatIs {
        tech: String,
    },
    Compare {
        first: String,
        second: String,
    },
    Read {
        topic: String,
        page: usize,
        per_page: usize,
    },
    Help,
    /// `/kb`: a moderator's change to the server's knowledge, or a look at it.
    Kb(KbCommand),
    /// `/quiz question`: about a company, a technology, a topic, or anything.
    Quiz {
        on: QuizSubject,
    },
    /// A quiz's choice button.
    QuizAnswer {
        quiz: i64,
        choice: usize,
    },
    /// `/quiz leaderboard`.
    Leaderboard,
    /// A follow-up question in a conversation (the Follow up form, a reply to an answer).
    FollowUp {
        question: String,
        context: archie_search::conversation::Context,
    },
    /// The Follow up button: the form for a follow-up question.
    FollowUpForm {
        context: archie_search::conversation::Context,
    },
}

impl Command {
    /// The same command showing `page` of its answer (`None` for an unpaged command).
    pub fn at_page(&self, page: usize) -> Option<Command> {
        let mut c = self.clone();
        match &mut c {
            Command::Ask { page: p, .. }
            | Command::Read { page: p, .. }
            | Command::Kb(KbCommand::History { page: p, .. })
            | Command::Kb(KbCommand::Gaps { page: p })
            | Command::Kb(KbCommand::Review { page: p }) => *p = page,
            _ => return None,
        }
        Some(c)
    }
}

/// Runs a command as `caller` sees the knowledge (a server's, or the base knowledge for
/// the CLI and direct messages). Never panics on user input; every failure is a `Reply`.
pub fn execute(app: &App, caller: &Caller, cmd: &Command) -> Reply {
    match cmd {
        Command::Ask {
            question,
            page,
            per_page,
        } => ask::run(app, caller, question, *page, *per_page),
        Command::Stack { company } => stack::run(app, caller, company),
        Command::Uses { tech } => uses::run(app, caller, tech),
        Command::WhatIs { tech } => whatis::run(app, caller, tech),
        Command::Compare { first, second } => compare::run(app, caller, first, second),
        Command::Read {
            topic,
            page,
            per_page,
        } => read::run(app, caller, topic, *page, *per_page),
        Command::Help => help::run(app, caller),
        Command::Kb(kb) => kb::execute(app, caller, kb),
        Command::Quiz { on } => quiz::question(app, caller, on),
        Command::QuizAnswer { quiz, choice } => quiz::answer(app, caller, *quiz, *choice),
        Command::Leaderboard => quiz::leaderboard(app, caller),
        Command::FollowUp { question, context } => {
            ask::follow_up(app, caller, question, context, FOLLOW_UP_PER_PAGE)
        }
        Command::FollowUpForm { context } => ask::follow_up_form(context),
    }
}

/// The company a lookup names, or the reply saying it is unknown (with the closest names).
fn company_arg<'a>(app: &'a App, given: &str) -> Result<&'a archie_knowledge::Company, Box<Reply>> {
    let k = app.engine.knowledge();
    named(&k.companies, "company", given)
}

/// The technology a lookup names, or the reply saying it is unknown (with the closest names).
fn tech_arg<'a>(app: &'a App, given: &str) -> Result<&'a archie_knowledge::Tech, Box<Reply>> {
    let k = app.engine.knowledge();
    named(&k.techs, "technology", given)
}

/// The item of `table` that `given` names, or the reply naming the three closest.
fn named<'a, T: archie_knowledge::Named>(
    table: &'a archie_knowledge::NameTable<T>,
    what: &str,
    given: &str,
) -> Result<&'a T, Box<Reply>> {
    let given = name_arg(what, given)?;
    table.get(&given).ok_or_else(|| {
        let near = table
            .suggest(&given, 3)
            .into_iter()
            .map(|x| x.name().to_string());
        Box::new(unknown(what, &given, near.collect()))
    })
}

/// One page of search results (excerpts cut for that page only): the results shown, the
/// page (a page past the end becomes the last) and the number of pages.
fn search_page(
    app: &App,
    caller: &Caller,
    q: &str,
    kinds: &[archie_knowledge::Kind],
    page: usize,
    per_page: usize,
) -> Result<(archie_search::SearchAnswer, usize, usize), Box<Reply>> {
    let per_page = per_page.clamp(1, MAX_RESULTS);
    let window = |p: usize| p * per_page..(p + 1) * per_page;
    let search = |w| {
        app.engine
            .search_window(q, MAX_RESULTS, kinds, caller.guild, w)
            .map_err(|e| {
                tracing::error!(error = %e, "search failed");
                Box::new(unavailable())
            })
    };
    let mut answer = search(window(page))?;
    let pages = answer.results.len().div_ceil(per_page);
    if pages > 0 && page >= pages {
        answer = search(window(pages - 1))?;
    }
    let page = page.min(pages.saturating_sub(1));
    let w = window(page);
    let end = w.end.min(answer.results.len());
    answer.results = answer.results.drain(w.start.min(end)..end).collect();
    Ok((answer, page, pages))
}

/// The reply when search itself failed: never "I don't know", which would be a lie.
fn unavailable() -> Reply {
    Reply::new(Status::Failed, "Search is unavailable right now").summary(
        "Something went wrong on Archie's side while searching; the error was logged. \
         Please try again in a moment.",
    )
}

/// Results as reply blocks, each tagged by `tag`, plus paging when there are more pages.
fn result_blocks(
    r: &mut Reply,
    (app, caller): (&App, &Caller),
    results: &[archie_search::SearchResult],
    tag: impl Fn(&archie_search::SearchResult) -> Option<String>,
    page: usize,
    pages: usize,
) {
    r.layout = crate::reply::Layout::Results;
    let vis = app.engine.visible(caller.guild);
    for res in results {
        // A passage is headed by its own heading; the article it is from is its context.
        let (heading, context) = match vis.entry(&res.id).map(|e| &e.detail) {
            Some(archie_knowledge::Detail::Article { article, heading }) if heading != article => {
                (heading.clone(), Some(article.clone()))
            }
            _ => (res.title.clone(), None),
        };
        r.blocks.push(crate::reply::Block {
            heading,
            tag: tag(res),
            at: None,
            kind: Some(res.kind),
            context,
            body: res.parts.clone(),
            sources: crate::reply::links(&res.sources),
        });
    }
    if pages > 1 {
        r.paging = Some(crate::reply::Paging {
            page,
            pages,
            newest_first: false,
        });
    }
}

/// Appends the items of `new` that `to` does not hold yet, in order (sources and lines
/// gathered from several entries, each shown once).
fn push_new(to: &mut Vec<String>, new: &[String]) {
    for x in new {
        if !to.contains(x) {
            to.push(x.clone());
        }
    }
}

/// Trims a name argument, refusing empty or oversized input with a clear message.
fn name_arg(what: &str, v: &str) -> Result<String, Box<Reply>> {
    let v = v.trim();
    if v.is_empty() {
        return Err(Box::new(Reply::invalid(format!("Give a {what} name."))));
    }
    if v.chars().count() > MAX_NAME_CHARS {
        return Err(Box::new(Reply::invalid(format!(
            "That {what} name is too long ({} characters; at most {MAX_NAME_CHARS}).",
            v.chars().count()
        ))));
    }
    Ok(v.to_string())
}

/// "no company 'Twiter' — did you mean Twitter?"
fn unknown(what: &str, given: &str, suggestions: Vec<String>) -> Reply {
    let shown = archie_text::truncate_words(given, 60);
    let mut msg = format!("No {what} '{shown}' in Archie's knowledge");
    if suggestions.is_empty() {
        msg.push('.');
    } else {
        msg.push_str(&format!(" — did you mean {}?", suggestions.join(", ")));
    }
    let mut r = Reply::new(crate::reply::Status::Invalid, format!("Unknown {what}"));
    r.summary = Some(msg);
    r.suggestions = suggestions;
    r
}

/// What a quiz question is to be about, as a member named it (resolved by `/quiz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuizSubject {
    Anything,
    Company(String),
    Technology(String),
    /// A layer of a stack, by a word for it ("caching", "data stores").
    Topic(String),
}

impl QuizSubject {
    /// The first of the options a member filled in, in this order: company, technology,
    /// topic; none of them is anything.
    pub fn of_options(company: &str, technology: &str, topic: &str) -> QuizSubject {
        let given = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        if let Some(c) = given(company) {
            QuizSubject::Company(c)
        } else if let Some(t) = given(technology) {
            QuizSubject::Technology(t)
        } else if let Some(t) = given(topic) {
            QuizSubject::Topic(t)
        } else {
            QuizSubject::Anything
        }
    }
}

#[cfg(test)]
mod quiz_subject_tests {
    use super::QuizSubject;

    #[test]
    fn the_first_option_filled_in_is_what_the_quiz_is_about() {
        assert_eq!(QuizSubject::of_options("", " ", ""), QuizSubject::Anything);
        assert_eq!(
            QuizSubject::of_options("  Uber ", "Kafka", "caching"),
            QuizSubject::Company("Uber".into())
        );
        assert_eq!(
            QuizSubject::of_options("", "Kafka", "caching"),
            QuizSubject::Technology("Kafka".into())
        );
        assert_eq!(
            QuizSubject::of_options("", "", " caching"),
            QuizSubject::Topic("caching".into())
        );
    }
}
