//! Reading the audit trail: a guild's history newest first. Revisions are appended by the
//! writes (`writes.rs`) inside their transaction.

use super::{Revision, Store, StoreError};

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
        self.read(|b| b.history(guild, id, offset, limit))
    }

    /// How many revisions an id has in the guild (every id when `id` is `None`).
    pub fn revision_count(&self, guild: u64, id: Option<&str>) -> Result<u64, StoreError> {
        let n = self.read(|b| b.revision_count(guild, id))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
