//! Members rate answers: every question asked in a server is recorded (what the stats
//! count, what the 👍 and 👎 buttons point at), a 👎 or an unanswered question raises a
//! gap, and a 👎 can say what was missing.

use super::{ack, actor, fail, server, store_error, Outcome};
use crate::app::App;
use crate::commands::Caller;
use crate::reply::{Action, ButtonStyle, FieldKey, Form, FormField, Reply, Status, Submit};
use archie_search::SearchResult;
use archie_store::{curation, Signature, Store, Vote};
use sha2::{Digest, Sha256};

/// What a question is about, as the search understands it: the names it mentions and
/// its other content words, stemmed as the index stems them.
pub fn signature(app: &App, question: &str) -> Signature {
    let u = app.engine.understand(question);
    let mut names: Vec<String> = u.companies.clone();
    names.extend(u.techs.iter().map(|t| t.to_lowercase()));
    let mut a = archie_search::index::analyzer();
    let words = [u.residual_words.join(" "), u.unknown_names.join(" ")].join(" ");
    Signature::new(names, archie_search::index::terms(&mut a, &words))
}

/// The same question however it is spaced or cased.
fn question_key(question: &str) -> String {
    let normal = question
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    hex::encode(&Sha256::digest(normal.as_bytes())[..16])
}

/// Records a question asked in the caller's server and returns the id its answer's vote
/// buttons carry: a typed question is a new ask; another page of an answer is the latest
/// ask of the same question. `None` outside a server or without a store (nothing to
/// rate). The answer never waits for the store: the question is queued for the question
/// log ([`crate::app::QuestionLog`]), which drops and counts what it cannot keep.
pub(crate) fn record(
    app: &App,
    caller: &Caller,
    question: &str,
    results: &[SearchResult],
) -> Option<i64> {
    let (Some(g), Some(store)) = (caller.guild, app.store.as_ref()) else {
        return None;
    };
    let qkey = question_key(question);
    if !caller.typed {
        if let Some(id) = app.questions.last(store, g, &qkey) {
            return Some(id);
        }
    }
    let id = curation::new_ask_id();
    let shown: Vec<String> = results.iter().map(|r| r.id.clone()).collect();
    let asked = crate::app::LoggedQuestion {
        id,
        guild: g,
        question: question.to_string(),
        kind: results.first().map(|r| r.kind.as_str().to_string()),
        signature: shown.is_empty().then(|| signature(app, question)),
        shown,
        qkey,
    };
    app.questions.push(store, asked).then_some(id)
}

/// The ask `ask` of the caller's server, or the refusal (a forged or foreign id).
fn ask_of(store: &Store, g: u64, ask: i64) -> Result<curation::AskRecord, Box<Reply>> {
    store
        .ask_record(g, ask)
        .map_err(store_error)?
        .ok_or_else(|| {
            Box::new(Reply::invalid(
                "That answer is not from this server, or no longer known.",
            ))
        })
}

pub(super) fn vote(app: &App, store: &Store, caller: &Caller, ask: i64, vote: Vote) -> Outcome {
    let g = server(caller)?;
    let member = store.member_key(actor(caller)?.id).map_err(store_error)?;
    let a = ask_of(store, g, ask)?;
    if a.shown.is_empty() {
        return fail(Reply::invalid("There is no answer to rate there."));
    }
    let before = store
        .vote(g, ask, &member, vote, || signature(app, &a.question))
        .map_err(store_error)?;
    let mark = match vote {
        Vote::Up => "👍",
        Vote::Down => "👎",
    };
    let title = match before {
        Some(b) if b == vote => format!("You already rated this answer {mark}"),
        Some(_) => format!("Changed your rating to {mark}"),
        None => format!("Thanks, rated {mark}"),
    };
    Ok(match vote {
        Vote::Up => ack(
            title,
            "Your rating helps this server's moderators see what works.",
        ),
        Vote::Down => {
            let mut r = ack(
                title,
                "The question is now in this server's gaps for its moderators. Tell them \
                 what was missing, if you like.",
            );
            r.actions.push(Action::new(
                "What was missing?",
                ButtonStyle::Secondary,
                crate::commands::Command::Kb(super::KbCommand::MissingForm { ask }),
            ));
            r
        }
    })
}

/// The one-field form a member opens after a 👎.
pub(crate) fn note_form(submit: Submit, title: &str, label: &str, required: bool) -> Form {
    Form {
        submit,
        title: archie_text::truncate_words(title, 45),
        fields: vec![FormField {
            key: FieldKey::Note,
            label: label.into(),
            value: String::new(),
            long: true,
            required,
            max_len: curation::MAX_NOTE_CHARS,
        }],
    }
}

pub(super) fn missing_form(store: &Store, caller: &Caller, ask: i64) -> Outcome {
    let g = server(caller)?;
    ask_of(store, g, ask)?;
    let mut r = Reply::new(Status::Answer, "What was missing?");
    r.form = Some(note_form(
        Submit::Missing(ask),
        "What was missing?",
        "What did you hope to find?",
        true,
    ));
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn missing(app: &App, store: &Store, caller: &Caller, ask: i64, note: &str) -> Outcome {
    let g = server(caller)?;
    let member = store.member_key(actor(caller)?.id).map_err(store_error)?;
    let a = ask_of(store, g, ask)?;
    if curation::clean_note(note).is_none() {
        return fail(Reply::invalid("Write what was missing, or close the form."));
    }
    let sig = signature(app, &a.question);
    store
        .vote_note(g, ask, &member, note, &sig)
        .map_err(store_error)?;
    Ok(ack(
        "Thanks, noted",
        "The moderators will see it with the question in /kb gaps.",
    ))
}
