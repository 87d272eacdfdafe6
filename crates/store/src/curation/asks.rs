//! Asks and votes: every question a server asked, and one 👍 or 👎 per member and answer.

use super::gaps::{add_note, alike_gap, raise_gap};
use super::*;

pub(super) const ASK_COLUMNS: &str = "id, guild_id, question, answered, kind, shown, at";

pub(super) fn ask_row(r: &Cells) -> Result<AskRecord, StoreError> {
    Ok(AskRecord {
        id: r.int(0)?,
        guild: from_sql_id(r.int(1)?),
        question: r.text(2)?,
        answered: r.int(3)? != 0,
        kind: r.opt_text(4)?,
        shown: from_json("ask's shown ids", &r.text(5)?)?,
        at: r.int(6)?,
    })
}

pub(super) fn fetch_ask(
    b: &mut dyn Backend,
    guild: u64,
    ask: i64,
) -> Result<Option<AskRecord>, StoreError> {
    b.query(
        &format!("SELECT {ASK_COLUMNS} FROM asks WHERE id = $1 AND guild_id = $2"),
        &[int(ask), gid(guild)],
    )?
    .first()
    .map(ask_row)
    .transpose()
}

/// The ask `ask` of `guild`, or the refusal for a foreign or forged id.
pub(super) fn guild_ask(
    b: &mut dyn Backend,
    guild: u64,
    ask: i64,
) -> Result<AskRecord, StoreError> {
    fetch_ask(b, guild, ask)?.ok_or_else(|| refused("That answer is not from this server."))
}

/// A new ask id: milliseconds since 2024 above 22 random bits, so ids grow with time (the
/// latest ask of a question has the largest id) and processes never need to agree on one.
pub fn new_ask_id() -> i64 {
    const EPOCH_MS: u128 = 1_704_067_200_000;
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis().saturating_sub(EPOCH_MS)) as i64;
    (ms << 22) | i64::from(rand::random::<u32>() & 0x3f_ffff)
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

    /// Records a question asked in `guild`; an unanswered one also raises a gap. Returns
    /// the ask's id (what the answer's vote buttons carry); the question's `signature` is
    /// computed only for that gap. Nobody is told it was saved,
    /// so it commits without waiting for the disk (see `write_relaxed`): an answer never
    /// waits for a flush.
    pub fn record_ask(
        &self,
        guild: u64,
        question: &str,
        qkey: &str,
        kind: Option<&str>,
        shown: &[String],
        signature: impl FnOnce() -> Signature,
    ) -> Result<i64, StoreError> {
        let id = new_ask_id();
        let signature = shown.is_empty().then(signature);
        self.record_ask_as(id, guild, question, qkey, kind, shown, signature)?;
        Ok(id)
    }

    /// [`Store::record_ask`] under an id chosen by the caller ([`new_ask_id`]): the
    /// question log gives a question its id before it is written. `signature`: what an
    /// unanswered question is about (its gap).
    #[allow(clippy::too_many_arguments)]
    pub fn record_ask_as(
        &self,
        id: i64,
        guild: u64,
        question: &str,
        qkey: &str,
        kind: Option<&str>,
        shown: &[String],
        signature: Option<Signature>,
    ) -> Result<(), StoreError> {
        self.write_relaxed(|b, now| {
            let answered = !shown.is_empty();
            b.exec(
                "INSERT INTO asks (id, guild_id, qkey, question, answered, kind, shown, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    int(id),
                    gid(guild),
                    text(qkey),
                    text(question),
                    int(i64::from(answered)),
                    Param::Text(kind),
                    text(&to_json(&shown)?),
                    int(now),
                ],
            )?;
            if let (false, Some(sig)) = (answered, &signature) {
                raise_gap(b, guild, question, sig, None, now)?;
            }
            Ok(())
        })
    }

    /// The latest ask of this question in `guild` (another page of the same answer).
    pub fn last_ask(&self, guild: u64, qkey: &str) -> Result<Option<i64>, StoreError> {
        self.read(|b| {
            let rows = b.query(
                "SELECT MAX(id) FROM asks WHERE guild_id = $1 AND qkey = $2",
                &[gid(guild), text(qkey)],
            )?;
            Ok(rows.first().map(|r| r.opt_int(0)).transpose()?.flatten())
        })
    }

    /// One ask of `guild` (another server's ask is not found).
    pub fn ask_record(&self, guild: u64, ask: i64) -> Result<Option<AskRecord>, StoreError> {
        self.read(|b| fetch_ask(b, guild, ask))
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
