//! The audit trail: appending a revision inside a write's transaction, and reading a guild's
//! history newest first.

use super::{from_sql_id, to_sql_id, Action, Actor, Draft, Revision, State, Store, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// What one write appends to the trail.
pub(crate) struct NewRevision<'a> {
    pub guild: u64,
    pub entry_id: &'a str,
    pub action: Action,
    pub actor: &'a Actor,
    pub at: i64,
    pub before: Option<&'a Draft>,
    pub after: Option<&'a Draft>,
    pub state_after: State,
}

pub(crate) fn append(c: &Connection, r: &NewRevision<'_>) -> Result<i64, StoreError> {
    c.execute(
        "INSERT INTO revisions
            (guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            to_sql_id(r.guild),
            r.entry_id,
            r.action.as_str(),
            to_sql_id(r.actor.id),
            r.actor.name,
            r.at,
            to_json(r.before)?,
            to_json(r.after)?,
            r.state_after.as_str(),
        ],
    )?;
    Ok(c.last_insert_rowid())
}

fn to_json(d: Option<&Draft>) -> Result<Option<String>, StoreError> {
    d.map(|d| serde_json::to_string(d).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

const COLUMNS: &str =
    "id, guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after";

/// A revision row as stored; decoded in [`decode`] so bad JSON becomes a typed error.
struct RawRevision {
    id: i64,
    guild: i64,
    entry_id: String,
    action: String,
    actor_id: i64,
    actor_name: String,
    at: i64,
    before: Option<String>,
    after: Option<String>,
    state_after: String,
}

fn raw(r: &Row<'_>) -> rusqlite::Result<RawRevision> {
    Ok(RawRevision {
        id: r.get(0)?,
        guild: r.get(1)?,
        entry_id: r.get(2)?,
        action: r.get(3)?,
        actor_id: r.get(4)?,
        actor_name: r.get(5)?,
        at: r.get(6)?,
        before: r.get(7)?,
        after: r.get(8)?,
        state_after: r.get(9)?,
    })
}

fn decode(r: RawRevision) -> Result<Revision, StoreError> {
    let draft = |s: Option<String>| -> Result<Option<Draft>, StoreError> {
        s.map(|s| {
            serde_json::from_str(&s)
                .map_err(|e| StoreError::Corrupt(format!("revision #{}: {e}", r.id)))
        })
        .transpose()
    };
    Ok(Revision {
        id: r.id,
        guild: from_sql_id(r.guild),
        action: Action::parse(&r.action).ok_or_else(|| {
            StoreError::Corrupt(format!("revision #{}: unknown action '{}'", r.id, r.action))
        })?,
        actor: Actor::new(from_sql_id(r.actor_id), r.actor_name),
        at: r.at,
        before: draft(r.before)?,
        after: draft(r.after)?,
        state_after: State::parse(&r.state_after).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "revision #{}: unknown state '{}'",
                r.id, r.state_after
            ))
        })?,
        entry_id: r.entry_id,
    })
}

/// One revision of one id in one guild.
pub(crate) fn load(
    c: &Connection,
    guild: u64,
    entry_id: &str,
    revision: i64,
) -> Result<Option<Revision>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM revisions WHERE id = ?1 AND guild_id = ?2 AND entry_id = ?3"
    );
    c.query_row(&sql, params![revision, to_sql_id(guild), entry_id], raw)
        .optional()?
        .map(decode)
        .transpose()
}

impl Store {
    /// The guild's revisions, newest first: of one id, or of every id when `id` is `None`.
    pub fn history(
        &self,
        guild: u64,
        id: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Revision>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        self.read(|c| {
            // Two shapes, so each uses its index.
            let rows = match id {
                Some(id) => {
                    let sql = format!(
                        "SELECT {COLUMNS} FROM revisions WHERE guild_id = ?1 AND entry_id = ?2
                         ORDER BY id DESC LIMIT ?3 OFFSET ?4"
                    );
                    let mut st = c.prepare(&sql)?;
                    let rows = st.query_map(params![to_sql_id(guild), id, limit, offset], raw)?;
                    rows.collect::<Result<Vec<_>, _>>()?
                }
                None => {
                    let sql = format!(
                        "SELECT {COLUMNS} FROM revisions WHERE guild_id = ?1
                         ORDER BY id DESC LIMIT ?2 OFFSET ?3"
                    );
                    let mut st = c.prepare(&sql)?;
                    let rows = st.query_map(params![to_sql_id(guild), limit, offset], raw)?;
                    rows.collect::<Result<Vec<_>, _>>()?
                }
            };
            rows.into_iter().map(decode).collect()
        })
    }

    /// How many revisions an id has in the guild (every id when `id` is `None`).
    pub fn revision_count(&self, guild: u64, id: Option<&str>) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM revisions WHERE guild_id = ?1 AND (?2 IS NULL OR entry_id = ?2)",
                params![to_sql_id(guild), id],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}
