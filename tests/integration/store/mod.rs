//! The community store: moderator writes per guild, their audit trail, validation,
//! import/export, migrations and concurrency.

use archie::knowledge::{Kind, Knowledge};
use archie::store::validate::{parse_technologies, validate};
use archie::store::{
    diff, schema, Actor, CommunityEntry, Database, Draft, DuplicateField, Origin, RawDraft,
    RevisionAction, SecondsClock, State, Store, StoreError, ValidationError,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tempfile::TempDir;

const A: u64 = 1_100_000_000_000_000_001;
const B: u64 = 1_200_000_000_000_000_002;
const T0: i64 = 1_700_000_000;

mod changes;
mod conversations;
mod curation;
mod durability;
mod import;
mod postgres;
mod validation;
mod writes;

struct TestStore {
    store: Store,
    path: PathBuf,
    _dir: TempDir,
}

thread_local! {
    /// Set by [`on_postgres`]: [`open`] gives a PostgreSQL store on this test's thread.
    static ON_POSTGRES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a store test with [`open`] giving a fresh PostgreSQL database of the test cluster.
fn on_postgres(test: fn()) {
    ON_POSTGRES.set(true);
    test();
}

/// A fresh store whose clock ticks one second per write, starting at `T0`: a SQLite file,
/// or a PostgreSQL database inside [`on_postgres`].
fn open() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("archie.db");
    let tick = Arc::new(AtomicI64::new(T0));
    let clock: SecondsClock = Arc::new(move || tick.fetch_add(1, Ordering::SeqCst));
    let db = if ON_POSTGRES.get() {
        Database::Postgres(crate::support::postgres::cluster().database("store"))
    } else {
        Database::Sqlite(path.clone())
    };
    let store = Store::connect_with_clock(&db, clock).unwrap();
    TestStore {
        store,
        path,
        _dir: dir,
    }
}

fn kb() -> Knowledge {
    crate::support::fixture_knowledge()
}

fn moderator() -> Actor {
    Actor::new(42, "mod-ana")
}

fn draft(title: &str) -> Draft {
    Draft {
        kind: Kind::Note,
        title: title.to_string(),
        text: format!("{title}. Measure before you optimise."),
        company: None,
        technologies: vec!["Redis".to_string()],
        sources: vec![format!("https://example.com/{}", title.replace(' ', "-"))],
    }
}

fn raw(title: &str) -> RawDraft {
    RawDraft {
        kind: "note".into(),
        title: title.into(),
        text: "Some text.".into(),
        company: None,
        technologies: vec!["redis".into()],
        sources: vec!["https://example.com/a".into()],
    }
}

/// The base note of the fixture, as a moderator would see it.
fn base_note(k: &Knowledge) -> Draft {
    Draft::from_entry(k.entry("note-cache-first").unwrap())
}

/// The fixture's base note and `change` of it, saved by the moderator as an override in
/// guild `A`: (base, changed, the override).
fn override_base(
    s: &Store,
    k: &Knowledge,
    change: impl FnOnce(&mut Draft),
) -> (Draft, Draft, CommunityEntry) {
    let base = base_note(k);
    let mut mine = base.clone();
    change(&mut mine);
    let o = s
        .edit(A, &moderator(), "note-cache-first", &mine, Some(&base))
        .unwrap();
    (base, mine, o)
}

fn ids(entries: &[CommunityEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

/// After migrating a version-1 store holding `kb-old-entry` (added by `old-mod`), on either
/// backend: the entry and its history are kept, it takes an edit, and the store `reopen`
/// gives back migrates nothing twice.
fn v1_entry_kept(s: Store, reopen: impl FnOnce() -> Store) {
    assert_eq!(
        s.get(A, "kb-old-entry").unwrap().unwrap().draft,
        draft("Old entry")
    );
    let h = s.history(A, None, 0, 10).unwrap();
    assert_eq!((h.len(), h[0].actor.name.as_str()), (1, "old-mod"));
    s.edit(
        A,
        &moderator(),
        "kb-old-entry",
        &draft("Old entry, edited"),
        None,
    )
    .unwrap();
    drop(s);
    let again = reopen();
    assert_eq!(
        again.revision_count(A, Some("kb-old-entry")).unwrap(),
        2,
        "reopening migrates nothing twice"
    );
}
