//! A form as a Discord modal (type 9): one text input per row, at most five.

use super::limits::{self, measure};
use super::notice_text;
use super::wire::{self, InputRow, Modal, Response, ResponseData, TextInput};
use crate::custom_id;
use crate::stash::Stash;
use archie_core::reply::Form;

/// `id`: the form's id when the caller made it (a conversation's, which carries its
/// context), else made from what the form submits.
pub(super) fn modal(form: &Form, stash: &Stash, id: Option<&str>) -> Response {
    let id = match id {
        Some(id) => id.to_string(),
        None => custom_id::form(&form.submit, stash),
    };
    if measure(&id) > limits::CUSTOM_ID {
        return notice_text("That form cannot be shown on Discord; use the `archie kb` CLI.");
    }
    let components = form
        .fields
        .iter()
        .map(|f| InputRow {
            kind: 1,
            components: vec![TextInput {
                kind: 4,
                custom_id: f.key.as_str().to_string(),
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
        data: Some(ResponseData::Modal(Modal {
            custom_id: id,
            title: form.title.clone(),
            components,
        })),
    })
}
