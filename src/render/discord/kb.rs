//! `/kb` replies on Discord: a form becomes a modal (type 9), everything else an
//! ephemeral embed with its confirm buttons and, for a long history, ◀ ▶ buttons whose
//! ids carry the page. An export's file goes out after a deferral (type 5), in a followup
//! whose text is made here too. Every response still passes through [`limits::enforce`].

use super::limits::{self, clip, measure};
use super::text::esc;
use super::wire::{
    self, Button, Data, Embed, Footer, InputRow, Message, Modal, Response, Row, TextInput,
};
use super::{notice, notice_text, sections, COLOR, SCREEN_BUDGET};
use crate::discord::custom_id;
use crate::reply::{ButtonStyle, Form, Reply, Status};

/// The response to a `/kb` reply; `update` edits the message a clicked button sits on.
pub fn reply(reply: &Reply, update: bool) -> Response {
    if reply.status != Status::Answer {
        return limits::enforce(notice(reply));
    }
    if let Some(form) = &reply.form {
        return modal(form);
    }
    limits::enforce(message(reply, update))
}

/// A form as a modal: one text input per row, at most five.
fn modal(form: &Form) -> Response {
    if form.id.is_empty() || measure(&form.id) > limits::CUSTOM_ID {
        return notice_text("That form cannot be shown on Discord; use the `archie kb` CLI.");
    }
    let components = form
        .fields
        .iter()
        .map(|f| InputRow {
            kind: 1,
            components: vec![TextInput {
                kind: 4,
                custom_id: f.id.clone(),
                style: if f.long { wire::PARAGRAPH } else { wire::SHORT },
                label: f.label.clone(),
                value: Some(f.value.clone()),
                max_length: f.max_len,
                required: f.required,
            }],
        })
        .collect();
    limits::enforce(Response {
        kind: wire::MODAL,
        data: Some(Data::Modal(Modal {
            custom_id: form.id.clone(),
            title: form.title.clone(),
            components,
        })),
    })
}

fn message(reply: &Reply, update: bool) -> Response {
    let footer_room = measure("Page 999 of 999");
    let mut embed = sections(reply, SCREEN_BUDGET.saturating_sub(footer_room))
        .into_iter()
        .next()
        .unwrap_or_else(|| Embed {
            title: Some(esc(&reply.title)),
            description: reply.summary.as_deref().map(|s| clip(&esc(s), 1500)),
            ..Default::default()
        });
    embed.color = Some(COLOR);
    let mut components = Vec::new();
    let actions: Vec<Button> = reply
        .buttons
        .iter()
        .map(|b| Button {
            kind: 2,
            style: match b.style {
                ButtonStyle::Primary => wire::PRIMARY,
                ButtonStyle::Secondary => wire::SECONDARY,
                ButtonStyle::Danger => wire::DANGER,
            },
            label: b.label.clone(),
            custom_id: b.id.clone(),
            disabled: false,
        })
        .collect();
    if !actions.is_empty() {
        components.push(Row {
            kind: 1,
            components: actions,
        });
    }
    if let Some(p) = reply.paging.as_ref().filter(|p| p.pages > 1) {
        if let Some(id) = p.key.strip_prefix("kbh:") {
            embed.footer = Some(Footer {
                text: format!("Page {} of {}", p.page + 1, p.pages),
            });
            let button = |label: &str, to: usize, disabled: bool| Button {
                kind: 2,
                style: wire::SECONDARY,
                label: label.to_string(),
                custom_id: custom_id::kb_history(id, to),
                disabled,
            };
            components.push(Row {
                kind: 1,
                components: vec![
                    button("◀ Newer", p.page.saturating_sub(1), p.page == 0),
                    button("Older ▶", p.page + 1, p.page + 1 >= p.pages),
                ],
            });
        }
    }
    Response {
        kind: if update { wire::UPDATE } else { wire::MESSAGE },
        data: Some(Data::Message(Message {
            content: None,
            embeds: vec![embed],
            components,
            allowed_mentions: Default::default(),
            flags: (reply.ephemeral && !update).then_some(wire::EPHEMERAL),
        })),
    }
}

/// "Thinking…", only to the asker: the answer follows over REST (an export's file).
pub fn deferred() -> Response {
    Response {
        kind: wire::DEFERRED,
        data: Some(Data::Message(Message {
            flags: Some(wire::EPHEMERAL),
            ..Default::default()
        })),
    }
}

/// The text sent with a file: the reply's title and summary, escaped, within a message.
pub fn file_text(reply: &Reply) -> String {
    let mut text = format!("**{}**", esc(reply.title.trim()));
    if let Some(s) = reply.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        text.push_str(" — ");
        text.push_str(&esc(s.trim()));
    }
    clip(&text, limits::CONTENT)
}
