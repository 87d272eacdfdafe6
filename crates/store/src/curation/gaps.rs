//! Gaps: questions Archie could not answer well in a server (unanswered, or voted 👎),
//! alike ones folded into one by their [`Signature`], until a moderator answers or
//! dismisses them.

use super::{corrupt, from_json, refused, to_json};
use crate::backend::{from_sql_id, gid, int, text, Backend, Cells, Param};
use crate::{Actor, CommunityEntry, Draft, Store, StoreError};
use serde::{Deserialize, Serialize};

/// Open gaps one server keeps; questions beyond it still count in the stats.
pub const MAX_OPEN_GAPS: i64 = 1000;
/// "What was missing" notes kept on one gap (the first ones).
const MAX_NOTES: usize = 20;
/// Share of topic terms two questions with the same names must have in common to be one gap.
const FOLD_OVERLAP: f32 = 0.5;

/// What a question is about, as the search understands it: the names it mentions and its
/// topic terms (analyzed). Two questions with the same names and most terms in common are
/// one gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Signature {
    pub names: Vec<String>,
    pub terms: Vec<String>,
}

impl Signature {
    pub fn new(mut names: Vec<String>, mut terms: Vec<String>) -> Signature {
        names.sort();
        names.dedup();
        terms.sort();
        terms.dedup();
        Signature { names, terms }
    }

    /// Whether a question of this signature is the same gap as one of `other`'s.
    pub fn same_gap(&self, other: &Signature) -> bool {
        if self.names != other.names {
            return false;
        }
        if self.terms.is_empty() || other.terms.is_empty() {
            return self.terms == other.terms && !self.names.is_empty();
        }
        let shared = self
            .terms
            .iter()
            .filter(|t| other.terms.binary_search(t).is_ok())
            .count();
        let union = self.terms.len() + other.terms.len() - shared;
        shared as f32 / union as f32 >= FOLD_OVERLAP
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapState {
    Open,
    Answered,
    Dismissed,
}

impl GapState {
    pub fn as_str(self) -> &'static str {
        match self {
            GapState::Open => "open",
            GapState::Answered => "answered",
            GapState::Dismissed => "dismissed",
        }
    }

    fn parse(s: &str) -> Option<GapState> {
        match s {
            "open" => Some(GapState::Open),
            "answered" => Some(GapState::Answered),
            "dismissed" => Some(GapState::Dismissed),
            _ => None,
        }
    }
}

/// A question (or several alike) Archie could not answer well in a server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub id: i64,
    pub guild: u64,
    /// The first wording asked.
    pub question: String,
    #[serde(skip)]
    pub signature: Signature,
    /// How many times it was asked unanswered or voted 👎.
    pub asked: i64,
    pub state: GapState,
    /// What members said was missing.
    pub notes: Vec<String>,
    /// The entry that answered it.
    pub entry_id: Option<String>,
    pub first_at: i64,
    pub last_at: i64,
}

pub(super) const GAP_COLUMNS: &str =
    "id, guild_id, question, signature, asked, state, notes, entry_id, first_at, last_at";

pub(super) fn gap_row(r: &Cells) -> Result<Gap, StoreError> {
    let state = r.text(5)?;
    Ok(Gap {
        id: r.int(0)?,
        guild: from_sql_id(r.int(1)?),
        question: r.text(2)?,
        signature: from_json("gap signature", &r.text(3)?)?,
        asked: r.int(4)?,
        state: GapState::parse(&state).ok_or_else(|| corrupt("gap state", state))?,
        notes: from_json("gap notes", &r.text(6)?)?,
        entry_id: r.opt_text(7)?,
        first_at: r.int(8)?,
        last_at: r.int(9)?,
    })
}

pub(super) fn open_gap_count(b: &mut dyn Backend, guild: u64) -> Result<i64, StoreError> {
    b.count(
        "SELECT COUNT(*) FROM gaps WHERE guild_id = $1 AND state = 'open'",
        &[gid(guild)],
    )
}

/// The guild's open gap a question of `sig` belongs to, and how many are open.
pub(super) fn alike_gap(
    b: &mut dyn Backend,
    guild: u64,
    sig: &Signature,
) -> Result<(Option<Gap>, usize), StoreError> {
    let open = b.query(
        &format!(
            "SELECT {GAP_COLUMNS} FROM gaps WHERE guild_id = $1 AND state = 'open' ORDER BY id"
        ),
        &[gid(guild)],
    )?;
    for r in &open {
        let g = gap_row(r)?;
        if g.signature.same_gap(sig) {
            return Ok((Some(g), open.len()));
        }
    }
    Ok((None, open.len()))
}

/// Keeps `note` on the gap (the first [`MAX_NOTES`]).
pub(super) fn add_note(
    b: &mut dyn Backend,
    g: &mut Gap,
    note: &str,
    now: i64,
) -> Result<(), StoreError> {
    if g.notes.len() < MAX_NOTES {
        g.notes.push(note.to_string());
    }
    b.exec(
        "UPDATE gaps SET notes = $1, last_at = $2 WHERE id = $3",
        &[text(&to_json(&g.notes)?), int(now), int(g.id)],
    )?;
    Ok(())
}

/// Counts a question in the server's gaps: folded into the open gap it resembles (its
/// count and last time raised, `note` added), or a new gap. Returns the gap's id (`None`
/// when the server already holds [`MAX_OPEN_GAPS`] open ones).
pub(super) fn raise_gap(
    b: &mut dyn Backend,
    guild: u64,
    question: &str,
    sig: &Signature,
    note: Option<&str>,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let (alike, open) = alike_gap(b, guild, sig)?;
    if let Some(mut g) = alike {
        b.exec(
            "UPDATE gaps SET asked = asked + 1, last_at = $1 WHERE id = $2",
            &[int(now), int(g.id)],
        )?;
        if let Some(n) = note {
            add_note(b, &mut g, n, now)?;
        }
        return Ok(Some(g.id));
    }
    if open as i64 >= MAX_OPEN_GAPS {
        tracing::warn!(
            guild,
            "open gaps at their limit; a new one was not recorded"
        );
        return Ok(None);
    }
    let notes: Vec<&str> = note.into_iter().collect();
    let rows = b.query(
        "INSERT INTO gaps (guild_id, question, signature, asked, state, notes, first_at, last_at)
         VALUES ($1, $2, $3, 1, 'open', $4, $5, $5) RETURNING id",
        &[
            gid(guild),
            text(question),
            text(&to_json(sig)?),
            text(&to_json(&notes)?),
            int(now),
        ],
    )?;
    rows.first().map(|r| r.int(0)).transpose()
}

impl Store {
    /// Open gaps of `guild`, most asked first (then oldest), and how many there are.
    pub fn open_gaps(
        &self,
        guild: u64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Gap>, i64), StoreError> {
        self.read(|b| {
            let total = open_gap_count(b, guild)?;
            let rows = b.query(
                &format!(
                    "SELECT {GAP_COLUMNS} FROM gaps WHERE guild_id = $1 AND state = 'open'
                     ORDER BY asked DESC, id LIMIT $2 OFFSET $3"
                ),
                &[gid(guild), int(limit), int(offset)],
            )?;
            Ok((rows.iter().map(gap_row).collect::<Result<_, _>>()?, total))
        })
    }

    /// One gap of `guild`, in any state.
    pub fn gap(&self, guild: u64, gap: i64) -> Result<Option<Gap>, StoreError> {
        self.read(|b| {
            b.query(
                &format!("SELECT {GAP_COLUMNS} FROM gaps WHERE id = $1 AND guild_id = $2"),
                &[int(gap), gid(guild)],
            )?
            .first()
            .map(gap_row)
            .transpose()
        })
    }

    /// Closes an open gap of `guild` without an entry.
    pub fn dismiss_gap(&self, guild: u64, actor: &Actor, gap: i64) -> Result<Gap, StoreError> {
        self.write(|b, now| {
            close_gap(b, guild, gap, GapState::Dismissed, None, actor, now)?;
            fetch_gap(b, guild, gap)
        })
    }

    /// Adds `draft` as a new entry answering an open gap of `guild`, and closes the gap, in
    /// one transaction; the entry's revision names the gap.
    pub fn answer_gap(
        &self,
        guild: u64,
        actor: &Actor,
        gap: i64,
        draft: &Draft,
    ) -> Result<CommunityEntry, StoreError> {
        let g = self
            .gap(guild, gap)?
            .ok_or_else(|| refused(format!("There is no gap #{gap} in this server.")))?;
        let note = format!(
            "answers gap #{gap}: {}",
            archie_text::truncate_words(&g.question, 200)
        );
        self.noted_write(guild, actor, Some(&note), |w| {
            let e = w.add(draft, None)?;
            let now = w.now;
            close_gap(w.b, guild, gap, GapState::Answered, Some(&e.id), actor, now)?;
            Ok(e)
        })
    }
}

fn fetch_gap(b: &mut dyn Backend, guild: u64, gap: i64) -> Result<Gap, StoreError> {
    b.query(
        &format!("SELECT {GAP_COLUMNS} FROM gaps WHERE id = $1 AND guild_id = $2"),
        &[int(gap), gid(guild)],
    )?
    .first()
    .map(gap_row)
    .transpose()?
    .ok_or_else(|| refused(format!("There is no gap #{gap} in this server.")))
}

fn close_gap(
    b: &mut dyn Backend,
    guild: u64,
    gap: i64,
    state: GapState,
    entry: Option<&str>,
    actor: &Actor,
    now: i64,
) -> Result<(), StoreError> {
    let g = fetch_gap(b, guild, gap)?;
    if g.state != GapState::Open {
        return Err(refused(format!(
            "Gap #{gap} is already {}.",
            g.state.as_str()
        )));
    }
    b.exec(
        "UPDATE gaps SET state = $1, entry_id = $2, closed_by = $3, closed_at = $4
         WHERE id = $5 AND guild_id = $6",
        &[
            text(state.as_str()),
            Param::Text(entry),
            gid(actor.id),
            int(now),
            int(gap),
            gid(guild),
        ],
    )?;
    Ok(())
}
