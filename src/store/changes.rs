//! The change log other processes and the search index follow: every write appends a
//! revision with an increasing id, so "what changed after revision N" is the revisions
//! table read forward. Writes are serialised (one writer at a time), so ids become
//! visible in order and a follower that remembers the last id it applied misses nothing.

use super::entries::query;
use super::{from_sql_id, to_sql_id, CommunityEntry, Store, StoreError};
use rusqlite::params;

/// One id touched by a write: its guild, its id, and the revision that touched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRef {
    pub revision: i64,
    pub guild: u64,
    pub id: String,
}

impl Store {
    /// A random id given to the store when it was created: an index built from another
    /// store (or a restored backup of a different one) is recognised as stale.
    pub fn instance_id(&self) -> Result<String, StoreError> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT value FROM meta WHERE key = 'instance'", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    /// The id of the newest revision, 0 for an empty store.
    pub fn last_revision(&self) -> Result<i64, StoreError> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT COALESCE(MAX(id), 0) FROM revisions", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    /// At most `limit` revisions after `after`, oldest first, as the ids they touched.
    pub fn changes_since(&self, after: i64, limit: usize) -> Result<Vec<ChangeRef>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT id, guild_id, entry_id FROM revisions WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows = st.query_map(params![after, limit], |r| {
                Ok(ChangeRef {
                    revision: r.get(0)?,
                    guild: from_sql_id(r.get(1)?),
                    id: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The rows search shows or masks (live entries and hidden base ids), of every guild,
    /// `limit` at a time in (guild, id) order after `after`: for rebuilding an index.
    pub fn shown_rows(
        &self,
        after: Option<(u64, &str)>,
        limit: usize,
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|c| match after {
            None => query(
                c,
                "WHERE e.state IN ('live', 'hidden') ORDER BY e.guild_id, e.id LIMIT ?1",
                params![limit],
            ),
            Some((g, id)) => query(
                c,
                "WHERE e.state IN ('live', 'hidden') AND (e.guild_id, e.id) > (?1, ?2)
                 ORDER BY e.guild_id, e.id LIMIT ?3",
                params![to_sql_id(g), id, limit],
            ),
        })
    }
}
