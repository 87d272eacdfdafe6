//! The shared backend: PostgreSQL, for several processes (HTTP replicas, shard ranges)
//! working on one community store. Connections come from an r2d2 pool of `postgres`
//! clients (tokio-postgres' blocking front end: the store's API is synchronous and runs on
//! blocking threads). Every write runs in one transaction that first takes a
//! transaction-scoped advisory lock: writes are serialised as in SQLite, so revision ids
//! become visible in order and followers of the change log miss none. A commit returns
//! only once PostgreSQL has flushed it (`synchronous_commit` is on by default).

use super::backend::Backend;
use super::backend::{Cell, Cells, Param};
use super::StoreError;
use postgres::types::{ToSql, Type};
use postgres::{GenericClient, NoTls};
use r2d2_postgres::PostgresConnectionManager;
use std::time::Duration;

/// The advisory lock every write holds until it commits (any constant shared by all
/// Archie processes; "ARCH" in ASCII).
pub(crate) const WRITE_LOCK: i64 = 0x4152_4348;
/// Connections kept by one process.
const POOL_SIZE: u32 = 8;
/// How long a connection may take to open (unless the URL sets `connect_timeout`), and how
/// long a caller waits for one from the pool.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request waits for a pooled connection (or a new one) once serving: well
/// inside Discord's 3 s, so that a store that is down is reported as such in time.
const POOL_WAIT: Duration = Duration::from_secs(2);

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

pub(crate) struct Postgres {
    pool: Pool,
    /// The URL without its password, for messages.
    pub shown: String,
}

impl Postgres {
    /// Connects to `url` and brings the schema up to date. The first connection is opened
    /// here, not by the pool: a refusal (a wrong password, an unknown database) then fails
    /// at once with PostgreSQL's own words, where r2d2 would retry until its timeout and
    /// report only "db error". The schema is migrated over that connection.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let shown = redact(url);
        let connect_error = |e: &postgres::Error, config: Option<&postgres::Config>| {
            let mut reason = reason(e);
            for secret in [
                password_in(url).map(str::as_bytes),
                config.and_then(|c| c.get_password()),
            ]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            {
                reason = reason.replace(&*String::from_utf8_lossy(secret), "***");
            }
            StoreError::Connect {
                url: shown.clone(),
                reason,
            }
        };
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| connect_error(&e, None))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        outside_runtime(|| {
            let mut first = config
                .connect(NoTls)
                .map_err(|e| connect_error(&e, Some(&config)))?;
            super::schema::migrate_postgres(&mut first, &shown)
        })?;
        // Serving connections give up on a server that does not answer within the wait.
        config.connect_timeout(POOL_WAIT);
        config.keepalives(true);
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(POOL_WAIT)
            .error_handler(Box::new(QuietPool))
            .build(manager)
            .map_err(|e| StoreError::Connect {
                url: shown.clone(),
                reason: e.to_string(),
            })?;
        Ok(Postgres { pool, shown })
    }

    fn client(
        &self,
    ) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, StoreError> {
        self.pool.get().map_err(|e| StoreError::Connect {
            url: self.shown.clone(),
            reason: e.to_string(),
        })
    }

    /// Runs `f` in one transaction holding the write lock; commits when it returns `Ok`,
    /// waiting for the flush unless `durable` is false.
    pub fn write<T>(
        &self,
        durable: bool,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut c = self.client()?;
        let mut tx = c.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        if !durable {
            // Committed without waiting for the flush: a crash of PostgreSQL itself may
            // lose the last moments of these, never a kill of Archie.
            tx.batch_execute("SET LOCAL synchronous_commit = off")?;
        }
        let out = f(&mut Pg(&mut tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a pooled connection.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut c = self.client()?;
        f(&mut Pg(&mut *c))
    }
}

/// Runs `f` on a thread of its own and waits for it. The synchronous client runs a small
/// runtime of its own to connect and to close, which panics on a thread that drives tokio:
/// a client made and dropped inside `f` is safe whoever calls.
fn outside_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// What went wrong, in PostgreSQL's own words when the server said it
/// (`FATAL: password authentication failed for user "archie"`, `FATAL: database "x" does
/// not exist`), else the driver's with its cause (`error connecting to server: Connection
/// refused (os error 111)`), on one line. `postgres::Error` alone shows only "db error".
pub(crate) fn reason(e: &postgres::Error) -> String {
    let text = match e.as_db_error() {
        Some(db) => db.to_string(),
        None => {
            let mut text = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                text = format!("{text}: {c}");
                cause = c.source();
            }
            text
        }
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The URL's user part and the rest: `user:secret@host/db` → (`Some("user:secret")`,
/// `"host"`, `"/db"`); `None` without an `@`. The query is not part of the path.
fn split_url(url: &str) -> Option<(&str, Option<&str>, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let path = path.split('?').next().unwrap_or_default();
    Some(match authority.rsplit_once('@') {
        Some((user, host)) => (scheme, Some(user), host, path),
        None => (scheme, None, authority, path),
    })
}

/// The password written in `url` (`postgres://user:secret@host` → `secret`).
fn password_in(url: &str) -> Option<&str> {
    let (_, user, _, _) = split_url(url)?;
    user?.split_once(':').map(|(_, password)| password)
}

/// The pool's failed connection attempts, at debug level with PostgreSQL's own words:
/// the store's health probe logs an outage once when it starts and once when it ends,
/// where r2d2 would log "db error" at every retry.
#[derive(Debug)]
struct QuietPool;

impl r2d2::HandleError<postgres::Error> for QuietPool {
    fn handle_error(&self, e: postgres::Error) {
        tracing::debug!(reason = %reason(&e), "a PostgreSQL connection attempt failed");
    }
}

/// `postgres://user:secret@host/db` → `postgres://user@host/db`: a password never reaches
/// a message or a log.
pub fn redact(url: &str) -> String {
    let Some((scheme, user, host, path)) = split_url(url) else {
        return "a PostgreSQL URL".to_string();
    };
    let authority = match user {
        Some(user) => {
            let user = user.split(':').next().unwrap_or_default();
            format!("{user}@{host}")
        }
        None => host.to_string(),
    };
    format!("{scheme}://{authority}{path}")
}

/// A portable parameter as PostgreSQL binds it (a NULL keeps its column's type).
fn pg_value<'a>(p: &'a Param<'_>) -> &'a (dyn ToSql + Sync) {
    match p {
        Param::Int(n) => n,
        Param::Text(t) => t,
    }
}

/// A client or a transaction running the store's queries.
pub(crate) struct Pg<'a, C: GenericClient>(pub &'a mut C);

impl<C: GenericClient> Backend for Pg<'_, C> {
    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let values: Vec<&(dyn ToSql + Sync)> = params.iter().map(pg_value).collect();
        Ok(self.0.execute(sql, &values)?)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Cells>, StoreError> {
        let values: Vec<&(dyn ToSql + Sync)> = params.iter().map(pg_value).collect();
        let mut out = Vec::new();
        for r in self.0.query(sql, &values)? {
            let mut cells = Vec::with_capacity(r.len());
            for (i, c) in r.columns().iter().enumerate() {
                let t = c.type_();
                let cell = if *t == Type::INT8 {
                    r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
                } else if *t == Type::INT4 {
                    r.try_get::<_, Option<i32>>(i)?.map(|n| Cell::Int(n.into()))
                } else if *t == Type::TEXT || *t == Type::VARCHAR {
                    r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
                } else {
                    return Err(StoreError::Corrupt(format!(
                        "column {i}: unexpected type {t}"
                    )));
                };
                cells.push(cell.unwrap_or(Cell::Null));
            }
            out.push(Cells(cells));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn the_password_of_a_url_is_found_to_be_kept_out_of_messages() {
        use super::password_in;
        assert_eq!(
            password_in("postgres://archie:s3cret@db/archie"),
            Some("s3cret")
        );
        assert_eq!(password_in("postgres://u:p@ss:w@host/db"), Some("p@ss:w"));
        assert_eq!(password_in("postgres://archie@db/archie"), None);
        assert_eq!(password_in("postgres://db/archie?password=x"), None);
    }

    #[test]
    fn a_password_never_reaches_the_shown_url() {
        assert_eq!(
            redact("postgres://archie:s3cret@db.internal:5432/archie?sslmode=disable"),
            "postgres://archie@db.internal:5432/archie"
        );
        assert_eq!(
            redact("postgresql://archie@localhost/archie"),
            "postgresql://archie@localhost/archie"
        );
        assert_eq!(redact("postgres://h"), "postgres://h");
        assert!(!redact("postgres://u:p@ss:w@host/db").contains("ss:w"));
    }
}
