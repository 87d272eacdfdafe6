//! The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`. Writes go
//! through one connection behind a mutex (SQLite allows one writer, so revision ids commit
//! in order); reads use a small pool of their own connections, which WAL lets run while a
//! write is in progress.

use super::backend::{
    from_sql_id, json_draft, json_list, to_sql_id, Backend, NewRevision, NewRow, RawEntry,
    RawRevision,
};
use super::backend::{Cell, Cells, Param};
use super::{ChangeRef, CommunityEntry, Origin, Revision, State, StoreError};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{
    params, params_from_iter, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior,
};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 4;

pub(crate) struct Sqlite {
    pub path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl Sqlite {
    /// Opens (creating it and its folder on first run) the file and migrates its schema.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
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
        super::schema::migrate_sqlite(&mut writer, path)?;
        Ok(Sqlite {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` in one immediate transaction on the writer; commits when it returns `Ok`,
    /// flushed to disk unless `durable` is false.
    pub fn write<T>(
        &self,
        durable: bool,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        if !durable {
            // WAL with synchronous=NORMAL: the commit survives the process, not power loss.
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        let out = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&mut SqliteConn(&tx))?;
            tx.commit()?;
            Ok(out)
        })();
        if !durable {
            conn.pragma_update(None, "synchronous", "FULL")?;
        }
        out
    }

    /// Runs `f` on a pooled read connection.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.with_reader(|c| f(&mut SqliteConn(c)))
    }

    fn with_reader<T>(
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

    /// SQLite's own consistency check: `"ok"` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.with_reader(|c| {
            let mut st = c.prepare("PRAGMA integrity_check")?;
            let lines = st
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(lines.join("\n"))
        })
    }
}

/// A mutex guard even after a panic elsewhere: a panicking writer's transaction was rolled
/// back when it was dropped, so the connection is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A configured connection: durable commits, foreign keys, a busy timeout.
pub(crate) fn connect(path: &Path, create: bool) -> Result<Connection, StoreError> {
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

/// Columns of an entry row, with its latest revision id last.
const ENTRY_COLUMNS: &str = "e.guild_id, e.id, e.origin, e.state, e.kind, e.title, e.body,
    e.company, e.technologies, e.sources, e.created_at, e.updated_at,
    (SELECT MAX(r.id) FROM revisions r WHERE r.guild_id = e.guild_id AND r.entry_id = e.id)";

fn raw_entry(r: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        guild: r.get(0)?,
        id: r.get(1)?,
        origin: r.get(2)?,
        state: r.get(3)?,
        kind: r.get(4)?,
        title: r.get(5)?,
        text: r.get(6)?,
        company: r.get(7)?,
        technologies: r.get(8)?,
        sources: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        revision: r.get(12)?,
    })
}

const REVISION_COLUMNS: &str =
    "id, guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after, note";

fn raw_revision(r: &Row<'_>) -> rusqlite::Result<RawRevision> {
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
        note: r.get(10)?,
    })
}

fn sqlite_value(p: &Param<'_>) -> Value {
    match *p {
        Param::Int(Some(n)) => Value::Integer(n),
        Param::Text(Some(t)) => Value::Text(t.to_string()),
        Param::Int(None) | Param::Text(None) => Value::Null,
    }
}

/// A connection or a transaction (which dereferences to one) running the store's queries.
pub(crate) struct SqliteConn<'a>(pub &'a Connection);

impl SqliteConn<'_> {
    /// Rows of `entries e` chosen, ordered and limited by `tail` (from WHERE on).
    fn entries(
        &self,
        tail: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries e {tail}");
        let mut st = self.0.prepare_cached(&sql)?;
        let rows = st
            .query_map(args, raw_entry)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(RawEntry::decode).collect()
    }

    fn revisions(
        &self,
        tail: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<Revision>, StoreError> {
        let sql = format!("SELECT {REVISION_COLUMNS} FROM revisions {tail}");
        let mut st = self.0.prepare_cached(&sql)?;
        let rows = st
            .query_map(args, raw_revision)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(RawRevision::decode).collect()
    }
}

impl Backend for SqliteConn<'_> {
    fn entry(&mut self, guild: u64, id: &str) -> Result<Option<CommunityEntry>, StoreError> {
        let sql =
            format!("SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.guild_id = ?1 AND e.id = ?2");
        self.0
            .query_row(&sql, params![to_sql_id(guild), id], raw_entry)
            .optional()?
            .map(RawEntry::decode)
            .transpose()
    }

    fn entries_in(&mut self, guild: u64, state: State) -> Result<Vec<CommunityEntry>, StoreError> {
        self.entries(
            "WHERE e.guild_id = ?1 AND e.state = ?2 ORDER BY e.id",
            params![to_sql_id(guild), state.as_str()],
        )
    }

    fn shown_rows(
        &mut self,
        after: Option<(u64, &str)>,
        limit: i64,
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        match after {
            None => self.entries(
                "WHERE e.state IN ('live', 'hidden') ORDER BY e.guild_id, e.id LIMIT ?1",
                params![limit],
            ),
            Some((g, id)) => self.entries(
                "WHERE e.state IN ('live', 'hidden') AND (e.guild_id, e.id) > (?1, ?2)
                 ORDER BY e.guild_id, e.id LIMIT ?3",
                params![to_sql_id(g), id, limit],
            ),
        }
    }

    fn id_taken(&mut self, guild: u64, id: &str) -> Result<bool, StoreError> {
        Ok(self.0.query_row(
            "SELECT EXISTS (SELECT 1 FROM entries WHERE guild_id = ?1 AND id = ?2)",
            params![to_sql_id(guild), id],
            |r| r.get(0),
        )?)
    }

    fn insert_entry(&mut self, row: &NewRow<'_>, origin: Origin) -> Result<(), StoreError> {
        let d = row.draft;
        self.0.execute(
            "INSERT INTO entries (guild_id, id, origin, state, kind, title, body, company,
                                  technologies, sources, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![
                to_sql_id(row.guild),
                row.id,
                origin.as_str(),
                row.state.as_str(),
                d.kind.as_str(),
                d.title,
                d.text,
                d.company,
                json_list(&d.technologies)?,
                json_list(&d.sources)?,
                row.now,
            ],
        )?;
        Ok(())
    }

    fn update_entry(&mut self, row: &NewRow<'_>) -> Result<(), StoreError> {
        let d = row.draft;
        self.0.execute(
            "UPDATE entries SET state = ?3, kind = ?4, title = ?5, body = ?6, company = ?7,
                    technologies = ?8, sources = ?9, updated_at = ?10
             WHERE guild_id = ?1 AND id = ?2",
            params![
                to_sql_id(row.guild),
                row.id,
                row.state.as_str(),
                d.kind.as_str(),
                d.title,
                d.text,
                d.company,
                json_list(&d.technologies)?,
                json_list(&d.sources)?,
                row.now,
            ],
        )?;
        Ok(())
    }

    fn append_revision(&mut self, r: &NewRevision<'_>) -> Result<i64, StoreError> {
        self.0.execute(
            "INSERT INTO revisions
                (guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after,
                 note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                to_sql_id(r.guild),
                r.entry_id,
                r.action.as_str(),
                to_sql_id(r.actor.id),
                r.actor.name,
                r.at,
                json_draft(r.before)?,
                json_draft(r.after)?,
                r.state_after.as_str(),
                r.note,
            ],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    fn revision(
        &mut self,
        guild: u64,
        id: &str,
        revision: i64,
    ) -> Result<Option<Revision>, StoreError> {
        let mut rows = self.revisions(
            "WHERE id = ?1 AND guild_id = ?2 AND entry_id = ?3",
            params![revision, to_sql_id(guild), id],
        )?;
        Ok(rows.pop())
    }

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
                "WHERE guild_id = ?1 AND entry_id = ?2 ORDER BY id DESC LIMIT ?3 OFFSET ?4",
                params![to_sql_id(guild), id, limit, offset],
            ),
            None => self.revisions(
                "WHERE guild_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
                params![to_sql_id(guild), limit, offset],
            ),
        }
    }

    fn revision_count(&mut self, guild: u64, id: Option<&str>) -> Result<i64, StoreError> {
        Ok(self.0.query_row(
            "SELECT COUNT(*) FROM revisions WHERE guild_id = ?1 AND (?2 IS NULL OR entry_id = ?2)",
            params![to_sql_id(guild), id],
            |r| r.get(0),
        )?)
    }

    fn changes_since(&mut self, after: i64, limit: i64) -> Result<Vec<ChangeRef>, StoreError> {
        let mut st = self.0.prepare_cached(
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
    }

    fn last_revision(&mut self) -> Result<i64, StoreError> {
        Ok(self
            .0
            .query_row("SELECT COALESCE(MAX(id), 0) FROM revisions", [], |r| {
                r.get(0)
            })?)
    }

    fn instance_id(&mut self) -> Result<String, StoreError> {
        Ok(self
            .0
            .query_row("SELECT value FROM meta WHERE key = 'instance'", [], |r| {
                r.get(0)
            })?)
    }

    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let mut st = self.0.prepare_cached(sql)?;
        Ok(st.execute(params_from_iter(params.iter().map(sqlite_value)))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Cells>, StoreError> {
        let mut st = self.0.prepare_cached(sql)?;
        let n = st.column_count();
        let mut rows = st.query(params_from_iter(params.iter().map(sqlite_value)))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut cells = Vec::with_capacity(n);
            for i in 0..n {
                cells.push(match r.get_ref(i)? {
                    ValueRef::Integer(v) => Cell::Int(v),
                    ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Null => Cell::Null,
                    other => {
                        return Err(StoreError::Corrupt(format!(
                            "column {i}: unexpected {:?}",
                            other.data_type()
                        )))
                    }
                });
            }
            out.push(Cells(cells));
        }
        Ok(out)
    }

    fn guild_ids(&mut self) -> Result<Vec<u64>, StoreError> {
        let mut st = self
            .0
            .prepare_cached("SELECT DISTINCT guild_id FROM entries ORDER BY guild_id")?;
        let ids = st
            .query_map([], |r| r.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids.into_iter().map(from_sql_id).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_commits_durably_with_foreign_keys_on() {
        let dir = tempfile::tempdir().unwrap();
        let db = Sqlite::open(&dir.path().join("s.db")).unwrap();
        let reader = connect(&db.path, false).unwrap();
        let sync: i64 = reader
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = reader
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!((sync, fk), (2, 1), "synchronous=FULL, foreign_keys=ON");
        let w = lock(&db.writer);
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
