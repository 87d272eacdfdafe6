//! The community store: moderator-curated entries of one Discord guild and their audit
//! trail, kept durable in a SQLite file (WAL, `synchronous=FULL`).
//!
//! - Community entries (`kb-…` ids) are created with [`Store::add`] and belong to one guild.
//! - Base entries of `knowledge/` keep their id: [`Store::edit`] of a base id creates a
//!   guild-local override, [`Store::remove`] hides it in that guild only, and
//!   [`Store::restore_base`] undoes either, so the base entry shows again.
//! - Every write runs in one transaction that changes the entry and appends a [`Revision`],
//!   and returns only after COMMIT: an acknowledged change survives a crash.
//! - Every read and write takes the guild id; nothing reads or writes another guild's rows.
//!
//! The API is synchronous: async callers use `spawn_blocking`. Validation of user input is
//! pure and lives in [`validate`]; [`diff()`] renders a revision for humans; [`import`] moves
//! entries in and out as JSON.

mod changes;
pub mod diff;
mod entries;
mod error;
pub mod import;
mod model;
mod revisions;
pub mod schema;
pub mod validate;
mod writes;

pub use changes::ChangeRef;
pub use diff::diff;
pub use entries::{Duplicate, DuplicateField};
pub use error::StoreError;
pub use import::{ImportPlan, Invalid, PlannedAdd, PlannedChange, Skipped};
pub use model::*;
pub use validate::{RawDraft, ValidationError};
pub use writes::is_community_id;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The current time in unix seconds; injectable so tests control revision times.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 4;

/// The community store. `Send + Sync`: share it behind an `Arc`. Writes go through one
/// connection behind a mutex (SQLite allows one writer); reads use a small pool of their
/// own connections, which WAL lets run while a write is in progress.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    clock: Clock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The system clock in unix seconds.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

impl Store {
    /// Opens (creating it and its folder on first run) the store at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_clock(path, system_clock())
    }

    /// [`Store::open`] with the clock revisions are stamped with.
    pub fn open_with_clock(path: &Path, clock: Clock) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let mut writer = connect(path, true)?;
        let mode: String = writer
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal {
                path: path.to_path_buf(),
                mode,
            });
        }
        schema::migrate(&mut writer, path)?;
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            clock,
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's own consistency check: `"ok"` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.read(|c| {
            let mut st = c.prepare("PRAGMA integrity_check")?;
            let lines = st
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(lines.join("\n"))
        })
    }

    /// Every guild with at least one row (entry, override or hidden id), ascending.
    pub fn guild_ids(&self) -> Result<Vec<u64>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare("SELECT DISTINCT guild_id FROM entries ORDER BY guild_id")?;
            let ids = st
                .query_map([], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ids.into_iter().map(from_sql_id).collect())
        })
    }

    fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Runs `f` in one immediate transaction on the writer; commits when it returns `Ok`.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx, self.now())?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a pooled read connection.
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = lock(&self.readers).pop();
        let conn = match pooled {
            Some(c) => c,
            None => connect(&self.path, false)?,
        };
        let out = f(&conn);
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }
}

/// A mutex guard even after a panic elsewhere: a panicking writer's transaction was rolled
/// back when it was dropped, so the connection is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A configured connection: durable commits, foreign keys, a busy timeout.
fn connect(path: &Path, create: bool) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let open = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(path, flags).map_err(open)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(open)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open)?;
    Ok(conn)
}

/// Discord ids are u64 snowflakes; SQLite integers are i64. The cast keeps every bit.
fn to_sql_id(id: u64) -> i64 {
    id as i64
}

fn from_sql_id(id: i64) -> u64 {
    id as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_commits_durably_with_foreign_keys_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let reader = connect(store.path(), false).unwrap();
        let sync: i64 = reader
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = reader
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!((sync, fk), (2, 1), "synchronous=FULL, foreign_keys=ON");
        let w = lock(&store.writer);
        let sync: i64 = w.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        let mode: String = w
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!((sync, mode.as_str()), (2, "wal"));
    }

    #[test]
    fn guild_ids_keep_every_bit_of_a_snowflake() {
        for id in [0, 1, u64::MAX, 1 << 63, 1_234_567_890_123_456_789] {
            assert_eq!(from_sql_id(to_sql_id(id)), id);
        }
    }
}
