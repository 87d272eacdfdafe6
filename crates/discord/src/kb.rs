//! `/kb` on Discord: its subcommands and its modal submissions become typed
//! [`KbCommand`]s (ids are decoded in [`super::custom_id`]), and `/kb import` fetches
//! its attached file. Nothing here decides rights: `commands::kb` checks them for every
//! write, from the context [`super::rights`] read off the interaction.

use super::definitions as def;
use super::interaction::{boolean, string, subcommand, ImportFile, Incoming, Run};
use crate::stash::Stash;
use archie_core::commands::kb::{KbCommand, MAX_IMPORT_BYTES};
use archie_core::commands::Command;
use archie_core::reply::{FieldKey, Submit};
use archie_store::validate::RawDraft;
use serenity::all::{
    ActionRowComponent, Attachment, CommandDataOption, CommandDataOptionValue, CommandInteraction,
    ModalInteraction,
};
use std::time::Duration;

/// How long `/kb import` waits for its file: the whole answer must leave within Discord's
/// 3 seconds.
pub const FETCH_TIMEOUT: Duration = Duration::from_millis(2500);

fn kb(command: KbCommand) -> Incoming {
    Incoming::Run(Run::of(Command::Kb(command)))
}

fn integer(opts: &[CommandDataOption], name: &str) -> Option<i64> {
    opts.iter()
        .find(|o| o.name == name)
        .and_then(|o| match o.value {
            CommandDataOptionValue::Integer(n) => Some(n),
            _ => None,
        })
}

/// A `/kb <subcommand>` slash command.
pub fn slash(c: &CommandInteraction) -> Incoming {
    let Some((sub, o)) = subcommand(c) else {
        return Incoming::Refuse("Use /kb with a subcommand, e.g. /kb add.".into());
    };
    let id = || string(o, def::ID).trim().to_string();
    match sub {
        def::ADD => kb(KbCommand::AddForm {
            kind: string(o, def::KIND),
        }),
        def::EDIT => kb(KbCommand::EditForm { id: id() }),
        def::REMOVE => kb(KbCommand::Remove {
            id: id(),
            confirmed: false,
        }),
        def::SHOW => kb(KbCommand::Show { id: id() }),
        def::HISTORY => kb(KbCommand::History {
            id: Some(id()).filter(|s| !s.is_empty()),
            page: 0,
        }),
        def::REVERT => match integer(o, def::REVISION) {
            Some(revision) => kb(KbCommand::Revert { id: id(), revision }),
            None => Incoming::Refuse("Give the revision number shown by /kb history.".into()),
        },
        def::EXPORT if string(o, def::WHAT) == def::WHAT_CURATION => {
            kb(KbCommand::ExportCuration)
        }
        def::EXPORT => kb(KbCommand::Export),
        def::GAPS => kb(KbCommand::Gaps { page: 0 }),
        def::REVIEW => kb(KbCommand::Review { page: 0 }),
        def::PROPOSE => kb(KbCommand::ProposeForm {
            kind: string(o, def::KIND),
            id: id(),
        }),
        def::PROPOSALS => kb(KbCommand::Proposals),
        def::STATS => kb(KbCommand::Stats {
            days: integer(o, def::DAYS).unwrap_or(0),
        }),
        def::WATCH | def::UNWATCH => {
            let channel = o.iter().find(|x| x.name == def::CHANNEL).and_then(|x| match x.value {
                CommandDataOptionValue::Channel(c) => Some(c.get()),
                _ => None,
            });
            match (channel, sub == def::WATCH) {
                (Some(channel), true) => kb(KbCommand::Watch { channel }),
                (Some(channel), false) => kb(KbCommand::Unwatch { channel }),
                (None, _) => Incoming::Refuse("Choose a forum channel.".into()),
            }
        }
        def::ACCEPT_PROPOSALS => match boolean(o, def::ENABLED) {
            Some(open) => kb(KbCommand::AcceptProposals { open }),
            None => Incoming::Refuse("Say whether proposals are on: enabled True or False.".into()),
        },
        def::IMPORT => {
            let file = o
                .iter()
                .find(|x| x.name == def::FILE)
                .and_then(|x| match x.value {
                    CommandDataOptionValue::Attachment(a) => c.data.resolved.attachments.get(&a),
                    _ => None,
                });
            match file {
                Some(a) => Incoming::Import(ImportFile {
                    url: a.url.clone(),
                    size: u64::from(a.size),
                    filename: a.filename.clone(),
                }),
                None => Incoming::Refuse("Attach the JSON file that /kb export wrote.".into()),
            }
        }
        other => Incoming::Refuse(format!(
            "/kb has no '{}'; try /kb add, edit, remove, show, history, revert, export, import, gaps, review, propose, proposals or stats.",
            archie_text::truncate_words(other, 32)
        )),
    }
}

/// A submitted form: `/kb add` or `/kb edit`, the other curation forms, or a follow-up
/// question.
pub fn modal(m: &ModalInteraction, stash: &Stash) -> Incoming {
    let field = |key: FieldKey| -> String {
        m.data
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .find_map(|c| match c {
                ActionRowComponent::InputText(t) if t.custom_id == key.as_str() => {
                    Some(t.value.clone().unwrap_or_default())
                }
                _ => None,
            })
            .unwrap_or_default()
    };
    if let Some((true, conversation)) = super::custom_id::decode_follow_up(&m.data.custom_id) {
        return Incoming::FollowUp {
            conversation,
            question: Some(field(FieldKey::Question)),
            private: m
                .message
                .as_ref()
                .and_then(|msg| msg.flags)
                .is_some_and(|f| f.contains(serenity::all::MessageFlags::EPHEMERAL)),
        };
    }
    let draft = |kind: &str| {
        RawDraft::from_fields(
            kind,
            &field(FieldKey::Title),
            &field(FieldKey::Text),
            &field(FieldKey::Company),
            &field(FieldKey::Technologies),
            &field(FieldKey::Sources),
        )
    };
    match super::custom_id::decode_form(&m.data.custom_id, stash) {
        Some(Submit::Add(kind)) => kb(KbCommand::Submit {
            id: None,
            draft: draft(kind.as_str()),
        }),
        // The kind comes from the entry being edited.
        Some(Submit::Edit(id)) => kb(KbCommand::Submit {
            id: Some(id),
            draft: draft(""),
        }),
        Some(Submit::AnswerGap(gap)) => kb(KbCommand::AnswerGap {
            gap,
            draft: draft("qa"),
        }),
        Some(Submit::ProposeAdd(kind)) => kb(KbCommand::Propose {
            id: None,
            draft: draft(kind.as_str()),
        }),
        Some(Submit::ProposeEdit(id)) => kb(KbCommand::Propose {
            id: Some(id),
            draft: draft(""),
        }),
        Some(Submit::Missing(ask)) => kb(KbCommand::Missing {
            ask,
            note: field(FieldKey::Note),
        }),
        Some(Submit::Reject(proposal)) => kb(KbCommand::Reject {
            proposal,
            reason: field(FieldKey::Note),
        }),
        // Read above, with its conversation.
        Some(Submit::FollowUp(_)) => {
            Incoming::Refuse("That form has expired; run the command again.".into())
        }
        None => Incoming::Refuse("That form has expired; run the command again.".into()),
    }
}

/// Fetches the file attached to `/kb import` (at most [`MAX_IMPORT_BYTES`], within
/// [`FETCH_TIMEOUT`]) and turns it into the import preview command; a refusal when it
/// is too large, unreachable or not UTF-8 text.
pub async fn fetch_import(file: &ImportFile) -> Incoming {
    if file.size > MAX_IMPORT_BYTES as u64 {
        return Incoming::Refuse(format!(
            "That file is too large ({} bytes; at most {MAX_IMPORT_BYTES}).",
            file.size
        ));
    }
    let attachment: Attachment = match serde_json::from_value(serde_json::json!({
        "id": "1", "filename": file.filename, "size": file.size, "url": file.url,
        "proxy_url": file.url,
    })) {
        Ok(a) => a,
        Err(_) => return Incoming::Refuse("Archie could not read that attachment.".into()),
    };
    let bytes = match tokio::time::timeout(FETCH_TIMEOUT, attachment.download()).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "fetching an import file failed");
            return Incoming::Refuse(
                "Archie could not fetch the attached file; try again in a moment.".into(),
            );
        }
        Err(_) => {
            return Incoming::Refuse(
                "Fetching the attached file took too long; try again in a moment.".into(),
            )
        }
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        return Incoming::Refuse(format!(
            "That file is too large ({} bytes; at most {MAX_IMPORT_BYTES}).",
            bytes.len()
        ));
    }
    match String::from_utf8(bytes) {
        Ok(json) => kb(KbCommand::Import { json }),
        Err(_) => Incoming::Refuse(
            "The attached file is not text; attach the JSON file that /kb export wrote.".into(),
        ),
    }
}
