//! The community store: moderator-curated entries of one Discord guild and their audit
//! trail, kept durable in a SQLite file (WAL, `synchronous=FULL`, the embedded default) or
//! in PostgreSQL (for several processes sharing the work).
//!
//! - Community entries (`kb-…` ids) are created with [`Store::add`] and belong to one guild.
//! - Base entries of `knowledge/` keep their id: [`Store::edit`] of a base id creates a
//!   guild-local override, [`Store::remove`] hides it in that guild only, and
//!   [`Store::restore_base`] undoes either, so the base entry shows again.
//! - Every write runs in one transaction that changes the entry and appends a [`Revision`],
//!   and returns only after COMMIT: an acknowledged change survives a crash.
//! - Every read and write takes the guild id; nothing reads or writes another guild's rows.
//! - The revisions are also the change log ([`Store::changes_since`]) that other processes
//!   and the search index follow.
//!
//! Both backends implement one trait, [`backend::Backend`]: two calls (a statement, a
//! query) over which every query is written once; everything above it is shared. The API is synchronous: async callers use `spawn_blocking`. Validation of
//! user input is pure and lives in [`validate`]; [`diff()`] renders a revision for humans;
//! [`import`] moves entries in and out as JSON.
//!
//! # Layout
//!
//! - `backend.rs` — The one store trait: the queries the store's logic runs, inside a write's transaction or on a read connection.
//! - `changes.rs` — The change log other processes and the search index follow.
//! - `conversations.rs` — Conversations and watched forums, per server.
//! - `curation/asks.rs` — Asks: every question asked in a server, whether it was answered, the kind of the best answer and the ids shown.
//! - `curation/export.rs` — Everything of the curation loop a server holds (gaps, proposals, votes without who voted), for `/kb export`.
//! - `curation/feedback.rs` — Votes on answers: one 👍 or 👎 per member and ask, kept under a member key.
//! - `curation/gaps.rs` — Gaps: questions not answered well in a server, alike ones folded into one.
//! - `curation/mod.rs` — The curation loop's records, kept per server beside the entries and as durable.
//! - `curation/proposals.rs` — Proposals: entries or edits members propose, kept for a moderator's review.
//! - `curation/stats.rs` — A server's curation figures over a period.
//! - `diff.rs` — A readable summary of what a revision changed, one line per change.
//! - `entries.rs` — Reading entry rows.
//! - `error.rs` — The store's typed errors.
//! - `import.rs` — Moving a guild's entries in and out as JSON.
//! - `model.rs` — The values the community store keeps and hands out.
//! - `postgres.rs` — The shared backend: PostgreSQL, for several processes (HTTP replicas, shard ranges) working on one community store.
//! - `quiz.rs` — Quizzes and the answers members give, per server, as durable as entries.
//! - `revisions.rs` — Reading the audit trail: a guild's history newest first.
//! - `schema.rs` — The store's schema as ordered lists of migrations, one per backend, with the same versions.
//! - `sqlite.rs` — The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`.
//! - `validate.rs` — Pure checks of what a moderator typed, run before any write.
//! - `writes.rs` — The writes: add, edit, remove, revert and restore.

mod backend;
mod changes;
pub mod conversations;
pub mod curation;
pub mod diff;
mod entries;
mod error;
pub mod import;
mod model;
pub mod quiz;
mod revisions;
pub mod schema;
pub mod validate;
mod writes;

pub use changes::ChangeRef;
pub use curation::{
    AskRecord, CurationExport, Gap, GapState, Proposal, ProposalState, Signature, Stats, Vote,
};
pub use diff::diff;
pub use entries::{Duplicate, DuplicateField};
pub use error::{Fault, StoreError};
pub use import::{ImportPlan, Invalid, PlannedAdd, PlannedChange, Skipped};
pub use model::*;
pub use validate::{RawDraft, ValidationError};
pub use writes::is_community_id;

use backend::Backend;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod postgres;
mod sqlite;

/// The current time in unix seconds; injectable so tests control revision times.
pub type SecondsClock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Where the store lives: `ARCHIE_DATABASE` as a SQLite file or a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL (it may hold a password: never shown).
    Postgres(String),
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(p) => write!(f, "{}", p.display()),
            Database::Postgres(url) => f.write_str(&postgres::redact(url)),
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Database({self})")
    }
}

enum Db {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// The community store. `Send + Sync`: share it behind an `Arc`.
pub struct Store {
    db: Db,
    clock: SecondsClock,
    /// The secret members' vote keys are made with, read once from the store.
    member_secret: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("at", &self.describe())
            .finish()
    }
}

/// The system clock in unix seconds.
pub fn system_clock() -> SecondsClock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

impl Store {
    /// Opens (creating it and its folder on first run) the SQLite store at `path` and
    /// brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_clock(path, system_clock())
    }

    /// [`Store::open`] with the clock revisions are stamped with.
    pub fn open_with_clock(path: &Path, clock: SecondsClock) -> Result<Store, StoreError> {
        Store::connect_with_clock(&Database::Sqlite(path.to_path_buf()), clock)
    }

    /// Opens the store `db` names (SQLite or PostgreSQL) and brings its schema up to date.
    pub fn connect(db: &Database) -> Result<Store, StoreError> {
        Store::connect_with_clock(db, system_clock())
    }

    /// [`Store::connect`] with the clock revisions are stamped with.
    pub fn connect_with_clock(db: &Database, clock: SecondsClock) -> Result<Store, StoreError> {
        let db = match db {
            Database::Sqlite(path) => Db::Sqlite(sqlite::Sqlite::open(path)?),
            Database::Postgres(url) => Db::Postgres(postgres::Postgres::open(url)?),
        };
        Ok(Store {
            db,
            clock,
            member_secret: std::sync::OnceLock::new(),
        })
    }

    /// Where the store lives, fit for a message: the file, or the URL without password.
    pub fn describe(&self) -> String {
        match &self.db {
            Db::Sqlite(s) => s.path.display().to_string(),
            Db::Postgres(p) => p.shown.clone(),
        }
    }

    /// Whether the store is PostgreSQL (shared by several processes).
    pub fn is_shared(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// SQLite's own consistency check of the file: `"ok"` when it is sound. PostgreSQL
    /// checks its own pages; there this is an error saying so.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        match &self.db {
            Db::Sqlite(s) => s.integrity_check(),
            Db::Postgres(p) => Err(StoreError::Corrupt(format!(
                "integrity_check reads SQLite files; {} is PostgreSQL (use amcheck there)",
                p.shown
            ))),
        }
    }

    /// Every guild with at least one row (entry, override or hidden id), ascending.
    pub fn guild_ids(&self) -> Result<Vec<u64>, StoreError> {
        self.read(|b| b.guild_ids())
    }

    /// The store's clock, in unix seconds.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Runs `f` in one write transaction; commits when it returns `Ok`. Writes are
    /// serialised on both backends.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut dyn Backend, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write_as(true, f)
    }

    /// [`Store::write`] for records nobody is told were saved (the log of questions
    /// asked): committed without waiting for the disk, so answering never waits for a
    /// flush. They survive a kill of the process; a power loss may drop the last ones.
    fn write_relaxed<T>(
        &self,
        f: impl FnOnce(&mut dyn Backend, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write_as(false, f)
    }

    fn write_as<T>(
        &self,
        durable: bool,
        f: impl FnOnce(&mut dyn Backend, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let now = self.now();
        let done = match &self.db {
            Db::Sqlite(s) => s.write(durable, |b| f(b, now)),
            Db::Postgres(p) => p.write(durable, |b| f(b, now)),
        };
        self.count("write", done.as_ref().err());
        done
    }

    /// `archie_store_calls_total{backend, kind}`, and `archie_store_errors_total{backend}`
    /// for a failure of the store (not a refusal of what was asked).
    fn count(&self, kind: &'static str, error: Option<&StoreError>) {
        let backend = match &self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        };
        metrics::counter!("archie_store_calls_total", "backend" => backend, "kind" => kind)
            .increment(1);
        if error.is_some_and(|e| !e.is_user_error()) {
            metrics::counter!("archie_store_errors_total", "backend" => backend).increment(1);
        }
    }

    /// Whether the store answers a trivial query (the health probe).
    pub fn ping(&self) -> Result<(), StoreError> {
        self.read(|b| b.query("SELECT 1", &[]).map(|_| ()))
    }

    /// Runs `f` on a read connection.
    fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let done = match &self.db {
            Db::Sqlite(s) => s.read(f),
            Db::Postgres(p) => p.read(f),
        };
        self.count("read", done.as_ref().err());
        done
    }
}
