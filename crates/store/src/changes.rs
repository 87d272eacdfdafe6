//! The change log other processes and the search index follow: every write appends a
//! revision with an increasing id, so "what changed after revision N" is the revisions
//! table read forward. Writes are serialised (one writer at a time), so ids become
//! visible in order and a follower that remembers the last id it applied misses nothing.

use super::{CommunityEntry, Store, StoreError};

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
        self.read(|b| b.instance_id())
    }

    /// The id of the newest revision, 0 for an empty store.
    pub fn last_revision(&self) -> Result<i64, StoreError> {
        self.read(|b| b.last_revision())
    }

    /// At most `limit` revisions after `after`, oldest first, as the ids they touched.
    pub fn changes_since(&self, after: i64, limit: usize) -> Result<Vec<ChangeRef>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|b| b.changes_since(after, limit))
    }

    /// The rows search shows or masks (live entries and hidden base ids), of every guild,
    /// `limit` at a time in (guild, id) order after `after`: for rebuilding an index.
    pub fn shown_rows(
        &self,
        after: Option<(u64, &str)>,
        limit: usize,
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|b| b.shown_rows(after, limit))
    }
}
