//! `/quiz question [company|technology|topic]`: a multiple-choice question drawn from what
//! the server's knowledge says, answered once per member with a button; the answer says
//! right or wrong, the fact with its source, and how many got it right. `/quiz
//! leaderboard`: the server's best, by name, pinging nobody. Quizzes and answers are kept
//! in the store, so buttons and scores survive a restart.

use super::{company_arg, tech_arg, Caller, Command, QuizSubject};
use crate::app::App;
use crate::reply::{links, plain, Action, Block, ButtonStyle, Data, Reply, Status};
use archie_knowledge::quiz::{About, Facts};
use archie_knowledge::typed_stack::layer_named;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// Members shown on the leaderboard.
const LEADERS: i64 = 10;
const LETTERS: [&str; 4] = ["A", "B", "C", "D"];

fn no_store() -> Reply {
    Reply::new(Status::Failed, "Quizzes are off")
        .summary("This Archie runs without a store, so it cannot keep quizzes or scores.")
}

pub fn question(app: &App, caller: &Caller, on: &QuizSubject) -> Reply {
    let Some(store) = app.store.as_ref() else {
        return no_store();
    };
    let k = app.engine.knowledge();
    let about = match on {
        QuizSubject::Company(company) => match company_arg(app, company) {
            Ok(c) => About::Company(c),
            Err(r) => return *r,
        },
        QuizSubject::Technology(tech) => match tech_arg(app, tech) {
            Ok(t) => About::Tech(t),
            Err(r) => return *r,
        },
        QuizSubject::Topic(topic) => match layer_named(topic) {
            Some(l) => About::Layer(l),
            None => {
                return Reply::invalid(format!(
                    "No topic '{}'; try data stores, caching, queues, search, languages, \
                     monitoring or deployment.",
                    archie_text::truncate_words(topic, 40)
                ))
            }
        },
        QuizSubject::Anything => About::Anything,
    };
    let facts = Facts::gather(k, app.engine.visible(caller.guild).iter());
    let mut rng = StdRng::from_rng(&mut rand::rng());
    let Some(q) = facts.question(about, &mut rng) else {
        return Reply::new(Status::NotFound, "No quiz on that yet").summary(
            "Archie knows too little about that to ask a fair question; try another, or \
             /quiz question with no option.",
        );
    };
    let id = match store.new_quiz(caller.guild.unwrap_or(0), &q) {
        Ok(id) => id,
        Err(e) => return super::kb::store_error(e),
    };
    let mut r = Reply::new(Status::Answer, q.prompt.clone());
    r.summary = Some(
        "Pick one. Everyone here may answer once; only you see whether you were right.".into(),
    );
    for (i, c) in q.choices.iter().enumerate() {
        r.blocks.push(Block::new(LETTERS[i], plain(c.clone())));
        r.actions.push(Action {
            label: format!("{}. {}", LETTERS[i], archie_text::truncate_words(c, 70)),
            style: ButtonStyle::Secondary,
            run: Command::QuizAnswer {
                quiz: id,
                choice: i,
            },
        });
    }
    r.data = Some(Data::Quiz(crate::reply::data::Quiz {
        quiz: id,
        prompt: q.prompt,
        choices: q.choices,
    }));
    r
}

pub fn answer(app: &App, caller: &Caller, quiz: i64, choice: usize) -> Reply {
    let Some(store) = app.store.as_ref() else {
        return no_store();
    };
    let Some(member) = caller.actor.as_ref() else {
        return Reply::refused("Archie could not tell who you are, so the answer was not kept.");
    };
    let o = match store.answer_quiz(caller.guild.unwrap_or(0), quiz, member, choice) {
        Ok(o) => o,
        Err(e) => return super::kb::store_error(e),
    };
    let right = o.choice == o.question.answer;
    let title = match (o.first, right) {
        (true, true) => "✅ Right!".to_string(),
        (true, false) => "❌ Not this time".to_string(),
        (false, _) => format!(
            "You already answered {}",
            LETTERS.get(o.choice).copied().unwrap_or("?")
        ),
    };
    let mut r = Reply::new(Status::Answer, title);
    r.summary = Some(format!(
        "The answer is {}. {} of {} got it right.",
        o.question.choices[o.question.answer], o.right, o.answered
    ));
    r.blocks.push(
        Block::new(o.question.prompt.clone(), plain(o.question.fact.clone()))
            .sources(links(std::slice::from_ref(&o.question.source))),
    );
    r.ephemeral = true;
    r
}

pub fn leaderboard(app: &App, caller: &Caller) -> Reply {
    let Some(store) = app.store.as_ref() else {
        return no_store();
    };
    let Some(g) = caller.guild else {
        return Reply::invalid("Scores are kept per server; ask in the server.");
    };
    let scores = match store.leaderboard(g, LEADERS) {
        Ok(s) => s,
        Err(e) => return super::kb::store_error(e),
    };
    let mut r = Reply::new(Status::Answer, "Quiz leaderboard");
    if scores.is_empty() {
        r.summary = Some("Nobody has a right answer yet; start with /quiz question.".into());
    }
    let lines: Vec<String> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "{}. {} — {} right of {}",
                i + 1,
                s.name,
                s.right,
                s.answered
            )
        })
        .collect();
    if !lines.is_empty() {
        r.blocks
            .push(Block::new("Most right answers", plain(lines.join("\n"))));
    }
    r.data = Some(Data::Leaderboard(scores));
    r
}
