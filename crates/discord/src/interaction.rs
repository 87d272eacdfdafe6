//! Parses a serenity `Interaction` (from the gateway or a verified HTTP body) into what
//! Archie should do: a typed [`Command`] with its delivery options, an autocomplete
//! lookup, a PING, or a polite refusal. The one parsing path for both transports:
//! slash commands, buttons and form submissions all become a [`Run`] of a [`Command`]
//! (`/kb`'s options and forms are read in [`super::kb`], ids in [`super::custom_id`]).

use super::autocomplete::Names;
use super::definitions as def;
use super::{custom_id, kb, ASK_PER_PAGE, READ_PER_PAGE};
use crate::stash::Stash;
use archie_core::commands::{Command, QuizSubject};
use serenity::all::{
    CommandDataOption, CommandDataOptionValue, CommandInteraction, CommandType,
    ComponentInteraction, ComponentInteractionDataKind, Interaction, MessageFlags,
};

/// What an interaction asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Ping,
    Run(Run),
    /// `/kb import`: the attached file must be fetched before the command can run.
    Import(ImportFile),
    Autocomplete {
        names: Names,
        typed: String,
    },
    /// Autocomplete on an option Archie does not complete: an empty list (Discord expects
    /// a choices response to every autocomplete, never a message).
    NoChoices,
    /// A conversation's Follow up button (`question: None`: open the form) or its
    /// submitted form; the context is read ([`super::conversation::resolve`]) before it
    /// runs.
    FollowUp {
        conversation: custom_id::ConversationId,
        question: Option<String>,
        /// The conversation is on a message only its asker sees: so is what follows.
        private: bool,
    },
    /// Not something Archie answers; the text says why.
    Refuse(String),
}

/// The file attached to `/kb import`, as Discord describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportFile {
    pub url: String,
    /// Size in bytes, as Discord reports it.
    pub size: u64,
    pub filename: String,
}

/// A command to execute and how to deliver its reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub command: Command,
    /// The screen to show (a button's page).
    pub view: usize,
    /// The member named by `for:`.
    pub mention: Option<u64>,
    pub private: bool,
    /// A button click: update the message it sits on.
    pub update: bool,
}

impl Run {
    /// A command typed by the member: a new message, no options.
    pub fn of(command: Command) -> Run {
        Run {
            command,
            view: 0,
            mention: None,
            private: false,
            update: false,
        }
    }
}

/// What `i` asks for; `stash` holds the arguments too long for a button's id.
pub fn parse(i: &Interaction, stash: &Stash) -> Incoming {
    match i {
        Interaction::Ping(_) => Incoming::Ping,
        Interaction::Command(c) if c.data.name == def::KB => kb::slash(c),
        Interaction::Command(c) if c.data.kind == CommandType::Message => find_answer(c),
        Interaction::Command(c) if c.data.name == def::QUIZ => quiz(c),
        Interaction::Command(c) => slash(c),
        Interaction::Autocomplete(c) => autocomplete(c),
        Interaction::Component(c) => button(c, stash),
        Interaction::Modal(m) => kb::modal(m, stash),
        _ => Incoming::Refuse("Archie doesn't handle that kind of interaction.".into()),
    }
}

pub(super) fn string(opts: &[CommandDataOption], name: &str) -> String {
    opts.iter()
        .find(|o| o.name == name)
        .and_then(|o| match &o.value {
            CommandDataOptionValue::String(s) => Some(s.clone()),
            CommandDataOptionValue::Autocomplete { value, .. } => Some(value.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

pub(super) fn boolean(opts: &[CommandDataOption], name: &str) -> Option<bool> {
    opts.iter()
        .find(|o| o.name == name)
        .and_then(|o| match o.value {
            CommandDataOptionValue::Boolean(b) => Some(b),
            _ => None,
        })
}

/// The subcommand a command was given (`/kb add`, `/quiz leaderboard`) and its options.
pub(super) fn subcommand(c: &CommandInteraction) -> Option<(&str, &[CommandDataOption])> {
    c.data.options.first().and_then(|s| match &s.value {
        CommandDataOptionValue::SubCommand(o) => Some((s.name.as_str(), o.as_slice())),
        _ => None,
    })
}

fn slash(c: &CommandInteraction) -> Incoming {
    let o = &c.data.options;
    let command = match c.data.name.as_str() {
        def::ASK => Command::Ask {
            question: string(o, def::QUESTION),
            page: 0,
            per_page: ASK_PER_PAGE,
        },
        def::STACK => Command::Stack {
            company: string(o, def::COMPANY),
        },
        def::USES => Command::Uses {
            tech: string(o, def::TECHNOLOGY),
        },
        def::WHATIS => Command::WhatIs {
            tech: string(o, def::TECHNOLOGY),
        },
        def::COMPARE => Command::Compare {
            first: string(o, def::FIRST),
            second: string(o, def::SECOND),
        },
        def::READ => Command::Read {
            topic: string(o, def::TOPIC),
            page: 0,
            per_page: READ_PER_PAGE,
        },
        def::HELP => Command::Help,
        other => {
            return Incoming::Refuse(format!(
                "Archie doesn't know /{}; try /help.",
                archie_text::truncate_words(other, 32)
            ))
        }
    };
    let private = boolean(o, def::PRIVATE) == Some(true);
    let mention = o
        .iter()
        .find(|x| x.name == def::FOR)
        .and_then(|x| match x.value {
            CommandDataOptionValue::User(u) => Some(u.get()),
            _ => None,
        });
    Incoming::Run(Run {
        command,
        view: 0,
        mention,
        private,
        update: false,
    })
}

/// `/quiz question …` or `/quiz leaderboard`.
fn quiz(c: &CommandInteraction) -> Incoming {
    let Some((sub, o)) = subcommand(c) else {
        return Incoming::Refuse("Use /quiz question or /quiz leaderboard.".into());
    };
    let command = match sub {
        def::QUESTION_SUB => Command::Quiz {
            on: QuizSubject::of_options(
                &string(o, def::COMPANY),
                &string(o, def::TECHNOLOGY),
                &string(o, def::TOPIC),
            ),
        },
        def::LEADERBOARD => Command::Leaderboard,
        _ => return Incoming::Refuse("Use /quiz question or /quiz leaderboard.".into()),
    };
    let private = boolean(o, def::PRIVATE) == Some(true);
    Incoming::Run(Run {
        private,
        ..Run::of(command)
    })
}

/// Apps → Find an answer on a message: its question answered as `/ask` would, naming
/// (and pinging) only the message's author.
fn find_answer(c: &CommandInteraction) -> Incoming {
    if c.data.name != def::FIND_ANSWER {
        return Incoming::Refuse("Archie doesn't know that message command.".into());
    }
    let message = c
        .data
        .target_id
        .and_then(|t| c.data.resolved.messages.get(&t.to_message_id()));
    let Some(message) = message else {
        return Incoming::Refuse("Archie could not read that message.".into());
    };
    match super::message_question::question_in(&message.content) {
        Some(question) => Incoming::Run(Run {
            mention: Some(message.author.id.get()),
            ..Run::of(Command::Ask {
                question,
                page: 0,
                per_page: ASK_PER_PAGE,
            })
        }),
        None => Incoming::Refuse(
            "That message holds no question Archie can read (only code, links or mentions).".into(),
        ),
    }
}

fn autocomplete(c: &CommandInteraction) -> Incoming {
    let Some(focused) = c.data.autocomplete() else {
        return Incoming::NoChoices;
    };
    let names = match (c.data.name.as_str(), focused.name) {
        (def::STACK, def::COMPANY) | (def::COMPARE, def::FIRST | def::SECOND) => Names::Companies,
        (def::USES | def::WHATIS, def::TECHNOLOGY) => Names::Technologies,
        (def::KB, def::ID) => Names::Entries,
        (def::QUIZ, def::COMPANY) => Names::Companies,
        (def::QUIZ, def::TECHNOLOGY) => Names::Technologies,
        _ => return Incoming::NoChoices,
    };
    Incoming::Autocomplete {
        names,
        typed: focused.value.to_string(),
    }
}

fn button(c: &ComponentInteraction, stash: &Stash) -> Incoming {
    if !matches!(c.data.kind, ComponentInteractionDataKind::Button) {
        return Incoming::Refuse("Archie doesn't handle that kind of component.".into());
    }
    if let Some((false, conversation)) = custom_id::decode_follow_up(&c.data.custom_id) {
        return Incoming::FollowUp {
            conversation,
            question: None,
            private: c
                .message
                .flags
                .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL)),
        };
    }
    if let Some((ask, author)) = custom_id::decode_solved(&c.data.custom_id) {
        if c.user.id.get() != author {
            return Incoming::Refuse("Only the post's author can mark it answered.".into());
        }
        return Incoming::Run(Run::of(Command::Kb(
            archie_core::commands::KbCommand::Vote {
                ask,
                vote: archie_store::Vote::Up,
            },
        )));
    }
    match custom_id::decode(&c.data.custom_id, stash) {
        Some((command, view)) => Incoming::Run(Run {
            update: custom_id::updates(&command),
            view,
            ..Run::of(command)
        }),
        None => Incoming::Refuse("That button has expired; run the command again.".into()),
    }
}
