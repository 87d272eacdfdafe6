//! The store's schema: one ordered list of migrations, written once and spelt for each
//! backend by [`Dialect`], so version `n` has the same tables and meaning in SQLite and in
//! PostgreSQL.
//! SQLite keeps the applied count in `PRAGMA user_version`, PostgreSQL in the table
//! `archie_schema`. Opening a store applies the missing migrations in one transaction, and
//! refuses a database written by a newer build. Append new migrations; never edit old ones.

use super::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// Migration `i` takes the schema from version `i` to `i + 1`, in SQL both databases read
/// but for a few words each spells its own way, written as `{word}` ([`Dialect::spell`]):
/// `{int}` a 64-bit integer, `{serial}` an integer key the database assigns, `{key}` an
/// entry id (sorted bytewise on both, so pages come in one order), `{strict}` SQLite's
/// type checking, `{random16}` and `{random32}` random hex of that many bytes.
const SCHEMA: &[&str] = &[
    // v1: entries (one row per id touched in a guild) and the audit trail.
    "CREATE TABLE entries (
        guild_id     {int} NOT NULL,
        id           {key}   NOT NULL,
        origin       TEXT    NOT NULL CHECK (origin IN ('community', 'base')),
        state        TEXT    NOT NULL CHECK (state IN ('live', 'removed', 'hidden', 'base')),
        kind         TEXT    NOT NULL,
        title        TEXT    NOT NULL,
        body         TEXT    NOT NULL,
        company      TEXT,
        technologies TEXT    NOT NULL,
        sources      TEXT    NOT NULL,
        created_at   {int} NOT NULL,
        updated_at   {int} NOT NULL,
        PRIMARY KEY (guild_id, id)
    ) {strict};
    CREATE TABLE revisions (
        id          {serial},
        guild_id    {int} NOT NULL,
        entry_id    {key}   NOT NULL,
        action      TEXT    NOT NULL,
        actor_id    {int} NOT NULL,
        actor_name  TEXT    NOT NULL,
        at          {int} NOT NULL,
        before      TEXT,
        after       TEXT,
        state_after TEXT    NOT NULL,
        FOREIGN KEY (guild_id, entry_id) REFERENCES entries (guild_id, id)
    ) {strict};
    CREATE INDEX revisions_by_entry ON revisions (guild_id, entry_id, id);",
    // v2: guild-wide history and live listings without a table scan.
    "CREATE INDEX revisions_by_guild ON revisions (guild_id, id);
    CREATE INDEX entries_by_state ON entries (guild_id, state);",
    // v3: the store's identity, so a search index knows which store it was built from.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) {strict};
    INSERT INTO meta (key, value) VALUES ('instance', {random16});",
    // v4: the curation loop: questions asked, votes on answers, gaps, member proposals,
    // per-server settings; revisions say what a change came from; a secret that keys
    // members' votes.
    "CREATE TABLE asks (
        id         {serial},
        guild_id   {int} NOT NULL,
        qkey       TEXT   NOT NULL,
        question   TEXT   NOT NULL,
        answered   {int} NOT NULL,
        kind       TEXT,
        shown      TEXT   NOT NULL,
        at         {int} NOT NULL
    ) {strict};
    CREATE INDEX asks_by_guild ON asks (guild_id, at);
    CREATE INDEX asks_by_question ON asks (guild_id, qkey, id);
    CREATE TABLE votes (
        guild_id   {int} NOT NULL,
        ask_id     {int} NOT NULL REFERENCES asks (id),
        member_key TEXT   NOT NULL,
        vote       TEXT   NOT NULL CHECK (vote IN ('up', 'down')),
        note       TEXT,
        raised     {int} NOT NULL,
        at         {int} NOT NULL,
        PRIMARY KEY (ask_id, member_key)
    ) {strict};
    CREATE INDEX votes_by_guild ON votes (guild_id, at);
    CREATE TABLE gaps (
        id         {serial},
        guild_id   {int} NOT NULL,
        question   TEXT   NOT NULL,
        signature  TEXT   NOT NULL,
        asked      {int} NOT NULL,
        state      TEXT   NOT NULL CHECK (state IN ('open', 'answered', 'dismissed')),
        notes      TEXT   NOT NULL,
        entry_id   TEXT,
        closed_by  {int},
        first_at   {int} NOT NULL,
        last_at    {int} NOT NULL,
        closed_at  {int}
    ) {strict};
    CREATE INDEX gaps_by_state ON gaps (guild_id, state, asked, id);
    CREATE TABLE proposals (
        id            {serial},
        guild_id      {int} NOT NULL,
        entry_id      TEXT,
        draft         TEXT   NOT NULL,
        proposer_id   {int} NOT NULL,
        proposer_name TEXT   NOT NULL,
        state         TEXT   NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
        reason        TEXT,
        reviewer_id   {int},
        reviewer_name TEXT,
        result_id     TEXT,
        created_at    {int} NOT NULL,
        decided_at    {int}
    ) {strict};
    CREATE INDEX proposals_by_state ON proposals (guild_id, state, id);
    CREATE INDEX proposals_by_proposer ON proposals (guild_id, proposer_id, id);
    CREATE TABLE guild_settings (
        guild_id      {int} PRIMARY KEY,
        proposals_off {int} NOT NULL
    ) {strict};
    ALTER TABLE revisions ADD COLUMN note TEXT;
    INSERT INTO meta (key, value) VALUES ('member_key', {random32});",
    // v5: quizzes and the answers members gave, for scores per server.
    "CREATE TABLE quizzes (
        id         {serial},
        guild_id   {int} NOT NULL,
        question   TEXT   NOT NULL,
        created_at {int} NOT NULL
    ) {strict};
    CREATE INDEX quizzes_by_guild ON quizzes (guild_id, id);
    CREATE TABLE quiz_answers (
        quiz_id     {int} NOT NULL REFERENCES quizzes (id),
        guild_id    {int} NOT NULL,
        member_id   {int} NOT NULL,
        member_name TEXT   NOT NULL,
        choice      {int} NOT NULL,
        correct     {int} NOT NULL,
        at          {int} NOT NULL,
        PRIMARY KEY (quiz_id, member_id)
    ) {strict};
    CREATE INDEX quiz_answers_by_member ON quiz_answers (guild_id, member_id);",
    // v6: conversations (a follow-up's context too long for its button) and the forum
    // channels a server asked Archie to answer new posts in, with the posts answered.
    "CREATE TABLE contexts (
        guild_id   {int} NOT NULL,
        key        {int} NOT NULL,
        context    TEXT   NOT NULL,
        at         {int} NOT NULL,
        PRIMARY KEY (guild_id, key)
    ) {strict};
    CREATE INDEX contexts_by_age ON contexts (guild_id, at);
    CREATE TABLE watched (
        guild_id   {int} NOT NULL,
        channel_id {int} NOT NULL,
        by_id      {int} NOT NULL,
        at         {int} NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    ) {strict};
    CREATE TABLE answered_posts (
        guild_id   {int} NOT NULL,
        thread_id  {int} NOT NULL,
        at         {int} NOT NULL,
        PRIMARY KEY (guild_id, thread_id)
    ) {strict};",
];

/// How one backend spells the words the schema leaves open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The backend's word for `{word}`.
    fn word(self, word: &str) -> Option<&'static str> {
        Some(match (self, word) {
            (Dialect::Sqlite, "int") => "INTEGER",
            (Dialect::Postgres, "int") => "BIGINT",
            (Dialect::Sqlite, "serial") => "INTEGER PRIMARY KEY AUTOINCREMENT",
            (Dialect::Postgres, "serial") => "BIGSERIAL PRIMARY KEY",
            (Dialect::Sqlite, "key") => "TEXT",
            (Dialect::Postgres, "key") => r#"TEXT COLLATE "C""#,
            (Dialect::Sqlite, "strict") => "STRICT",
            (Dialect::Postgres, "strict") => "",
            (Dialect::Sqlite, "random16") => "lower(hex(randomblob(16)))",
            (Dialect::Postgres, "random16") => "replace(gen_random_uuid()::text, '-', '')",
            (Dialect::Sqlite, "random32") => "lower(hex(randomblob(32)))",
            (Dialect::Postgres, "random32") => {
                "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')"
            }
            _ => return None,
        })
    }

    /// `sql` with every `{word}` spelt for this backend.
    ///
    /// # Panics
    /// On a word no backend knows: the schema is a constant, and a test spells every
    /// migration for both.
    pub fn spell(self, sql: &str) -> String {
        let mut out = String::with_capacity(sql.len() + 64);
        let mut rest = sql;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map(|c| open + c);
            let word = close.and_then(|c| self.word(&rest[open + 1..c]));
            match (close, word) {
                (Some(c), Some(w)) => {
                    out.push_str(w);
                    rest = &rest[c + 1..];
                }
                _ => panic!("the schema has an unknown word near {:?}", &rest[open..]),
            }
        }
        out.push_str(rest);
        out
    }

    /// Every migration, spelt for this backend.
    pub fn migrations(self) -> Vec<String> {
        SCHEMA.iter().map(|m| self.spell(m)).collect()
    }
}

/// The schema version this build writes.
pub const VERSION: i64 = SCHEMA.len() as i64;

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
    for (i, sql) in Dialect::Postgres
        .migrations()
        .iter()
        .enumerate()
        .skip(start)
    {
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
    for (i, sql) in Dialect::Sqlite.migrations().iter().enumerate().skip(start) {
        tx.execute_batch(sql)?;
        tracing::info!(version = i + 1, "store: applied migration");
    }
    if found < VERSION {
        tx.pragma_update(None, "user_version", VERSION)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_is_spelt_for_both_backends_with_no_word_left_open() {
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            let all = d.migrations();
            assert_eq!(all.len() as i64, VERSION);
            for sql in &all {
                assert!(!sql.contains('{') && !sql.contains('}'), "{d:?}: {sql}");
            }
        }
        let pg = Dialect::Postgres.migrations().join("\n");
        assert!(!pg.contains("STRICT") && !pg.contains("INTEGER") && !pg.contains("randomblob"));
        assert!(pg.contains(r#"id           TEXT COLLATE "C"   NOT NULL"#));
    }

    #[test]
    fn the_sqlite_spelling_builds_the_schema_on_a_new_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn, Path::new(":memory:")).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN \
                 ('entries', 'revisions', 'meta', 'asks', 'votes', 'gaps', 'proposals', \
                  'guild_settings', 'quizzes', 'quiz_answers', 'contexts', 'watched', \
                  'answered_posts')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 13);
        let strict: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_list WHERE strict = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(strict, 13, "every table checks its types");
    }

    #[test]
    #[should_panic(expected = "unknown word")]
    fn a_word_no_backend_knows_is_refused() {
        Dialect::Sqlite.spell("CREATE TABLE t (a {float})");
    }
}
