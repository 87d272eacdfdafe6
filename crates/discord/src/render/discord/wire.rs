//! The JSON shapes of Discord's interaction responses that Archie sends, as plain serde
//! structs: one set of types for the HTTP endpoint and the gateway (posted as the callback).

use serde::Serialize;

/// `PONG`: the answer to Discord's PING.
pub const PONG: u8 = 1;
/// `CHANNEL_MESSAGE_WITH_SOURCE`: a new message answering the interaction.
pub const MESSAGE: u8 = 4;
/// `DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE`: "thinking…", completed later over REST.
pub const DEFERRED: u8 = 5;
/// `DEFERRED_UPDATE_MESSAGE`: a button's click acknowledged; its message is edited later.
pub const DEFERRED_UPDATE: u8 = 6;
/// `UPDATE_MESSAGE`: edits the message a button sits on.
pub const UPDATE: u8 = 7;
/// `APPLICATION_COMMAND_AUTOCOMPLETE_RESULT`.
pub const AUTOCOMPLETE: u8 = 8;
/// `MODAL`: a form the user fills in; submitting it is a new interaction.
pub const MODAL: u8 = 9;
/// Button styles.
pub const PRIMARY: u8 = 1;
pub const SECONDARY: u8 = 2;
pub const DANGER: u8 = 4;
/// Text input styles: one line, several lines.
pub const SHORT: u8 = 1;
pub const PARAGRAPH: u8 = 2;
/// Message flag: only the user who invoked the interaction sees it.
pub const EPHEMERAL: u64 = 1 << 6;

/// An interaction response: `{"type": 4, "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    #[serde(rename = "type")]
    pub kind: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<ResponseData>,
}

/// A response's `data` (Discord's interaction callback data): a message, autocomplete
/// choices or a modal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ResponseData {
    Message(Message),
    Choices { choices: Vec<Choice> },
    Modal(Modal),
}

/// A modal: a title and up to 5 rows of one text input each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Modal {
    pub custom_id: String,
    pub title: String,
    pub components: Vec<InputRow>,
}

/// An action row (component type 1) holding one text input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputRow {
    #[serde(rename = "type")]
    pub kind: u8,
    pub components: Vec<TextInput>,
}

/// A text input (component type 4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextInput {
    #[serde(rename = "type")]
    pub kind: u8,
    pub custom_id: String,
    pub style: u8,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub max_length: usize,
    pub required: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Message {
    /// Omitted on updates so the original content (a mention) stays as it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    pub embeds: Vec<Embed>,
    pub components: Vec<ButtonRow>,
    pub allowed_mentions: AllowedMentions,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
}

/// `{"parse": []}` pings nobody; `users` lists the only members a reply may ping.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AllowedMentions {
    pub parse: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Embed {
    /// The line above the title: what kind of entry, about whom, from which work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footer: Option<Footer>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Author {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Footer {
    pub text: String,
}

/// An action row (component type 1) of buttons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ButtonRow {
    #[serde(rename = "type")]
    pub kind: u8,
    pub components: Vec<Button>,
}

/// A button (component type 2); style 1 primary, 2 secondary, 4 danger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Button {
    #[serde(rename = "type")]
    pub kind: u8,
    pub style: u8,
    pub label: String,
    pub custom_id: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub name: String,
    pub value: String,
}

impl Response {
    pub fn pong() -> Response {
        Response {
            kind: PONG,
            data: None,
        }
    }

    /// The message inside, if this response carries one.
    pub fn message(&self) -> Option<&Message> {
        match &self.data {
            Some(ResponseData::Message(m)) => Some(m),
            _ => None,
        }
    }
}
