//! The store's schema as ordered lists of migrations, one per backend, with the same
//! versions: version `n` has the same tables and meaning in SQLite and in PostgreSQL.
//! SQLite keeps the applied count in `PRAGMA user_version`, PostgreSQL in the table
//! `archie_schema`. Opening a store applies the missing migrations in one transaction, and
//! refuses a database written by a newer build. Append new migrations; never edit old ones.

use super::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// SQLite: migration `i` takes the schema from version `i` to `i + 1`.
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
    INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(16))));", // v4: the curation loop: questions asked, votes on answers, gaps, member proposals,
    // per-server settings; revisions say what a change came from; a secret that keys
    // members' votes.
    "CREATE TABLE asks (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id   INTEGER NOT NULL,
        qkey       TEXT   NOT NULL,
        question   TEXT   NOT NULL,
        answered   INTEGER NOT NULL,
        kind       TEXT,
        shown      TEXT   NOT NULL,
        at         INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX asks_by_guild ON asks (guild_id, at);
    CREATE INDEX asks_by_question ON asks (guild_id, qkey, id);
    CREATE TABLE votes (
        guild_id   INTEGER NOT NULL,
        ask_id     INTEGER NOT NULL REFERENCES asks (id),
        member_key TEXT   NOT NULL,
        vote       TEXT   NOT NULL CHECK (vote IN ('up', 'down')),
        note       TEXT,
        raised     INTEGER NOT NULL,
        at         INTEGER NOT NULL,
        PRIMARY KEY (ask_id, member_key)
    ) STRICT;
    CREATE INDEX votes_by_guild ON votes (guild_id, at);
    CREATE TABLE gaps (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id   INTEGER NOT NULL,
        question   TEXT   NOT NULL,
        signature  TEXT   NOT NULL,
        asked      INTEGER NOT NULL,
        state      TEXT   NOT NULL CHECK (state IN ('open', 'answered', 'dismissed')),
        notes      TEXT   NOT NULL,
        entry_id   TEXT,
        closed_by  INTEGER,
        first_at   INTEGER NOT NULL,
        last_at    INTEGER NOT NULL,
        closed_at  INTEGER
    ) STRICT;
    CREATE INDEX gaps_by_state ON gaps (guild_id, state, asked, id);
    CREATE TABLE proposals (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id      INTEGER NOT NULL,
        entry_id      TEXT,
        draft         TEXT   NOT NULL,
        proposer_id   INTEGER NOT NULL,
        proposer_name TEXT   NOT NULL,
        state         TEXT   NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
        reason        TEXT,
        reviewer_id   INTEGER,
        reviewer_name TEXT,
        result_id     TEXT,
        created_at    INTEGER NOT NULL,
        decided_at    INTEGER
    ) STRICT;
    CREATE INDEX proposals_by_state ON proposals (guild_id, state, id);
    CREATE INDEX proposals_by_proposer ON proposals (guild_id, proposer_id, id);
    CREATE TABLE guild_settings (
        guild_id      INTEGER PRIMARY KEY,
        proposals_off INTEGER NOT NULL
    ) STRICT;
    ALTER TABLE revisions ADD COLUMN note TEXT;
    INSERT INTO meta (key, value) VALUES ('member_key', lower(hex(randomblob(32))));",
    // v5: quizzes and the answers members gave, for scores per server.
    "CREATE TABLE quizzes (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id   INTEGER NOT NULL,
        question   TEXT   NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX quizzes_by_guild ON quizzes (guild_id, id);
    CREATE TABLE quiz_answers (
        quiz_id     INTEGER NOT NULL REFERENCES quizzes (id),
        guild_id    INTEGER NOT NULL,
        member_id   INTEGER NOT NULL,
        member_name TEXT   NOT NULL,
        choice      INTEGER NOT NULL,
        correct     INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (quiz_id, member_id)
    ) STRICT;
    CREATE INDEX quiz_answers_by_member ON quiz_answers (guild_id, member_id);",
];

/// PostgreSQL: the same versions as [`MIGRATIONS`]. Ids sort bytewise (`COLLATE "C"`), as
/// in SQLite, so pages and listings come in the same order on both backends.
pub const POSTGRES_MIGRATIONS: &[&str] = &[
    // v1: entries (one row per id touched in a guild) and the audit trail.
    r#"CREATE TABLE entries (
        guild_id     BIGINT NOT NULL,
        id           TEXT   COLLATE "C" NOT NULL,
        origin       TEXT   NOT NULL CHECK (origin IN ('community', 'base')),
        state        TEXT   NOT NULL CHECK (state IN ('live', 'removed', 'hidden', 'base')),
        kind         TEXT   NOT NULL,
        title        TEXT   NOT NULL,
        body         TEXT   NOT NULL,
        company      TEXT,
        technologies TEXT   NOT NULL,
        sources      TEXT   NOT NULL,
        created_at   BIGINT NOT NULL,
        updated_at   BIGINT NOT NULL,
        PRIMARY KEY (guild_id, id)
    );
    CREATE TABLE revisions (
        id          BIGSERIAL PRIMARY KEY,
        guild_id    BIGINT NOT NULL,
        entry_id    TEXT   COLLATE "C" NOT NULL,
        action      TEXT   NOT NULL,
        actor_id    BIGINT NOT NULL,
        actor_name  TEXT   NOT NULL,
        at          BIGINT NOT NULL,
        before      TEXT,
        after       TEXT,
        state_after TEXT   NOT NULL,
        FOREIGN KEY (guild_id, entry_id) REFERENCES entries (guild_id, id)
    );
    CREATE INDEX revisions_by_entry ON revisions (guild_id, entry_id, id);"#,
    // v2: guild-wide history and live listings without a table scan.
    "CREATE INDEX revisions_by_guild ON revisions (guild_id, id);
    CREATE INDEX entries_by_state ON entries (guild_id, state);",
    // v3: the store's identity, so a search index knows which store it was built from.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta (key, value) VALUES ('instance', replace(gen_random_uuid()::text, '-', ''));", // v4: the curation loop: questions asked, votes on answers, gaps, member proposals,
    // per-server settings; revisions say what a change came from; a secret that keys
    // members' votes.
    "CREATE TABLE asks (
        id         BIGSERIAL PRIMARY KEY,
        guild_id   BIGINT NOT NULL,
        qkey       TEXT   NOT NULL,
        question   TEXT   NOT NULL,
        answered   BIGINT NOT NULL,
        kind       TEXT,
        shown      TEXT   NOT NULL,
        at         BIGINT NOT NULL
    );
    CREATE INDEX asks_by_guild ON asks (guild_id, at);
    CREATE INDEX asks_by_question ON asks (guild_id, qkey, id);
    CREATE TABLE votes (
        guild_id   BIGINT NOT NULL,
        ask_id     BIGINT NOT NULL REFERENCES asks (id),
        member_key TEXT   NOT NULL,
        vote       TEXT   NOT NULL CHECK (vote IN ('up', 'down')),
        note       TEXT,
        raised     BIGINT NOT NULL,
        at         BIGINT NOT NULL,
        PRIMARY KEY (ask_id, member_key)
    );
    CREATE INDEX votes_by_guild ON votes (guild_id, at);
    CREATE TABLE gaps (
        id         BIGSERIAL PRIMARY KEY,
        guild_id   BIGINT NOT NULL,
        question   TEXT   NOT NULL,
        signature  TEXT   NOT NULL,
        asked      BIGINT NOT NULL,
        state      TEXT   NOT NULL CHECK (state IN ('open', 'answered', 'dismissed')),
        notes      TEXT   NOT NULL,
        entry_id   TEXT,
        closed_by  BIGINT,
        first_at   BIGINT NOT NULL,
        last_at    BIGINT NOT NULL,
        closed_at  BIGINT
    );
    CREATE INDEX gaps_by_state ON gaps (guild_id, state, asked, id);
    CREATE TABLE proposals (
        id            BIGSERIAL PRIMARY KEY,
        guild_id      BIGINT NOT NULL,
        entry_id      TEXT,
        draft         TEXT   NOT NULL,
        proposer_id   BIGINT NOT NULL,
        proposer_name TEXT   NOT NULL,
        state         TEXT   NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
        reason        TEXT,
        reviewer_id   BIGINT,
        reviewer_name TEXT,
        result_id     TEXT,
        created_at    BIGINT NOT NULL,
        decided_at    BIGINT
    );
    CREATE INDEX proposals_by_state ON proposals (guild_id, state, id);
    CREATE INDEX proposals_by_proposer ON proposals (guild_id, proposer_id, id);
    CREATE TABLE guild_settings (
        guild_id      BIGINT PRIMARY KEY,
        proposals_off BIGINT NOT NULL
    );
    ALTER TABLE revisions ADD COLUMN note TEXT;
    INSERT INTO meta (key, value) VALUES ('member_key',
        replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));",
    // v5: quizzes and the answers members gave, for scores per server.
    "CREATE TABLE quizzes (
        id         BIGSERIAL PRIMARY KEY,
        guild_id   BIGINT NOT NULL,
        question   TEXT   NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX quizzes_by_guild ON quizzes (guild_id, id);
    CREATE TABLE quiz_answers (
        quiz_id     BIGINT NOT NULL REFERENCES quizzes (id),
        guild_id    BIGINT NOT NULL,
        member_id   BIGINT NOT NULL,
        member_name TEXT   NOT NULL,
        choice      BIGINT NOT NULL,
        correct     BIGINT NOT NULL,
        at          BIGINT NOT NULL,
        PRIMARY KEY (quiz_id, member_id)
    );
    CREATE INDEX quiz_answers_by_member ON quiz_answers (guild_id, member_id);",
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

const _: () = assert!(MIGRATIONS.len() == POSTGRES_MIGRATIONS.len());

/// Applies every missing PostgreSQL migration in one transaction, holding the write lock
/// so that processes starting together migrate once.
pub(crate) fn migrate_postgres(c: &mut postgres::Client, shown: &str) -> Result<(), StoreError> {
    let mut tx = c.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&super::postgres::WRITE_LOCK],
    )?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS archie_schema (version BIGINT NOT NULL)")?;
    let found: i64 = match tx.query_opt("SELECT version FROM archie_schema", &[])? {
        Some(row) => row.try_get(0)?,
        None => {
            tx.execute("INSERT INTO archie_schema (version) VALUES (0)", &[])?;
            0
        }
    };
    if found > VERSION {
        return Err(StoreError::TooNew {
            store: shown.to_string(),
            found,
            known: VERSION,
        });
    }
    let start = usize::try_from(found).unwrap_or(0);
    for (i, sql) in POSTGRES_MIGRATIONS.iter().enumerate().skip(start) {
        tx.batch_execute(sql)?;
        tracing::info!(version = i + 1, "store: applied migration");
    }
    tx.execute("UPDATE archie_schema SET version = $1", &[&VERSION])?;
    tx.commit()?;
    Ok(())
}

/// Applies every missing SQLite migration in one immediate transaction.
pub(crate) fn migrate_sqlite(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            store: path.display().to_string(),
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
