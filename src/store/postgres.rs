//! The shared backend: PostgreSQL, for several processes (HTTP replicas, shard ranges)
//! working on one community store. Connections come from an r2d2 pool of `postgres`
//! clients (tokio-postgres' blocking front end: the store's API is synchronous and runs on
//! blocking threads). Every write runs in one transaction that first takes a
//! transaction-scoped advisory lock: writes are serialised as in SQLite, so revision ids
//! become visible in order and followers of the change log miss none. A commit returns
//! only once PostgreSQL has flushed it (`synchronous_commit` is on by default).

use super::backend::{
    from_sql_id, json_draft, json_list, to_sql_id, Backend, NewRevision, NewRow, RawEntry,
    RawRevision,
};
use super::backend::{Cell, Cells, Param};
use super::{ChangeRef, CommunityEntry, Origin, Revision, State, StoreError};
use postgres::types::{ToSql, Type};
use postgres::{GenericClient, NoTls, Row};
use r2d2_postgres::PostgresConnectionManager;
use std::time::Duration;

/// The advisory lock every write holds until it commits (any constant shared by all
/// Archie processes; "ARCH" in ASCII).
pub(crate) const WRITE_LOCK: i64 = 0x4152_4348;
/// Connections kept by one process.
const POOL_SIZE: u32 = 8;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

pub(crate) struct Postgres {
    pool: Pool,
    /// The URL without its password, for messages.
    pub shown: String,
}

impl Postgres {
    /// Connects to `url` and brings the schema up to date.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let shown = redact(url);
        let config: postgres::Config =
            url.parse()
                .map_err(|e: postgres::Error| StoreError::Connect {
                    url: shown.clone(),
                    reason: e.to_string(),
                })?;
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(|e| StoreError::Connect {
                url: shown.clone(),
                reason: e.to_string(),
            })?;
        let db = Postgres { pool, shown };
        {
            let mut c = db.client()?;
            super::schema::migrate_postgres(&mut c, &db.shown)?;
        }
        Ok(db)
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

/// `postgres://user:secret@host/db` → `postgres://user@host/db`: a password never reaches
/// a message or a log.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "a PostgreSQL URL".to_string();
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let path = path.split('?').next().unwrap_or_default();
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or_default();
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{path}")
}

const ENTRY_COLUMNS: &str = "e.guild_id, e.id, e.origin, e.state, e.kind, e.title, e.body,
    e.company, e.technologies, e.sources, e.created_at, e.updated_at,
    (SELECT MAX(r.id) FROM revisions r WHERE r.guild_id = e.guild_id AND r.entry_id = e.id)";

fn raw_entry(r: &Row) -> Result<RawEntry, postgres::Error> {
    Ok(RawEntry {
        guild: r.try_get(0)?,
        id: r.try_get(1)?,
        origin: r.try_get(2)?,
        state: r.try_get(3)?,
        kind: r.try_get(4)?,
        title: r.try_get(5)?,
        text: r.try_get(6)?,
        company: r.try_get(7)?,
        technologies: r.try_get(8)?,
        sources: r.try_get(9)?,
        created_at: r.try_get(10)?,
        updated_at: r.try_get(11)?,
        revision: r.try_get(12)?,
    })
}

const REVISION_COLUMNS: &str =
    "id, guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after, note";

fn raw_revision(r: &Row) -> Result<RawRevision, postgres::Error> {
    Ok(RawRevision {
        id: r.try_get(0)?,
        guild: r.try_get(1)?,
        entry_id: r.try_get(2)?,
        action: r.try_get(3)?,
        actor_id: r.try_get(4)?,
        actor_name: r.try_get(5)?,
        at: r.try_get(6)?,
        before: r.try_get(7)?,
        after: r.try_get(8)?,
        state_after: r.try_get(9)?,
        note: r.try_get(10)?,
    })
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

type Params<'p> = [&'p (dyn postgres::types::ToSql + Sync)];

impl<C: GenericClient> Pg<'_, C> {
    fn entries(
        &mut self,
        tail: &str,
        args: &Params<'_>,
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries e {tail}");
        let rows = self.0.query(&sql, args)?;
        rows.iter()
            .map(|r| raw_entry(r).map_err(StoreError::from)?.decode())
            .collect()
    }

    fn revisions(&mut self, tail: &str, args: &Params<'_>) -> Result<Vec<Revision>, StoreError> {
        let sql = format!("SELECT {REVISION_COLUMNS} FROM revisions {tail}");
        let rows = self.0.query(&sql, args)?;
        rows.iter()
            .map(|r| raw_revision(r).map_err(StoreError::from)?.decode())
            .collect()
    }
}

impl<C: GenericClient> Backend for Pg<'_, C> {
    fn entry(&mut self, guild: u64, id: &str) -> Result<Option<CommunityEntry>, StoreError> {
        let mut rows = self.entries(
            "WHERE e.guild_id = $1 AND e.id = $2",
            &[&to_sql_id(guild), &id],
        )?;
        Ok(rows.pop())
    }

    fn entries_in(&mut self, guild: u64, state: State) -> Result<Vec<CommunityEntry>, StoreError> {
        self.entries(
            "WHERE e.guild_id = $1 AND e.state = $2 ORDER BY e.id",
            &[&to_sql_id(guild), &state.as_str()],
        )
    }

    fn shown_rows(
        &mut self,
        after: Option<(u64, &str)>,
        limit: i64,
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        match after {
            None => self.entries(
                "WHERE e.state IN ('live', 'hidden') ORDER BY e.guild_id, e.id LIMIT $1",
                &[&limit],
            ),
            Some((g, id)) => self.entries(
                "WHERE e.state IN ('live', 'hidden') AND (e.guild_id, e.id) > ($1, $2)
                 ORDER BY e.guild_id, e.id LIMIT $3",
                &[&to_sql_id(g), &id, &limit],
            ),
        }
    }

    fn id_taken(&mut self, guild: u64, id: &str) -> Result<bool, StoreError> {
        let row = self.0.query_one(
            "SELECT EXISTS (SELECT 1 FROM entries WHERE guild_id = $1 AND id = $2)",
            &[&to_sql_id(guild), &id],
        )?;
        Ok(row.try_get(0)?)
    }

    fn insert_entry(&mut self, row: &NewRow<'_>, origin: Origin) -> Result<(), StoreError> {
        let d = row.draft;
        self.0.execute(
            "INSERT INTO entries (guild_id, id, origin, state, kind, title, body, company,
                                  technologies, sources, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
            &[
                &to_sql_id(row.guild),
                &row.id,
                &origin.as_str(),
                &row.state.as_str(),
                &d.kind.as_str(),
                &d.title,
                &d.text,
                &d.company,
                &json_list(&d.technologies)?,
                &json_list(&d.sources)?,
                &row.now,
            ],
        )?;
        Ok(())
    }

    fn update_entry(&mut self, row: &NewRow<'_>) -> Result<(), StoreError> {
        let d = row.draft;
        self.0.execute(
            "UPDATE entries SET state = $3, kind = $4, title = $5, body = $6, company = $7,
                    technologies = $8, sources = $9, updated_at = $10
             WHERE guild_id = $1 AND id = $2",
            &[
                &to_sql_id(row.guild),
                &row.id,
                &row.state.as_str(),
                &d.kind.as_str(),
                &d.title,
                &d.text,
                &d.company,
                &json_list(&d.technologies)?,
                &json_list(&d.sources)?,
                &row.now,
            ],
        )?;
        Ok(())
    }

    fn append_revision(&mut self, r: &NewRevision<'_>) -> Result<i64, StoreError> {
        let row = self.0.query_one(
            "INSERT INTO revisions
                (guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after,
                 note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &[
                &to_sql_id(r.guild),
                &r.entry_id,
                &r.action.as_str(),
                &to_sql_id(r.actor.id),
                &r.actor.name,
                &r.at,
                &json_draft(r.before)?,
                &json_draft(r.after)?,
                &r.state_after.as_str(),
                &r.note,
            ],
        )?;
        Ok(row.try_get(0)?)
    }

    fn revision(
        &mut self,
        guild: u64,
        id: &str,
        revision: i64,
    ) -> Result<Option<Revision>, StoreError> {
        let mut rows = self.revisions(
            "WHERE id = $1 AND guild_id = $2 AND entry_id = $3",
            &[&revision, &to_sql_id(guild), &id],
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
        match id {
            Some(id) => self.revisions(
                "WHERE guild_id = $1 AND entry_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4",
                &[&to_sql_id(guild), &id, &limit, &offset],
            ),
            None => self.revisions(
                "WHERE guild_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                &[&to_sql_id(guild), &limit, &offset],
            ),
        }
    }

    fn revision_count(&mut self, guild: u64, id: Option<&str>) -> Result<i64, StoreError> {
        let row = match id {
            Some(id) => self.0.query_one(
                "SELECT COUNT(*) FROM revisions WHERE guild_id = $1 AND entry_id = $2",
                &[&to_sql_id(guild), &id],
            )?,
            None => self.0.query_one(
                "SELECT COUNT(*) FROM revisions WHERE guild_id = $1",
                &[&to_sql_id(guild)],
            )?,
        };
        Ok(row.try_get(0)?)
    }

    fn changes_since(&mut self, after: i64, limit: i64) -> Result<Vec<ChangeRef>, StoreError> {
        let rows = self.0.query(
            "SELECT id, guild_id, entry_id FROM revisions WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &limit],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ChangeRef {
                    revision: r.try_get(0)?,
                    guild: from_sql_id(r.try_get(1)?),
                    id: r.try_get(2)?,
                })
            })
            .collect()
    }

    fn last_revision(&mut self) -> Result<i64, StoreError> {
        let row = self
            .0
            .query_one("SELECT COALESCE(MAX(id), 0)::BIGINT FROM revisions", &[])?;
        Ok(row.try_get(0)?)
    }

    fn instance_id(&mut self) -> Result<String, StoreError> {
        let row = self
            .0
            .query_one("SELECT value FROM meta WHERE key = 'instance'", &[])?;
        Ok(row.try_get(0)?)
    }

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

    fn guild_ids(&mut self) -> Result<Vec<u64>, StoreError> {
        let rows = self.0.query(
            "SELECT DISTINCT guild_id FROM entries ORDER BY guild_id",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok(from_sql_id(r.try_get(0)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

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
