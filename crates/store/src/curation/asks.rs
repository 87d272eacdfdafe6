//! Asks: every question asked in a server, whether it was answered, the kind of the best
//! answer and the ids shown; what stats count and votes point at.

use super::gaps::raise_gap;
use super::{from_json, refused, to_json, Signature};
use crate::backend::{from_sql_id, gid, int, text, Backend, Cells, Param};
use crate::{Store, StoreError};
use serde::Serialize;

/// One question asked in a server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskRecord {
    pub id: i64,
    pub guild: u64,
    pub question: String,
    pub answered: bool,
    /// The kind of the best answer shown.
    pub kind: Option<String>,
    /// The ids of the entries shown.
    pub shown: Vec<String>,
    pub at: i64,
}

const ASK_COLUMNS: &str = "id, guild_id, question, answered, kind, shown, at";

fn ask_row(r: &Cells) -> Result<AskRecord, StoreError> {
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

fn fetch_ask(b: &mut dyn Backend, guild: u64, ask: i64) -> Result<Option<AskRecord>, StoreError> {
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

impl Store {
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
