//! The store's schema as an ordered list of migrations. `PRAGMA user_version` holds how many
//! have been applied; opening a store applies the missing ones in one transaction, and
//! refuses a file written by a newer build. Append new migrations; never edit old ones.

use super::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // v1: entries (one row per id touched in a guild) and the audit trail.
    "CREATE TABLE entries (
        guild_id     INTEGER NOT NULL,
        id           TEXT    NOT NULL,
        origin       TEXT    NOT NULL CHECK (origin IN ('community', 'base')),
        state        TEXT    NOT NULL CHECK (state IN ('live', 'removed', 'hidden', 'base')),
        kind         TEXT    NOT NULL,
        title        TEXT    NOT NULL,
        body         TEXT    NOT NULL,
        company      TEXT,
        technologies TEXT    NOT NULL,
        sources      TEXT    NOT NULL,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (guild_id, id)
    ) STRICT;
    CREATE TABLE revisions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id    INTEGER NOT NULL,
        entry_id    TEXT    NOT NULL,
        action      TEXT    NOT NULL,
        actor_id    INTEGER NOT NULL,
        actor_name  TEXT    NOT NULL,
        at          INTEGER NOT NULL,
        before      TEXT,
        after       TEXT,
        state_after TEXT    NOT NULL,
        FOREIGN KEY (guild_id, entry_id) REFERENCES entries (guild_id, id)
    ) STRICT;
    CREATE INDEX revisions_by_entry ON revisions (guild_id, entry_id, id);",
    // v2: guild-wide history and live listings without a table scan.
    "CREATE INDEX revisions_by_guild ON revisions (guild_id, id);
    CREATE INDEX entries_by_state ON entries (guild_id, state);",
    // v3: the store's identity, so a search index knows which store it was built from.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(16))));",
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every missing migration in one immediate transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known: VERSION,
        });
    }
    let start = usize::try_from(found).unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql)?;
        tracing::info!(version = i + 1, "store: applied migration");
    }
    if found < VERSION {
        tx.pragma_update(None, "user_version", VERSION)?;
    }
    tx.commit()?;
    Ok(())
}
