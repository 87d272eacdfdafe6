//! The one store trait: the queries the store's logic runs, inside a write's transaction
//! or on a read connection. SQLite ([`super::sqlite`]) and PostgreSQL ([`super::postgres`])
//! implement it; everything above it (writes, imports, the change log, validation) is shared,
//! so both backends keep the same rules, the same audit trail and the same guarantees.

use super::{Action, Actor, ChangeRef, CommunityEntry, Draft, Origin, Revision, State, StoreError};
use crate::knowledge::Kind;

/// The store's queries. Ids are Discord snowflakes; backends store them as signed 64-bit
/// integers with every bit kept ([`to_sql_id`]).
pub(crate) trait Backend {
    /// One id's row in one guild, whatever its state.
    fn entry(&mut self, guild: u64, id: &str) -> Result<Option<CommunityEntry>, StoreError>;
    /// The guild's rows in `state`, by id.
    fn entries_in(&mut self, guild: u64, state: State) -> Result<Vec<CommunityEntry>, StoreError>;
    /// Live and hidden rows of every guild after `after`, in (guild, id) order.
    fn shown_rows(
        &mut self,
        after: Option<(u64, &str)>,
        limit: i64,
    ) -> Result<Vec<CommunityEntry>, StoreError>;
    /// Whether the guild has a row with this id (in any state).
    fn id_taken(&mut self, guild: u64, id: &str) -> Result<bool, StoreError>;
    fn insert_entry(&mut self, row: &NewRow<'_>, origin: Origin) -> Result<(), StoreError>;
    fn update_entry(&mut self, row: &NewRow<'_>) -> Result<(), StoreError>;
    /// Appends a revision; returns its id (ids increase with every write).
    fn append_revision(&mut self, r: &NewRevision<'_>) -> Result<i64, StoreError>;
    /// One revision of one id in one guild.
    fn revision(
        &mut self,
        guild: u64,
        id: &str,
        revision: i64,
    ) -> Result<Option<Revision>, StoreError>;
    /// The guild's revisions newest first, of one id or of all.
    fn history(
        &mut self,
        guild: u64,
        id: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Revision>, StoreError>;
    fn revision_count(&mut self, guild: u64, id: Option<&str>) -> Result<i64, StoreError>;
    /// Revisions after `after`, oldest first.
    fn changes_since(&mut self, after: i64, limit: i64) -> Result<Vec<ChangeRef>, StoreError>;
    fn last_revision(&mut self) -> Result<i64, StoreError>;
    fn instance_id(&mut self) -> Result<String, StoreError>;
    /// Every guild with a row, ascending.
    fn guild_ids(&mut self) -> Result<Vec<u64>, StoreError>;
    /// Runs one statement written once for both backends ([`Param`]s as `$1`, `$2`… in
    /// order of first use; plain SQL both accept); returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError>;
    /// Runs one query written once for both backends; integer and text columns only.
    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Cells>, StoreError>;
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
    pub action: Action,
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

/// An entry row as either backend reads it; [`RawEntry::decode`] turns bad values into a
/// typed error instead of a panic.
pub(crate) struct RawEntry {
    pub guild: i64,
    pub id: String,
    pub origin: String,
    pub state: String,
    pub kind: String,
    pub title: String,
    pub text: String,
    pub company: Option<String>,
    pub technologies: String,
    pub sources: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub revision: Option<i64>,
}

impl RawEntry {
    pub fn decode(self) -> Result<CommunityEntry, StoreError> {
        let r = self;
        let bad = |what: &str| StoreError::Corrupt(format!("entry '{}': {what}", r.id));
        let list = |s: &str| -> Result<Vec<String>, StoreError> {
            serde_json::from_str(s).map_err(|e| bad(&format!("bad list: {e}")))
        };
        Ok(CommunityEntry {
            guild: from_sql_id(r.guild),
            origin: Origin::parse(&r.origin).ok_or_else(|| bad("unknown origin"))?,
            state: State::parse(&r.state).ok_or_else(|| bad("unknown state"))?,
            draft: Draft {
                kind: Kind::parse(&r.kind).ok_or_else(|| bad("unknown kind"))?,
                technologies: list(&r.technologies)?,
                sources: list(&r.sources)?,
                title: r.title,
                text: r.text,
                company: r.company,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
            revision: r.revision.unwrap_or(0),
            id: r.id,
        })
    }
}

/// A revision row as either backend reads it.
pub(crate) struct RawRevision {
    pub id: i64,
    pub guild: i64,
    pub entry_id: String,
    pub action: String,
    pub actor_id: i64,
    pub actor_name: String,
    pub at: i64,
    pub before: Option<String>,
    pub after: Option<String>,
    pub state_after: String,
    pub note: Option<String>,
}

impl RawRevision {
    pub fn decode(self) -> Result<Revision, StoreError> {
        let r = self;
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
            note: r.note,
        })
    }
}
