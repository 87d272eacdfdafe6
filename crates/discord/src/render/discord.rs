//! Discord rendering: the one place a [`Reply`] becomes an interaction response. Answers
//! become embeds (best result first, matched words in bold, source links), long answers
//! become pages with buttons, errors become one short ephemeral sentence. Every text from
//! the knowledge base or the user is escaped, and every response passes through
//! [`limits::enforce`] before it leaves, so no layout choice can break a Discord limit.
//! A form becomes a modal (`modal.rs`); a file goes out after a deferral, in a followup
//! whose text is made here too.

pub mod limits;
mod modal;
mod refusals;
mod split;
mod text;
pub mod wire;

pub use refusals::{already_answered, is_public_answer, slow_down};

use crate::custom_id;
use crate::stash::Stash;
use archie_core::commands::Command;
use archie_core::reply::{Block, ButtonStyle, Layout, Paging, Reply, Status};
use archie_knowledge::Kind;
use limits::{clip, measure};
use text::{esc, heading, link, links_line, markdown, rich, safe_url};
use wire::{
    AllowedMentions, Author, Button, ButtonRow, Choice, Embed, Field, Footer, Message, Response,
    ResponseData,
};

/// Discord's blurple, so answers look like the app's own.
const COLOR: u32 = 0x5865F2;
/// What a screen of fields may use of the 6000 per message, before title and footer.
const SCREEN_BUDGET: usize = 5200;
/// The longest excerpt of the best result, and of a related one.
const LEAD_CHARS: usize = 2400;
const RELATED_CHARS: usize = 300;
/// The longest error or refusal sentence.
const NOTICE_CHARS: usize = 1000;

/// How a reply is being delivered.
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    /// The command that produced the reply: its buttons run it at another page or screen.
    pub command: &'a Command,
    /// Which screen of an unpaged reply to show (a button's page).
    pub view: usize,
    /// The member named by `for:`; the reply pings only them.
    pub mention: Option<u64>,
    /// Only the asker sees the reply.
    pub private: bool,
    /// A button click: edit the message in place instead of answering anew.
    pub update: bool,
    /// Where button arguments too long for an id are kept.
    pub stash: &'a Stash,
    /// The conversation's id: of the Follow up button under an answer, or of the form
    /// that button opens.
    pub follow_up: Option<&'a str>,
}

/// The response for a command's reply.
pub fn reply(reply: &Reply, delivery: &Delivery) -> Response {
    if reply.status != Status::Answer {
        return notice_reply(reply);
    }
    match &reply.form {
        Some(form) => modal::modal(form, delivery.stash, delivery.follow_up),
        None => limits::enforce(answer(reply, delivery)),
    }
}

/// A reply that is not an answer (an error, a refusal) as one short ephemeral sentence.
pub fn notice_reply(reply: &Reply) -> Response {
    limits::enforce(notice(reply))
}

/// "Thinking…", only to the asker: the answer follows over REST (an export's file).
pub fn deferred() -> Response {
    Response {
        kind: wire::DEFERRED,
        data: Some(ResponseData::Message(Message {
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

/// A short ephemeral sentence (errors outside any command: unknown command, bad button).
pub fn notice_text(text: &str) -> Response {
    limits::enforce(ephemeral(clip(&esc(text), NOTICE_CHARS)))
}

/// PONG, the answer to PING.
pub fn pong() -> Response {
    Response::pong()
}

/// An autocomplete result: `(label, value)` pairs, clamped to Discord's limits.
pub fn choices(items: impl IntoIterator<Item = (String, String)>) -> Response {
    let choices = items
        .into_iter()
        .map(|(name, value)| Choice { name, value })
        .collect();
    limits::enforce(Response {
        kind: wire::AUTOCOMPLETE,
        data: Some(ResponseData::Choices { choices }),
    })
}

fn ephemeral(content: String) -> Response {
    Response {
        kind: wire::MESSAGE,
        data: Some(ResponseData::Message(Message {
            content: Some(content),
            flags: Some(wire::EPHEMERAL),
            ..Default::default()
        })),
    }
}

/// Not an answer: the title and summary as one sentence, with "did you mean" names.
fn notice(reply: &Reply) -> Response {
    let mut text = format!("**{}**", esc(reply.title.trim()));
    if let Some(s) = reply.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        text.push_str(" — ");
        text.push_str(&esc(s.trim()));
    }
    let shown = reply
        .summary
        .as_deref()
        .is_some_and(|s| reply.suggestions.iter().all(|x| s.contains(x.as_str())));
    if !reply.suggestions.is_empty() && !shown {
        let names: Vec<String> = reply.suggestions.iter().map(|s| esc(s)).collect();
        text.push_str(&format!("\nDid you mean: {}?", names.join(", ")));
    }
    ephemeral(clip(&text, NOTICE_CHARS))
}

fn answer(reply: &Reply, delivery: &Delivery) -> Response {
    let footer_room = measure(&custom_id::footer(delivery.command, 99, 99));
    let (mut embed, page, pages) = match (&reply.paging, reply.layout) {
        (Some(p), Layout::Results) => (results(reply), p.page, p.pages),
        (Some(p), Layout::Sections) => {
            let budget = SCREEN_BUDGET.saturating_sub(footer_room);
            let first = sections(reply, budget).into_iter().next();
            (first.unwrap_or_else(|| bare(reply)), p.page, p.pages)
        }
        (None, Layout::Results) => (results(reply), 0, 1),
        (None, Layout::Sections) => {
            let mut screens = sections(reply, SCREEN_BUDGET.saturating_sub(footer_room));
            let pages = screens.len().max(1);
            let view = delivery.view.min(pages - 1);
            let embed = if screens.is_empty() {
                bare(reply)
            } else {
                screens.swap_remove(view)
            };
            (embed, view, pages)
        }
    };
    embed.color = embed.color.or(Some(COLOR));
    let mut components = Vec::new();
    let actions: Vec<Button> = reply
        .actions
        .iter()
        .filter_map(|a| {
            Some(Button {
                kind: 2,
                style: match a.style {
                    ButtonStyle::Primary => wire::PRIMARY,
                    ButtonStyle::Secondary => wire::SECONDARY,
                    ButtonStyle::Danger => wire::DANGER,
                },
                label: a.label.clone(),
                // An action no id can name is left out rather than shown broken.
                custom_id: custom_id::encode(&a.run, 0, delivery.stash)?,
                disabled: false,
            })
        })
        .collect();
    // Two choices of one item (a gap's answer and dismiss) share a row, two items a row.
    let mut actions = actions.into_iter().peekable();
    while actions.peek().is_some() {
        components.push(ButtonRow {
            kind: 1,
            components: actions.by_ref().take(ACTIONS_PER_ROW).collect(),
        });
    }

    if pages > 1 {
        embed.footer = Some(Footer {
            text: custom_id::footer(delivery.command, page, pages),
        });
        let newest_first = reply.paging.is_some_and(|p: Paging| p.newest_first);
        components.extend(nav(delivery, page, pages, newest_first));
    }
    let public = !((delivery.private || reply.ephemeral) && !delivery.update);
    let mut row = reply
        .feedback
        .filter(|_| public)
        .and_then(|ask| feedback(ask, delivery));
    if let Some(id) = delivery.follow_up.filter(|_| !delivery.update) {
        let button = Button {
            kind: 2,
            style: wire::PRIMARY,
            label: "Follow up".into(),
            custom_id: id.to_string(),
            disabled: false,
        };
        match &mut row {
            Some(r) => r.components.push(button),
            None => {
                row = Some(ButtonRow {
                    kind: 1,
                    components: vec![button],
                })
            }
        }
    }
    components.extend(row);
    let mention = delivery
        .mention
        .filter(|_| !delivery.private && !delivery.update);
    let message = Message {
        content: mention.map(|id| format!("<@{id}>")),
        embeds: vec![embed],
        components,
        allowed_mentions: AllowedMentions {
            parse: Vec::new(),
            users: mention.map(|id| id.to_string()).into_iter().collect(),
        },
        flags: ((delivery.private || reply.ephemeral) && !delivery.update)
            .then_some(wire::EPHEMERAL),
    };
    Response {
        kind: if delivery.update {
            wire::UPDATE
        } else {
            wire::MESSAGE
        },
        data: Some(ResponseData::Message(message)),
    }
}

/// Buttons per row of a reply's actions.
const ACTIONS_PER_ROW: usize = 4;

/// 👍 and 👎 under a public answer; each carries the id of the answer's ask.
fn feedback(ask: i64, delivery: &Delivery) -> Option<ButtonRow> {
    let button = |label: &str, vote| -> Option<Button> {
        Some(Button {
            kind: 2,
            style: wire::SECONDARY,
            label: label.to_string(),
            custom_id: custom_id::encode(
                &archie_core::commands::Command::Kb(archie_core::commands::KbCommand::Vote {
                    ask,
                    vote,
                }),
                0,
                delivery.stash,
            )?,
            disabled: false,
        })
    };
    Some(ButtonRow {
        kind: 1,
        components: vec![
            button("👍 Helpful", archie_store::Vote::Up)?,
            button("👎 Not helpful", archie_store::Vote::Down)?,
        ],
    })
}

/// The title and summary alone, for a reply without blocks.
fn bare(reply: &Reply) -> Embed {
    Embed {
        title: Some(esc(&reply.title)),
        description: reply.summary.as_deref().map(|s| clip(&esc(s), 1500)),
        ..Default::default()
    }
}

/// ◀ and ▶ buttons; their ids run the command at the page (or screen) they lead to.
fn nav(delivery: &Delivery, page: usize, pages: usize, newest_first: bool) -> Option<ButtonRow> {
    let (back, forward) = if newest_first {
        ("◀ Newer", "Older ▶")
    } else {
        ("◀ Previous", "Next ▶")
    };
    let button = |label: &str, to: usize, disabled: bool| -> Option<Button> {
        let cmd = delivery.command.at_page(to);
        Some(Button {
            kind: 2,
            style: wire::SECONDARY,
            label: label.to_string(),
            custom_id: custom_id::encode(
                cmd.as_ref().unwrap_or(delivery.command),
                to,
                delivery.stash,
            )?,
            disabled,
        })
    };
    Some(ButtonRow {
        kind: 1,
        components: vec![
            button(back, page.saturating_sub(1), page == 0)?,
            button(forward, page + 1, page + 1 >= pages)?,
        ],
    })
}

/// Search results: the best one as the embed itself (title linked to its source, its
/// excerpt, its links), the next ones as short fields.
fn results(reply: &Reply) -> Embed {
    let Some((lead, rest)) = reply.blocks.split_first() else {
        return Embed {
            title: Some(esc(&reply.title)),
            description: reply.summary.as_deref().map(esc),
            ..Default::default()
        };
    };
    let mut description = String::new();
    if let Some(s) = reply.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        description.push_str(&esc(s));
        description.push_str("\n\n");
    }
    description.push_str(&rich(&lead.body, LEAD_CHARS));
    let sources = links_line(&lead.sources, 900);
    if !sources.is_empty() {
        description.push_str("\n\n");
        description.push_str(&sources);
    }
    let fields = rest
        .iter()
        .map(|b| {
            // The name is the result's own short title; kind and company open the value.
            let mut value = match author_line(b) {
                Some(line) => format!("*{}*\n", esc(&line)),
                None => String::new(),
            };
            value.push_str(&rich(&b.body, RELATED_CHARS));
            let l = links_line(&b.sources[..b.sources.len().min(2)], 400);
            if !l.is_empty() {
                value.push('\n');
                value.push_str(&l);
            }
            Field {
                name: clip(&esc(&b.heading), 200),
                value,
                inline: false,
            }
        })
        .collect();
    Embed {
        author: author_line(lead).map(|name| Author { name }),
        title: Some(esc(&lead.heading)),
        url: lead.sources.first().map(|l| safe_url(&l.url)),
        description: Some(description),
        fields,
        color: lead.kind.map(kind_colour),
        ..Default::default()
    }
}

/// "Article · Instagram · What Powers Instagram": the kind and company of a result, and
/// the work a passage comes from. Plain text: Discord shows no markdown there.
fn author_line(b: &Block) -> Option<String> {
    let parts: Vec<&str> = [b.tag.as_deref(), b.context.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// One colour per kind of entry, so a glance tells an article from a stack.
fn kind_colour(kind: Kind) -> u32 {
    match kind {
        Kind::Stack => 0x5865F2,
        Kind::Tech => 0x57F287,
        Kind::Qa => 0xFEE75C,
        Kind::Article => 0xEB459E,
        Kind::Note => 0xED9B40,
        Kind::Reading => 0x3BA3D0,
    }
}

/// Everything else: the summary, then one field per block (split when long), packed into
/// as many screens as it takes.
fn sections(reply: &Reply, budget: usize) -> Vec<Embed> {
    let title = esc(&reply.title);
    let description = reply.summary.as_deref().map(|s| clip(&esc(s), 1500));
    let head = measure(&title) + description.as_deref().map_or(0, measure);
    let mut screens: Vec<Vec<Field>> = vec![Vec::new()];
    let mut used = head;
    for f in fields(&reply.blocks) {
        let size = measure(&f.name) + measure(&f.value);
        let full = screens.last().is_some_and(|s| s.len() >= limits::FIELDS);
        if full || (used + size > budget && screens.last().is_some_and(|s| !s.is_empty())) {
            screens.push(Vec::new());
            used = head;
        }
        used += size;
        if let Some(s) = screens.last_mut() {
            s.push(f);
        }
    }
    screens
        .into_iter()
        .map(|fields| Embed {
            title: Some(title.clone()),
            description: description.clone(),
            fields,
            ..Default::default()
        })
        .collect()
}

/// Blocks as fields. A block whose lines are exactly its links' titles becomes a list of
/// links; a run of blocks sharing the same sources shows them once, after the run.
fn fields(blocks: &[Block]) -> Vec<Field> {
    let mut out = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let name = clip(&heading(b), 240);
        let value = if is_link_list(b) {
            b.sources
                .iter()
                .map(|l| format!("• {}", link(l)))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            let mut v = markdown(&b.body);
            let shared_next = blocks
                .get(i + 1)
                .is_some_and(|n| !is_link_list(n) && n.sources == b.sources);
            if !shared_next && !b.sources.is_empty() {
                let shared_prev = i > 0 && blocks[i - 1].sources == b.sources;
                let line = links_line(&b.sources, 1000);
                if shared_prev {
                    push_split(&mut out, name, v);
                    push_split(&mut out, "Sources".into(), line);
                    continue;
                }
                v.push_str("\n↳ ");
                v.push_str(&line);
            }
            v
        };
        push_split(&mut out, name, value);
    }
    out
}

fn push_split(out: &mut Vec<Field>, name: String, value: String) {
    if value.trim().is_empty() {
        return;
    }
    for (n, part) in split::split(&value, limits::FIELD_VALUE)
        .into_iter()
        .enumerate()
    {
        let name = if n == 0 {
            name.clone()
        } else {
            clip(&format!("{name} (continued)"), limits::FIELD_NAME)
        };
        out.push(Field {
            name,
            value: part,
            inline: false,
        });
    }
}

fn is_link_list(b: &Block) -> bool {
    let plain = b.body.plain();
    let lines: Vec<&str> = plain
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    !b.sources.is_empty()
        && lines.len() == b.sources.len()
        && lines
            .iter()
            .zip(&b.sources)
            .all(|(l, s)| *l == s.title.trim())
}
