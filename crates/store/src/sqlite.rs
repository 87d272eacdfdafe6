//! The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`. Writes go
//! through one connection behind a mutex (SQLite allows one writer, so revision ids commit
//! in order); reads use a small pool of their own connections, which WAL lets run while a
//! write is in progress.

use super::backend::Backend;
use super::backend::{Cell, Cells, Param};
use super::StoreError;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
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

/// Binds `params[i]` to `$i+1` wherever it appears: SQLite numbers `$N` parameters by first
/// appearance, PostgreSQL by N, so binding by name keeps one statement right on both.
fn bind(st: &mut rusqlite::CachedStatement<'_>, params: &[Param<'_>]) -> Result<(), StoreError> {
    for (i, p) in params.iter().enumerate() {
        let name = format!("${}", i + 1);
        let Some(at) = st.parameter_index(&name)? else {
            return Err(StoreError::Corrupt(format!("the statement has no {name}")));
        };
        st.raw_bind_parameter(at, sqlite_value(p))?;
    }
    if st.parameter_count() != params.len() {
        return Err(StoreError::Corrupt(format!(
            "the statement takes {} parameters, {} given",
            st.parameter_count(),
            params.len()
        )));
    }
    Ok(())
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

impl Backend for SqliteConn<'_> {
    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let mut st = self.0.prepare_cached(sql)?;
        bind(&mut st, params)?;
        Ok(st.raw_execute()? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Cells>, StoreError> {
        let mut st = self.0.prepare_cached(sql)?;
        let n = st.column_count();
        bind(&mut st, params)?;
        let mut rows = st.raw_query();
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
}
