//! Every id Archie puts on a button or a form, and reading them back: the one place that
//! knows their format. A button's id carries the command it runs, so a click works after a
//! restart and on either transport: `<command>:<page>:<argument>` (the page of a paged
//! answer, or the screen of a long one). An argument too long for Discord's 100
//! characters is kept in the process's [`Stash`] and the id carries its key instead
//! (`<command>~:<page>:<key>`); nothing is ever read back from what a member sees.
//!
//! `/kb`: `kbh:<page>:<id>` pages a history (`id` empty for the whole server),
//! `kbrm:<id>` confirms a removal, `kbimp:<actor>.<time>.<file>` confirms an import
//! (stashed but for the smallest files),
//! `kbform:add:<kind>` and `kbform:edit:<id>` are the entry forms. An id only says what to
//! do: rights and scope are checked again for every click and every submitted form.

use super::definitions as def;
use super::{ASK_PER_PAGE, READ_PER_PAGE};
use crate::stash::Stash;
use archie_core::commands::kb::ImportPreview;
use archie_core::commands::{Command, KbCommand};
use archie_core::reply::Submit;
use archie_knowledge::Kind;
use archie_store::Vote;

const MAX_ID: usize = 100;
/// Pages beyond this are not real (results are capped far lower); refuse them early.
const MAX_PAGE: usize = 1000;
const HISTORY: &str = "kbh";
const REMOVE: &str = "kbrm";
const IMPORT: &str = "kbimp";
const FORM_ADD: &str = "kbform:add:";
const FORM_EDIT: &str = "kbform:edit:";
const QUIZ: &str = "quiz";
const UP: &str = "vote+";
const DOWN: &str = "vote-";
const MISSING: &str = "missing";
const GAPS: &str = "kbgaps";
const ANSWER_GAP: &str = "kbgap";
const DISMISS_GAP: &str = "kbdis";
const REVIEW: &str = "kbrev";
const APPROVE: &str = "kbok";
const REJECT: &str = "kbno";
const FORM_GAP: &str = "kbform:gap:";
const FORM_PROPOSE: &str = "kbform:padd:";
const FORM_PROPOSE_EDIT: &str = "kbform:pedit:";
const FORM_MISSING: &str = "kbform:miss:";
const FORM_REJECT: &str = "kbform:reject:";
/// A conversation's Follow up button, and the form it opens (see [`follow_up`]).
const FOLLOW_UP: &str = "fu";
const FOLLOW_UP_FORM: &str = "fuq";
const SOLVED: &str = "solved";
/// Marks a name whose argument is a [`Stash`] key.
const STASHED: char = '~';

/// The command's name in ids, its argument, and the label of that argument in footers.
fn parts(cmd: &Command) -> Option<(&'static str, String, &'static str)> {
    Some(match cmd {
        Command::Ask { question, .. } => (def::ASK, question.clone(), "Asked: "),
        Command::Read { topic, .. } => (def::READ, topic.clone(), "Topic: "),
        Command::Stack { company } => (def::STACK, company.clone(), "Company: "),
        Command::Uses { tech } => (def::USES, tech.clone(), "Technology: "),
        Command::WhatIs { tech } => (def::WHATIS, tech.clone(), "Technology: "),
        Command::Compare { first, second } => (
            def::COMPARE,
            format!("{} | {}", escape_bar(first), escape_bar(second)),
            "Companies: ",
        ),
        Command::Help => (def::HELP, String::new(), ""),
        Command::Kb(KbCommand::History { id, .. }) => {
            (HISTORY, id.clone().unwrap_or_default(), "Entry: ")
        }
        Command::Kb(KbCommand::Remove {
            id,
            confirmed: true,
        }) => (REMOVE, id.clone(), ""),
        Command::Kb(KbCommand::ConfirmImport { preview: p }) => {
            (IMPORT, format!("{}.{}.{}", p.actor, p.at, p.json), "")
        }
        Command::Kb(KbCommand::Vote { ask, vote }) => (
            match vote {
                Vote::Up => UP,
                Vote::Down => DOWN,
            },
            ask.to_string(),
            "",
        ),
        Command::Kb(KbCommand::MissingForm { ask }) => (MISSING, ask.to_string(), ""),
        Command::Kb(KbCommand::Gaps { .. }) => (GAPS, String::new(), ""),
        Command::Kb(KbCommand::AnswerForm { gap }) => (ANSWER_GAP, gap.to_string(), ""),
        Command::Kb(KbCommand::DismissGap { gap }) => (DISMISS_GAP, gap.to_string(), ""),
        Command::Kb(KbCommand::Review { .. }) => (REVIEW, String::new(), ""),
        Command::Kb(KbCommand::Approve { proposal }) => (APPROVE, proposal.to_string(), ""),
        Command::Kb(KbCommand::RejectForm { proposal }) => (REJECT, proposal.to_string(), ""),
        Command::Kb(_) => return None,
        Command::QuizAnswer { quiz, choice } => (QUIZ, format!("{quiz}.{choice}"), ""),
        Command::Quiz { .. } | Command::Leaderboard => return None,
        // A conversation's ids are made by [`follow_up`], with its context.
        Command::FollowUp { .. } | Command::FollowUpForm { .. } => return None,
    })
}

/// Whether the id has no page: a confirmation or a choice runs once.
fn unpaged(name: &str) -> bool {
    matches!(
        name,
        REMOVE | IMPORT | UP | DOWN | MISSING | ANSWER_GAP | DISMISS_GAP | APPROVE | REJECT | QUIZ
    )
}

/// Whether a click on the button of `cmd` replaces the message it sits on (pages, a
/// confirmation, a review step), rather than answering with a message or a form of its
/// own (a vote's thanks, an entry form).
pub fn updates(cmd: &Command) -> bool {
    !matches!(
        cmd,
        Command::QuizAnswer { .. }
            | Command::Kb(
                KbCommand::Vote { .. }
                    | KbCommand::MissingForm { .. }
                    | KbCommand::AnswerForm { .. }
                    | KbCommand::RejectForm { .. }
            )
    )
}

/// A record's id as a button or a form carries it: a positive integer.
fn record_id(arg: &str) -> Option<i64> {
    arg.parse().ok().filter(|n| *n > 0)
}

fn escape_bar(s: &str) -> String {
    s.replace('%', "%25").replace('|', "%7C")
}

fn unescape_bar(s: &str) -> String {
    s.replace("%7C", "|").replace("%25", "%")
}

/// `head` followed by `arg`, or by `arg`'s stash key (and the stashed mark) when the whole
/// would exceed Discord's 100 characters.
fn with_arg(name: &str, rest: &str, arg: &str, stash: &Stash) -> String {
    let full = format!("{name}{rest}{arg}");
    if full.chars().count() <= MAX_ID {
        full
    } else {
        format!("{name}{STASHED}{rest}{}", stash.put(arg))
    }
}

/// The id of a button that runs `cmd` at page (or screen) `n`; `None` for a command no
/// button runs.
pub fn encode(cmd: &Command, n: usize, stash: &Stash) -> Option<String> {
    let (name, arg, _) = parts(cmd)?;
    Some(if unpaged(name) {
        with_arg(name, ":", &arg, stash)
    } else {
        with_arg(name, &format!(":{n}:"), &arg, stash)
    })
}

/// The command and page (or screen) a button asks for. `None` for an id Archie did not
/// make, or whose stashed argument is gone.
pub fn decode(custom_id: &str, stash: &Stash) -> Option<(Command, usize)> {
    let (name, rest) = custom_id.split_once(':')?;
    let (name, stashed) = match name.strip_suffix(STASHED) {
        Some(n) => (n, true),
        None => (name, false),
    };
    let (n, arg) = if unpaged(name) {
        (0, rest)
    } else {
        let (n, arg) = rest.split_once(':')?;
        (n.parse().ok().filter(|p| *p <= MAX_PAGE)?, arg)
    };
    let arg = if stashed {
        stash.get(arg)?
    } else {
        arg.to_string()
    };
    let cmd = match name {
        def::ASK => Command::Ask {
            question: arg,
            page: n,
            per_page: ASK_PER_PAGE,
        },
        def::READ => Command::Read {
            topic: arg,
            page: n,
            per_page: READ_PER_PAGE,
        },
        def::STACK => Command::Stack { company: arg },
        def::USES => Command::Uses { tech: arg },
        def::WHATIS => Command::WhatIs { tech: arg },
        def::COMPARE => {
            let (a, b) = arg.split_once('|')?;
            Command::Compare {
                first: unescape_bar(a.trim()),
                second: unescape_bar(b.trim()),
            }
        }
        def::HELP => Command::Help,
        HISTORY => {
            let id = arg.trim();
            Command::Kb(KbCommand::History {
                id: (!id.is_empty()).then(|| id.to_string()),
                page: n,
            })
        }
        REMOVE if !arg.trim().is_empty() => Command::Kb(KbCommand::Remove {
            id: arg.trim().to_string(),
            confirmed: true,
        }),
        IMPORT => {
            let mut fields = arg.splitn(3, '.');
            let preview = ImportPreview {
                actor: fields.next()?.parse().ok()?,
                at: fields.next()?.parse().ok()?,
                json: fields.next().filter(|j| !j.trim().is_empty())?.to_string(),
            };
            Command::Kb(KbCommand::ConfirmImport { preview })
        }
        QUIZ => {
            let (quiz, choice) = arg.split_once('.')?;
            Command::QuizAnswer {
                quiz: record_id(quiz)?,
                choice: choice
                    .parse()
                    .ok()
                    .filter(|c| *c < archie_knowledge::quiz::CHOICES)?,
            }
        }
        UP | DOWN => Command::Kb(KbCommand::Vote {
            ask: record_id(&arg)?,
            vote: if name == UP { Vote::Up } else { Vote::Down },
        }),
        MISSING => Command::Kb(KbCommand::MissingForm {
            ask: record_id(&arg)?,
        }),
        GAPS if arg.is_empty() => Command::Kb(KbCommand::Gaps { page: n }),
        ANSWER_GAP => Command::Kb(KbCommand::AnswerForm {
            gap: record_id(&arg)?,
        }),
        DISMISS_GAP => Command::Kb(KbCommand::DismissGap {
            gap: record_id(&arg)?,
        }),
        REVIEW if arg.is_empty() => Command::Kb(KbCommand::Review { page: n }),
        APPROVE => Command::Kb(KbCommand::Approve {
            proposal: record_id(&arg)?,
        }),
        REJECT => Command::Kb(KbCommand::RejectForm {
            proposal: record_id(&arg)?,
        }),
        _ => return None,
    };
    Some((cmd, n))
}

/// The id of the form that does `submit`.
pub fn form(submit: &Submit, stash: &Stash) -> String {
    match submit {
        Submit::Add(kind) => format!("{FORM_ADD}{}", kind.as_str()),
        Submit::Edit(id) => with_arg("kbform", ":edit:", id, stash),
        Submit::AnswerGap(gap) => format!("{FORM_GAP}{gap}"),
        Submit::ProposeAdd(kind) => format!("{FORM_PROPOSE}{}", kind.as_str()),
        Submit::ProposeEdit(id) => with_arg("kbform", ":pedit:", id, stash),
        Submit::Missing(ask) => format!("{FORM_MISSING}{ask}"),
        Submit::Reject(proposal) => format!("{FORM_REJECT}{proposal}"),
        // Made with its context by [`follow_up`]; here for a caller with none at hand.
        Submit::FollowUp(c) => format!("{FOLLOW_UP_FORM}:0:0:{}", c.encode()),
    }
}

/// What a submitted form does; `None` for a form Archie did not make.
pub fn decode_form(custom_id: &str, stash: &Stash) -> Option<Submit> {
    if let Some(kind) = custom_id.strip_prefix(FORM_ADD) {
        return Kind::parse(kind).map(Submit::Add);
    }
    if let Some(kind) = custom_id.strip_prefix(FORM_PROPOSE) {
        return Kind::parse(kind).map(Submit::ProposeAdd);
    }
    for (prefix, make) in [
        (FORM_GAP, Submit::AnswerGap as fn(i64) -> Submit),
        (FORM_MISSING, Submit::Missing),
        (FORM_REJECT, Submit::Reject),
    ] {
        if let Some(n) = custom_id.strip_prefix(prefix) {
            return record_id(n).map(make);
        }
    }
    let (id, edit) = if let Some(id) = custom_id.strip_prefix(FORM_EDIT) {
        (id.to_string(), true)
    } else if let Some(id) = custom_id.strip_prefix(FORM_PROPOSE_EDIT) {
        (id.to_string(), false)
    } else if let Some(key) = custom_id.strip_prefix("kbform~:edit:") {
        (stash.get(key)?, true)
    } else {
        (stash.get(custom_id.strip_prefix("kbform~:pedit:")?)?, false)
    };
    let id = id.trim().to_string();
    if id.is_empty() {
        return None;
    }
    Some(if edit {
        Submit::Edit(id)
    } else {
        Submit::ProposeEdit(id)
    })
}

/// The id of "This answered it" under a forum answer: the answer's ask and the post's
/// author, the one member whose click counts (as their 👍).
pub fn solved(ask: i64, author: u64) -> String {
    format!("{SOLVED}:{ask}:{author}")
}

/// `(ask, author)` of a "This answered it" id.
pub fn decode_solved(custom_id: &str) -> Option<(i64, u64)> {
    let (ask, author) = custom_id
        .strip_prefix(SOLVED)?
        .strip_prefix(':')?
        .split_once(':')?;
    Some((record_id(ask)?, author.parse().ok()?))
}

/// Where a conversation's context is: in the id itself, with the minute it was made
/// and a tag of its server, or in the store under a key.
#[derive(Debug, Clone, PartialEq)]
pub enum ConversationId {
    Inline {
        context: archie_search::conversation::Context,
        /// Minutes since the Unix epoch when the answer was made.
        minute: i64,
        /// [`server_tag`] of the server it was made in.
        tag: String,
    },
    Stored(i64),
}

/// A short tag of a server (`0` outside one), so an id made in one server is not read
/// as a conversation of another.
pub fn server_tag(guild: Option<u64>) -> String {
    match guild {
        None => "0".into(),
        Some(g) => format!("{:x}", g.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40),
    }
}

/// The id of a Follow up button (`form: false`) or of the form it opens (`form: true`):
/// `fu:<minute>:<server tag>:<context>` when that fits Discord's 100 characters, else
/// `None` (the context then goes to the store: [`follow_up_stored`]).
pub fn follow_up(
    form: bool,
    context: &archie_search::conversation::Context,
    minute: i64,
    guild: Option<u64>,
) -> Option<String> {
    let id = inline(form, context, minute, &server_tag(guild));
    (id.chars().count() <= MAX_ID).then_some(id)
}

fn inline(
    form: bool,
    context: &archie_search::conversation::Context,
    minute: i64,
    tag: &str,
) -> String {
    let name = if form { FOLLOW_UP_FORM } else { FOLLOW_UP };
    format!("{name}:{minute}:{tag}:{}", context.encode())
}

/// The id of the form a Follow up button of `conversation` opens: the same conversation,
/// where the button had it.
pub fn follow_up_form(conversation: &ConversationId) -> String {
    match conversation {
        ConversationId::Inline {
            context,
            minute,
            tag,
        } => inline(true, context, *minute, tag),
        ConversationId::Stored(key) => follow_up_stored(true, *key),
    }
}

/// The id of a Follow up button or form whose context is in the store under `key`.
pub fn follow_up_stored(form: bool, key: i64) -> String {
    let name = if form { FOLLOW_UP_FORM } else { FOLLOW_UP };
    format!("{name}{STASHED}:{key}")
}

/// A conversation's id read back: whether it is the form's, and where its context is.
/// `None` for any other id.
pub fn decode_follow_up(custom_id: &str) -> Option<(bool, ConversationId)> {
    let (name, rest) = custom_id.split_once(':')?;
    let (name, stored) = match name.strip_suffix(STASHED) {
        Some(n) => (n, true),
        None => (name, false),
    };
    let form = match name {
        FOLLOW_UP => false,
        FOLLOW_UP_FORM => true,
        _ => return None,
    };
    if stored {
        return Some((form, ConversationId::Stored(rest.parse().ok()?)));
    }
    let mut f = rest.splitn(3, ':');
    let minute = f.next()?.parse().ok()?;
    let tag = f.next()?.to_string();
    let context = archie_search::conversation::Context::decode(f.next()?)?;
    Some((
        form,
        ConversationId::Inline {
            context,
            minute,
            tag,
        },
    ))
}

/// The footer of a paged message: the page, and the argument in readable form (for the
/// reader only: ids never read it back). `@` and `<` are followed by a zero-width space so
/// the footer never reads as a mention.
pub fn footer(cmd: &Command, page: usize, pages: usize) -> String {
    let (_, arg, label) = parts(cmd).unwrap_or(("", String::new(), ""));
    let arg = archie_text::truncate_words(&arg, 1500)
        .replace('@', "@\u{200B}")
        .replace('<', "<\u{200B}");
    if arg.is_empty() || label.is_empty() {
        format!("Page {} of {pages}", page + 1)
    } else {
        format!("Page {} of {pages} · {label}{arg}", page + 1)
    }
}

#[cfg(test)]
mod tests;
