//! Discord's hard limits on a response, and `enforce`, the last pass every rendered
//! response goes through: whatever the layout produced, what leaves obeys the limits.
//! Lengths are measured in UTF-16 code units, which is never less than the character
//! count Discord documents, so a text that fits here fits there.

use super::wire::{Button, ButtonRow, Choice, Embed, Message, Modal, Response, ResponseData};

pub const CONTENT: usize = 2000;
pub const EMBEDS: usize = 10;
pub const TITLE: usize = 256;
pub const AUTHOR_NAME: usize = 256;
pub const DESCRIPTION: usize = 4096;
pub const FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
pub const EMBED_TOTAL: usize = 6000;
pub const ROWS: usize = 5;
pub const BUTTONS_PER_ROW: usize = 5;
pub const CUSTOM_ID: usize = 100;
pub const BUTTON_LABEL: usize = 80;
pub const CHOICES: usize = 25;
pub const CHOICE: usize = 100;
pub const URL: usize = 2048;
pub const MODAL_TITLE: usize = 45;
pub const MODAL_ROWS: usize = 5;
pub const INPUT_LABEL: usize = 45;
pub const INPUT_VALUE: usize = 4000;

/// The length Discord could count for `s` (UTF-16 units, ≥ chars).
pub fn measure(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Cuts `s` to at most `max` units, at a word boundary when one is near, marking the cut
/// with `…`. Never leaves a dangling escape backslash or an unclosed `**`.
pub fn clip(s: &str, max: usize) -> String {
    if measure(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    // Room for "…" (1) and a closing "**" (2).
    let budget = max.saturating_sub(3);
    let mut cut = String::new();
    let mut used = 0;
    for c in s.chars() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        cut.push(c);
    }
    if let Some(i) = cut.rfind(char::is_whitespace) {
        if measure(&cut[..i]) * 4 >= budget * 3 {
            cut.truncate(i);
        }
    }
    let mut cut = cut.trim_end().to_string();
    let trailing = cut.chars().rev().take_while(|&c| c == '\\').count();
    if trailing % 2 == 1 {
        cut.pop();
    }
    if cut.matches("**").count() % 2 == 1 {
        cut.push_str("**");
    }
    cut.push('…');
    cut
}

/// Clips a text that Discord requires to be non-empty.
fn non_empty(s: &str, max: usize) -> String {
    let t = clip(s.trim(), max);
    if t.is_empty() {
        "\u{2014}".to_string()
    } else {
        t
    }
}

/// The characters an embed counts toward the 6000-per-message total.
pub fn embed_total(e: &Embed) -> usize {
    e.title.as_deref().map_or(0, measure)
        + e.author.as_ref().map_or(0, |a| measure(&a.name))
        + e.description.as_deref().map_or(0, measure)
        + e.footer.as_ref().map_or(0, |f| measure(&f.text))
        + e.fields
            .iter()
            .map(|f| measure(&f.name) + measure(&f.value))
            .sum::<usize>()
}

/// Makes any response obey every limit.
pub fn enforce(mut r: Response) -> Response {
    match &mut r.data {
        Some(ResponseData::Message(m)) => enforce_message(m),
        Some(ResponseData::Choices { choices }) => enforce_choices(choices),
        Some(ResponseData::Modal(m)) => enforce_modal(m),
        None => {}
    }
    r
}

/// Title and labels within 45, at most 5 rows of one input each, ids within 100, every
/// `max_length` within 1..=4000 and every pre-filled value within its `max_length`.
fn enforce_modal(m: &mut Modal) {
    m.title = non_empty(&m.title, MODAL_TITLE);
    for row in &mut m.components {
        row.kind = 1;
        row.components
            .retain(|t| !t.custom_id.is_empty() && measure(&t.custom_id) <= CUSTOM_ID);
        row.components.truncate(1);
        for t in &mut row.components {
            t.kind = 4;
            t.label = non_empty(&t.label, INPUT_LABEL);
            t.max_length = t.max_length.clamp(1, INPUT_VALUE);
            t.value = t
                .value
                .take()
                .map(|v| clip(&v, t.max_length))
                .filter(|v| !v.is_empty());
        }
    }
    m.components.retain(|r| !r.components.is_empty());
    m.components.truncate(MODAL_ROWS);
}

fn enforce_choices(choices: &mut Vec<Choice>) {
    choices.retain(|c| !c.value.is_empty() && measure(&c.value) <= CHOICE);
    choices.truncate(CHOICES);
    for c in choices.iter_mut() {
        c.name = non_empty(&c.name, CHOICE);
    }
}

fn enforce_message(m: &mut Message) {
    if let Some(c) = &mut m.content {
        *c = clip(c, CONTENT);
    }
    m.embeds.truncate(EMBEDS);
    for e in &mut m.embeds {
        enforce_embed(e);
    }
    // The total across all embeds: drop trailing fields, then trailing embeds, then clip.
    let total = |m: &Message| m.embeds.iter().map(embed_total).sum::<usize>();
    while total(m) > EMBED_TOTAL {
        if let Some(e) = m.embeds.iter_mut().rev().find(|e| !e.fields.is_empty()) {
            e.fields.pop();
        } else if m.embeds.len() > 1 {
            m.embeds.pop();
        } else if let Some(e) = m.embeds.first_mut() {
            let over = embed_total(e).saturating_sub(EMBED_TOTAL);
            let d = e.description.take().unwrap_or_default();
            let keep = measure(&d).saturating_sub(over + 1);
            if keep > 0 {
                e.description = Some(clip(&d, keep));
            }
            if embed_total(e) > EMBED_TOTAL {
                e.footer = None;
                e.title = e.title.take().map(|t| clip(&t, 64));
            }
            break;
        } else {
            break;
        }
    }
    m.components.truncate(ROWS);
    for row in &mut m.components {
        enforce_row(row);
    }
    m.components.retain(|r| !r.components.is_empty());
}

fn enforce_embed(e: &mut Embed) {
    e.title = e.title.take().map(|t| non_empty(&t, TITLE));
    e.author = e.author.take().and_then(|mut a| {
        a.name = clip(a.name.trim(), AUTHOR_NAME);
        (!a.name.is_empty()).then_some(a)
    });
    e.description = e
        .description
        .take()
        .map(|d| clip(&d, DESCRIPTION))
        .filter(|d| !d.trim().is_empty());
    e.url = e.url.take().filter(|u| measure(u) <= URL);
    e.footer = e.footer.take().and_then(|mut f| {
        f.text = clip(f.text.trim(), FOOTER);
        (!f.text.is_empty()).then_some(f)
    });
    e.fields.truncate(FIELDS);
    for f in &mut e.fields {
        f.name = non_empty(&f.name, FIELD_NAME);
        f.value = non_empty(&f.value, FIELD_VALUE);
    }
}

fn enforce_row(row: &mut ButtonRow) {
    row.kind = 1;
    row.components
        .retain(|b: &Button| !b.custom_id.is_empty() && measure(&b.custom_id) <= CUSTOM_ID);
    row.components.truncate(BUTTONS_PER_ROW);
    for b in &mut row.components {
        b.label = non_empty(&b.label, BUTTON_LABEL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::discord::wire::{Field, Footer};

    #[test]
    fn clip_keeps_the_limit_and_never_splits_an_escape_or_a_bold_run() {
        let s = "**bold** word ".repeat(100);
        let c = clip(&s, 50);
        assert!(measure(&c) <= 50, "{c}");
        assert_eq!(c.matches("**").count() % 2, 0, "{c}");
        let e = "\\*".repeat(100);
        let c = clip(&e, 21);
        assert!(measure(&c) <= 21);
        let body = c.trim_end_matches('…');
        assert_eq!(body.chars().rev().take_while(|&c| c == '\\').count() % 2, 0);
    }

    #[test]
    fn clip_counts_utf16_units_so_emoji_never_overflow() {
        let s = "😀".repeat(100);
        let c = clip(&s, 11);
        assert!(measure(&c) <= 11, "{}", measure(&c));
    }

    #[test]
    fn enforce_brings_an_oversized_message_within_every_limit() {
        let field = Field {
            name: "n".repeat(300),
            value: "v".repeat(2000),
            inline: false,
        };
        let embed = Embed {
            title: Some("t".repeat(300)),
            description: Some("d".repeat(5000)),
            fields: vec![field; 30],
            footer: Some(Footer {
                text: "f".repeat(3000),
            }),
            ..Default::default()
        };
        let m = Message {
            content: Some("c".repeat(2500)),
            embeds: vec![embed; 12],
            ..Default::default()
        };
        let r = enforce(Response {
            kind: 4,
            data: Some(ResponseData::Message(m)),
        });
        let m = r.message().cloned().unwrap_or_default();
        assert!(m.embeds.len() <= EMBEDS);
        assert!(m.embeds.iter().map(embed_total).sum::<usize>() <= EMBED_TOTAL);
        assert!(measure(m.content.as_deref().unwrap_or("")) <= CONTENT);
        for e in &m.embeds {
            assert!(e.fields.len() <= FIELDS);
            assert!(e.title.as_deref().map_or(0, measure) <= TITLE);
            assert!(e.description.as_deref().map_or(0, measure) <= DESCRIPTION);
        }
    }
}
