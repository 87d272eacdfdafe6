//! Votes on answers: one 👍 or 👎 per member and ask, kept under a member key (an HMAC of
//! their id), and the "what was missing" note a 👎 may carry to its gap.

use super::asks::guild_ask;
use super::gaps::{add_note, alike_gap, raise_gap};
use super::{clean_note, corrupt, refused, Signature};
use crate::backend::{gid, int, text, Param};
use crate::{Store, StoreError};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;

/// A member's opinion of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Up,
    Down,
}

impl Vote {
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Up => "up",
            Vote::Down => "down",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Vote> {
        match s {
            "up" => Some(Vote::Up),
            "down" => Some(Vote::Down),
            _ => None,
        }
    }
}

impl Store {
    /// The key a member's votes are kept under: an HMAC-SHA-256 of their id with this
    /// store's secret, so votes dedupe without the store holding who voted.
    pub fn member_key(&self, member: u64) -> Result<String, StoreError> {
        let secret = match self.member_secret.get() {
            Some(s) => s.clone(),
            None => {
                let s = self.read(|b| {
                    let rows = b.query("SELECT value FROM meta WHERE key = 'member_key'", &[])?;
                    rows.first()
                        .map(|r| r.text(0))
                        .transpose()?
                        .ok_or_else(|| StoreError::Corrupt("the store has no member key".into()))
                })?;
                self.member_secret.get_or_init(|| s).clone()
            }
        };
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|e| corrupt("member key", e))?;
        mac.update(format!("member:{member}").as_bytes());
        Ok(hex::encode(&mac.finalize().into_bytes()[..16]))
    }

    /// Records `member`'s vote on an ask of `guild` (a second vote replaces the first).
    /// A member's first 👎 raises a gap for the question (its `signature` is computed only
    /// then). Returns the vote it replaced.
    pub fn vote(
        &self,
        guild: u64,
        ask: i64,
        member: &str,
        vote: Vote,
        signature: impl FnOnce() -> Signature,
    ) -> Result<Option<Vote>, StoreError> {
        self.write(|b, now| {
            let a = guild_ask(b, guild, ask)?;
            let earlier = b.query(
                "SELECT vote, raised FROM votes WHERE ask_id = $1 AND member_key = $2",
                &[int(ask), text(member)],
            )?;
            let before = earlier
                .first()
                .map(|r| r.text(0))
                .transpose()?
                .and_then(|v| Vote::parse(&v));
            // A member's 👎 raises the gap once, however often they change their mind.
            let raised = earlier.first().map(|r| r.int(1)).transpose()?.unwrap_or(0) != 0;
            let raise = vote == Vote::Down && !raised;
            b.exec(
                "INSERT INTO votes (guild_id, ask_id, member_key, vote, raised, at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (ask_id, member_key)
                 DO UPDATE SET vote = excluded.vote, raised = excluded.raised, at = excluded.at",
                &[
                    gid(guild),
                    int(ask),
                    text(member),
                    text(vote.as_str()),
                    int(i64::from(raised || raise)),
                    int(now),
                ],
            )?;
            if raise {
                raise_gap(b, guild, &a.question, &signature(), None, now)?;
            }
            Ok(before)
        })
    }

    /// Adds what was missing to `member`'s 👎 on an ask (and to the gap it raised).
    pub fn vote_note(
        &self,
        guild: u64,
        ask: i64,
        member: &str,
        note: &str,
        sig: &Signature,
    ) -> Result<(), StoreError> {
        let note = clean_note(note);
        self.write(|b, now| {
            let a = guild_ask(b, guild, ask)?;
            let changed = b.exec(
                "UPDATE votes SET note = $1 WHERE ask_id = $2 AND member_key = $3 AND vote = 'down'",
                &[Param::Text(note.as_deref()), int(ask), text(member)],
            )?;
            if changed == 0 {
                return Err(refused("Vote 👎 on the answer first."));
            }
            if let Some(n) = note.as_deref() {
                // The 👎 counted the gap already: only the note is added here.
                match alike_gap(b, guild, sig)?.0 {
                    Some(mut g) => add_note(b, &mut g, n, now)?,
                    None => {
                        raise_gap(b, guild, &a.question, sig, Some(n), now)?;
                    }
                }
            }
            Ok(())
        })
    }
}
