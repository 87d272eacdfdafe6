//! What the transport says when fair use answers instead of a command: a cooldown's time
//! to try again, or a link to the earlier answer of a repeated question. Each is a short
//! ephemeral sentence of Archie's own, with Discord's relative time, pinging nobody.

use super::{limits, wire};
use crate::fair_use::Bucket;

/// Whether a response posted a public answer worth linking to later.
pub fn is_public_answer(r: &wire::Response) -> bool {
    r.kind == wire::MESSAGE
        && r.message()
            .is_some_and(|m| !m.embeds.is_empty() && m.flags.unwrap_or(0) & wire::EPHEMERAL == 0)
}

/// A short ephemeral sentence of Archie's own (markdown kept, nobody pinged).
fn notice(text: String) -> wire::Response {
    limits::enforce(wire::Response {
        kind: wire::MESSAGE,
        data: Some(wire::ResponseData::Message(wire::Message {
            content: Some(text),
            flags: Some(wire::EPHEMERAL),
            ..Default::default()
        })),
    })
}

/// The answer to a member over a cooldown: when to try again, as Discord's relative time.
pub fn slow_down(bucket: Bucket, retry_at_secs: u64) -> wire::Response {
    let what = match bucket {
        Bucket::Ask => "You're asking faster than Archie answers: you can /ask again",
        Bucket::Lookup => "That's a lot of lookups in a row: you can look things up again",
        Bucket::KbWrite => "That's a lot of changes in a row: you can change entries again",
    };
    notice(format!("{what} <t:{retry_at_secs}:R>."))
}

/// The answer to a repeated question: a link to the earlier answer.
pub fn already_answered(guild: u64, channel: u64, message: u64, at_ms: u64) -> wire::Response {
    notice(format!(
        "This was answered in this channel <t:{}:R>: \
         https://discord.com/channels/{guild}/{channel}/{message}",
        at_ms / 1000
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_use_relative_timestamps_and_ping_nobody() {
        let r = slow_down(Bucket::Ask, 1_700_000_030);
        let m = r.message().unwrap();
        assert!(m.content.as_deref().unwrap().contains("<t:1700000030:R>"));
        assert_eq!(m.flags, Some(wire::EPHEMERAL));
        assert!(m.allowed_mentions.parse.is_empty() && m.allowed_mentions.users.is_empty());
        let r = already_answered(1, 2, 3, 1_700_000_000_500);
        let text = r.message().unwrap().content.clone().unwrap();
        assert!(
            text.contains("https://discord.com/channels/1/2/3"),
            "{text}"
        );
        assert!(text.contains("<t:1700000000:R>"), "{text}");
    }
}
