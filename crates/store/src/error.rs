//! The store's typed errors. User errors (a bad draft, an unknown id, a revision of another
//! entry) carry a message fit to show a moderator; the rest are internal and should be
//! logged and answered with a generic apology. [`StoreError::is_user_error`] tells them apart.

use super::validate::ValidationError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The draft breaks a rule; the message says which and how to fix it.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("there is no entry '{id}' in this server; check the id with the search command")]
    NotFound { id: String },
    #[error("entry '{id}' was removed; revert it to a revision from its history first")]
    Removed { id: String },
    #[error("entry '{id}' is already removed")]
    AlreadyRemoved { id: String },
    #[error("entry '{id}' has no revision #{revision}; pick one from its history")]
    NoSuchRevision { id: String, revision: i64 },
    #[error("nothing to change: entry '{id}' already looks like that")]
    Unchanged { id: String },
    #[error("entry '{id}' is not a local change of a base entry, so there is nothing to restore")]
    NotAnOverride { id: String },
    #[error(
        "the store {store} has schema version {found} but this archie knows only up to {known}; \
         upgrade archie or point ARCHIE_DATABASE at another database"
    )]
    TooNew {
        store: String,
        found: i64,
        known: i64,
    },
    #[error("cannot create the folder of the store {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the store {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the store {path} cannot use WAL journaling (journal_mode is '{mode}')")]
    NoWal { path: PathBuf, mode: String },
    #[error("store database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL could not be reached or refused the connection; `url` has no password.
    #[error(
        "cannot connect to the PostgreSQL store {url}: {reason}; check that the server runs, \
         that the URL in ARCHIE_DATABASE is right, and that its user may log in"
    )]
    Connect { url: String, reason: String },
    /// PostgreSQL's own words when the server said something (`postgres::Error` alone shows
    /// only "db error").
    #[error("store database error: {}", super::postgres::reason(.0))]
    Postgres(#[from] postgres::Error),
    #[error("corrupt data in the store: {0}")]
    Corrupt(String),
    /// A curation step that cannot be done (a gap already closed, too many proposals);
    /// the message says why.
    #[error("{0}")]
    Refused(String),
}

/// What kind of fault outside Archie a store error is, for the member's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The store cannot be reached or does not answer in time.
    Unavailable,
    /// The store's disk is full.
    DiskFull,
    /// Anything else.
    Other,
}

impl StoreError {
    /// The fault behind this error, for telling the member what happened.
    pub fn fault(&self) -> Fault {
        use rusqlite::ErrorCode;
        match self {
            StoreError::Connect { .. } => Fault::Unavailable,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            | StoreError::Open {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } => match e.code {
                ErrorCode::DiskFull => Fault::DiskFull,
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Fault::Unavailable,
                _ => Fault::Other,
            },
            StoreError::Postgres(e) => match e.code() {
                Some(c) if *c == postgres::error::SqlState::DISK_FULL => Fault::DiskFull,
                Some(c) if c.code().starts_with("08") || c.code().starts_with("57P") => {
                    Fault::Unavailable
                }
                // No SQLSTATE: the connection itself failed (closed, reset, timed out).
                None => Fault::Unavailable,
                _ => Fault::Other,
            },
            _ => Fault::Other,
        }
    }

    /// True for errors caused by what the user asked (show the message to them); false for
    /// internal failures (log them, show a generic error).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::Invalid(_)
                | StoreError::NotFound { .. }
                | StoreError::Removed { .. }
                | StoreError::AlreadyRemoved { .. }
                | StoreError::NoSuchRevision { .. }
                | StoreError::Unchanged { .. }
                | StoreError::NotAnOverride { .. }
                | StoreError::Refused(_)
        )
    }
}
