//! The one store trait: the queries the store's logic runs, inside a write's transaction
//! or on a read connection. SQLite ([`super::sqlite`]) and PostgreSQL ([`super::postgres`])
//! each provide two calls, run a statement and run a query; every query is written once,
//! here and in the curation and quiz modules, and so is everything above them (writes,
//! imports, the change log, validation): both backends keep the same rules, the same audit
//! trail and the same guarantees.

use super::{
    Actor, ChangeRef, CommunityEntry, Draft, Origin, Revision, RevisionAction, State, StoreError,
};
use archie_knowledge::Kind;

/// The store's queries, written once: a backend provides [`Backend::exec`] and
/// [`Backend::query`] (statements with `$1`, `$2`… placeholders in order of first use, which
/// SQLite and PostgreSQL both read), and every query below runs on both. Ids are Discord
/// snowflakes, stored as signed 64-bit integers with every bit kept ([`to_sql_id`]).
pub(crate) trait Backend {
    /// Runs one statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError>;
    /// Runs one query; integer and text columns only.
    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Cells>, StoreError>;

    /// The one integer a counting query returns (0 for no row).
    fn count(&mut self, sql: &str, params: &[Param<'_>]) -> Result<i64, StoreError> {
        self.query(sql, params)?.first().map_or(Ok(0), |r| r.int(0))
    }

    /// Entry rows chosen, ordered and limited by `tail` (from WHERE on, on `entries e`).
    fn entries(
        &mut self,
        tail: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries e {tail}");
        self.query(&sql, params)?.iter().map(entry_row).collect()
    }

    /// Revisions chosen, ordered and limited by `tail` (from WHERE on).
    fn revisions(&mut self, tail: &str, params: &[Param<'_>]) -> Result<Vec<Revision>, StoreError> {
        let sql = format!("SELECT {REVISION_COLUMNS} FROM revisions {tail}");
        self.query(&sql, params)?.iter().map(revision_row).collect()
    }

    /// One id's row in one guild, whatever its state.
    fn entry(&mut self, guild: u64, id: &str) -> Result<Option<CommunityEntry>, StoreError> {
        Ok(self
            .entries(
                "WHERE e.guild_id = $1 AND e.id = $2",
                &[gid(guild), text(id)],
            )?
            .pop())
    }

    /// The guild's rows in `state`, by id.
    fn entries_in(&mut self, guild: u64, state: State) -> Result<Vec<CommunityEntry>, StoreError> {
        self.entries(
            "WHERE e.guild_id = $1 AND e.state = $2 ORDER BY e.id",
            &[gid(guild), text(state.as_str())],
        )
    }

    /// Live and hidden rows of every guild after `after`, in (guild, id) order.
    fn shown_rows(
        &mut self,
        after: Option<(u64, &str)>,
        limit: i64,
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        match after {
            None => self.entries(
                "WHERE e.state IN ('live', 'hidden') ORDER BY e.guild_id, e.id LIMIT $1",
                &[int(limit)],
            ),
            Some((g, id)) => self.entries(
                "WHERE e.state IN ('live', 'hidden') AND (e.guild_id, e.id) > ($1, $2)
                 ORDER BY e.guild_id, e.id LIMIT $3",
                &[gid(g), text(id), int(limit)],
            ),
        }
    }

    /// Whether the guild has a row with this id (in any state).
    fn id_taken(&mut self, guild: u64, id: &str) -> Result<bool, StoreError> {
        Ok(!self
            .query(
                "SELECT 1 FROM entries WHERE guild_id = $1 AND id = $2",
                &[gid(guild), text(id)],
            )?
            .is_empty())
    }

    fn insert_entry(&mut self, row: &NewRow<'_>, origin: Origin) -> Result<(), StoreError> {
        let content = RowContent::of(row)?;
        let mut params = vec![gid(row.guild), text(row.id), text(origin.as_str())];
        params.extend(content.params(row));
        self.exec(
            "INSERT INTO entries (guild_id, id, origin, state, kind, title, body, company,
                                  technologies, sources, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
            &params,
        )?;
        Ok(())
    }

    fn update_entry(&mut self, row: &NewRow<'_>) -> Result<(), StoreError> {
        let content = RowContent::of(row)?;
        let mut params = vec![gid(row.guild), text(row.id)];
        params.extend(content.params(row));
        self.exec(
            "UPDATE entries SET state = $3, kind = $4, title = $5, body = $6, company = $7,
                    technologies = $8, sources = $9, updated_at = $10
             WHERE guild_id = $1 AND id = $2",
            &params,
        )?;
        Ok(())
    }

    /// Appends a revision; returns its id (ids increase with every write).
    fn append_revision(&mut self, r: &NewRevision<'_>) -> Result<i64, StoreError> {
        let (before, after) = (json_draft(r.before)?, json_draft(r.after)?);
        self.query(
            "INSERT INTO revisions
                (guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after,
                 note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &[
                gid(r.guild),
                text(r.entry_id),
                text(r.action.as_str()),
                gid(r.actor.id),
                text(&r.actor.name),
                int(r.at),
                Param::Text(before.as_deref()),
                Param::Text(after.as_deref()),
                text(r.state_after.as_str()),
                Param::Text(r.note),
            ],
        )?
        .first()
        .ok_or_else(|| StoreError::Corrupt("no id for a new revision".into()))?
        .int(0)
    }

    /// One revision of one id in one guild.
    fn revision(
        &mut self,
        guild: u64,
        id: &str,
        revision: i64,
    ) -> Result<Option<Revision>, StoreError> {
        Ok(self
            .revisions(
                "WHERE id = $1 AND guild_id = $2 AND entry_id = $3",
                &[int(revision), gid(guild), text(id)],
            )?
            .pop())
    }

    /// The guild's revisions newest first, of one id or of all.
    fn history(
        &mut self,
        guild: u64,
        id: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Revision>, StoreError> {
        // Two shapes, so each uses its index.
        match id {
            Some(id) => self.revisions(
                "WHERE guild_id = $1 AND entry_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4",
                &[gid(guild), text(id), int(limit), int(offset)],
            ),
            None => self.revisions(
                "WHERE guild_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                &[gid(guild), int(limit), int(offset)],
            ),
        }
    }

    fn revision_count(&mut self, guild: u64, id: Option<&str>) -> Result<i64, StoreError> {
        match id {
            Some(id) => self.count(
                "SELECT COUNT(*) FROM revisions WHERE guild_id = $1 AND entry_id = $2",
                &[gid(guild), text(id)],
            ),
            None => self.count(
                "SELECT COUNT(*) FROM revisions WHERE guild_id = $1",
                &[gid(guild)],
            ),
        }
    }

    /// Revisions after `after`, oldest first.
    fn changes_since(&mut self, after: i64, limit: i64) -> Result<Vec<ChangeRef>, StoreError> {
        self.query(
            "SELECT id, guild_id, entry_id FROM revisions WHERE id > $1 ORDER BY id LIMIT $2",
            &[int(after), int(limit)],
        )?
        .iter()
        .map(|r| {
            Ok(ChangeRef {
                revision: r.int(0)?,
                guild: from_sql_id(r.int(1)?),
                id: r.text(2)?,
            })
        })
        .collect()
    }

    fn last_revision(&mut self) -> Result<i64, StoreError> {
        self.count(
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM revisions",
            &[],
        )
    }

    fn instance_id(&mut self) -> Result<String, StoreError> {
        self.query("SELECT value FROM meta WHERE key = 'instance'", &[])?
            .first()
            .ok_or_else(|| StoreError::Corrupt("the store has no instance id".into()))?
            .text(0)
    }

    /// Every guild with a row, ascending.
    fn guild_ids(&mut self) -> Result<Vec<u64>, StoreError> {
        self.query(
            "SELECT DISTINCT guild_id FROM entries ORDER BY guild_id",
            &[],
        )?
        .iter()
        .map(|r| r.int(0).map(from_sql_id))
        .collect()
    }
}

/// An entry row's list columns as JSON text, for its parameters.
struct RowContent {
    techs: String,
    sources: String,
}

impl RowContent {
    fn of(row: &NewRow<'_>) -> Result<RowContent, StoreError> {
        Ok(RowContent {
            techs: json_list(&row.draft.technologies)?,
            sources: json_list(&row.draft.sources)?,
        })
    }

    /// State, kind, title, body, company, technologies, sources and time, in that order.
    fn params<'a>(&'a self, row: &'a NewRow<'_>) -> [Param<'a>; 8] {
        let d = row.draft;
        [
            text(row.state.as_str()),
            text(d.kind.as_str()),
            text(&d.title),
            text(&d.text),
            Param::Text(d.company.as_deref()),
            text(&self.techs),
            text(&self.sources),
            int(row.now),
        ]
    }
}

/// Columns of an entry row, with its latest revision id last.
const ENTRY_COLUMNS: &str = "e.guild_id, e.id, e.origin, e.state, e.kind, e.title, e.body,
    e.company, e.technologies, e.sources, e.created_at, e.updated_at,
    (SELECT MAX(r.id) FROM revisions r WHERE r.guild_id = e.guild_id AND r.entry_id = e.id)";

const REVISION_COLUMNS: &str =
    "id, guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after, note";

/// An integer parameter.
pub(crate) fn int(n: i64) -> Param<'static> {
    Param::Int(Some(n))
}

/// A Discord id (a guild, a member) as a parameter, every bit kept.
pub(crate) fn gid(n: u64) -> Param<'static> {
    Param::Int(Some(to_sql_id(n)))
}

/// A text parameter.
pub(crate) fn text(s: &str) -> Param<'_> {
    Param::Text(Some(s))
}

/// A value bound to a statement of [`Backend::exec`] or [`Backend::query`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
}

/// A value read by [`Backend::query`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Int(i64),
    Text(String),
    Null,
}

/// One row of a [`Backend::query`], read by position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cells(pub Vec<Cell>);

impl Cells {
    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.0.get(i) {
            Some(Cell::Int(n)) => Ok(*n),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected an integer, found {other:?}"
            ))),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.0.get(i) {
            Some(Cell::Null) => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.0.get(i) {
            Some(Cell::Text(s)) => Ok(s.clone()),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected text, found {other:?}"
            ))),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.0.get(i) {
            Some(Cell::Null) => Ok(None),
            _ => self.text(i).map(Some),
        }
    }
}

/// An entry row as a write leaves it.
pub(crate) struct NewRow<'a> {
    pub guild: u64,
    pub id: &'a str,
    pub state: State,
    pub draft: &'a Draft,
    pub now: i64,
}

/// What one write appends to the trail.
pub(crate) struct NewRevision<'a> {
    pub guild: u64,
    pub entry_id: &'a str,
    pub action: RevisionAction,
    pub actor: &'a Actor,
    pub at: i64,
    pub before: Option<&'a Draft>,
    pub after: Option<&'a Draft>,
    pub state_after: State,
    /// What the change came from (a gap, a member's proposal), for the trail.
    pub note: Option<&'a str>,
}

/// Discord ids are u64 snowflakes; SQL integers are i64. The cast keeps every bit.
pub(crate) fn to_sql_id(id: u64) -> i64 {
    id as i64
}

pub(crate) fn from_sql_id(id: i64) -> u64 {
    id as u64
}

/// A list column (technologies, sources) as JSON text.
pub(crate) fn json_list(v: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A revision's content column as JSON text.
pub(crate) fn json_draft(d: Option<&Draft>) -> Result<Option<String>, StoreError> {
    d.map(|d| serde_json::to_string(d).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// An entry of a row of [`ENTRY_COLUMNS`]; a bad value is a typed error, never a panic.
fn entry_row(r: &Cells) -> Result<CommunityEntry, StoreError> {
    let id = r.text(1)?;
    let bad = |what: &str| StoreError::Corrupt(format!("entry '{id}': {what}"));
    let list = |i: usize| -> Result<Vec<String>, StoreError> {
        serde_json::from_str(&r.text(i)?).map_err(|e| bad(&format!("bad list: {e}")))
    };
    Ok(CommunityEntry {
        guild: from_sql_id(r.int(0)?),
        origin: Origin::parse(&r.text(2)?).ok_or_else(|| bad("unknown origin"))?,
        state: State::parse(&r.text(3)?).ok_or_else(|| bad("unknown state"))?,
        draft: Draft {
            kind: Kind::parse(&r.text(4)?).ok_or_else(|| bad("unknown kind"))?,
            title: r.text(5)?,
            text: r.text(6)?,
            company: r.opt_text(7)?,
            technologies: list(8)?,
            sources: list(9)?,
        },
        created_at: r.int(10)?,
        updated_at: r.int(11)?,
        revision: r.opt_int(12)?.unwrap_or(0),
        id,
    })
}

/// A revision of a row of [`REVISION_COLUMNS`]; a bad value is a typed error.
fn revision_row(r: &Cells) -> Result<Revision, StoreError> {
    let id = r.int(0)?;
    let bad = |what: String| StoreError::Corrupt(format!("revision #{id}: {what}"));
    let draft = |i: usize| -> Result<Option<Draft>, StoreError> {
        r.opt_text(i)?
            .map(|s| serde_json::from_str(&s).map_err(|e| bad(e.to_string())))
            .transpose()
    };
    let (action, state) = (r.text(3)?, r.text(9)?);
    Ok(Revision {
        id,
        guild: from_sql_id(r.int(1)?),
        entry_id: r.text(2)?,
        action: RevisionAction::parse(&action)
            .ok_or_else(|| bad(format!("unknown action '{action}'")))?,
        actor: Actor::new(from_sql_id(r.int(4)?), r.text(5)?),
        at: r.int(6)?,
        before: draft(7)?,
        after: draft(8)?,
        state_after: State::parse(&state).ok_or_else(|| bad(format!("unknown state '{state}'")))?,
        note: r.opt_text(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_every_bit_of_a_snowflake() {
        for id in [0, 1, u64::MAX, 1 << 63, 1_234_567_890_123_456_789] {
            assert_eq!(from_sql_id(to_sql_id(id)), id);
        }
    }
}
