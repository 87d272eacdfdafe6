//! The file itself: migrations, newer versions refused, WAL and foreign keys, and
//! concurrent use from many threads.

use super::*;

fn v1_database(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(&schema::Dialect::Sqlite.migrations()[0])
        .unwrap();
    c.pragma_update(None, "user_version", 1).unwrap();
    let d = serde_json::to_string(&draft("Old entry")).unwrap();
    c.execute(
        "INSERT INTO entries VALUES (?1, 'kb-old-entry', 'community', 'live', 'note', 'Old entry',
         'Old entry. Measure before you optimise.', NULL, '[\"Redis\"]',
         '[\"https://example.com/Old-entry\"]', 1, 1)",
        [A as i64],
    )
    .unwrap();
    c.execute(
        "INSERT INTO revisions (guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after)
         VALUES (?1, 'kb-old-entry', 'add', 7, 'old-mod', 1, NULL, ?2, 'live')",
        rusqlite::params![A as i64, d],
    )
    .unwrap();
}

#[test]
fn a_version_1_database_is_migrated_and_keeps_its_entries_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    v1_database(&path);
    let s = Store::open(&path).unwrap();

    let c = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::VERSION);
    assert_eq!(version, 6);
    let index: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'revisions_by_guild'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1, "migration 2 ran");
    assert_eq!(s.instance_id().unwrap().len(), 32, "migration 3 ran");
    assert_eq!(
        s.member_key(7).unwrap().len(),
        32,
        "migration 4 ran: the store has its member key"
    );
    assert!(s.leaderboard(A, 5).unwrap().is_empty(), "migration 5 ran");
    v1_entry_kept(s, || Store::open(&path).unwrap());
}

#[test]
fn a_database_from_a_newer_archie_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(
        err,
        StoreError::TooNew {
            found: 99,
            known: 6,
            ..
        }
    ));
    assert!(err.to_string().contains("upgrade archie"), "{err}");
}

#[test]
fn the_store_file_is_durable_wal_with_foreign_keys() {
    let t = open();
    let c = rusqlite::Connection::open(&t.path).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(t.store.integrity_check().unwrap(), "ok");
    // The schema never lets a revision point at an entry that does not exist.
    c.pragma_update(None, "foreign_keys", "ON").unwrap();
    let orphan = c.execute(
        "INSERT INTO revisions (guild_id, entry_id, action, actor_id, actor_name, at, state_after)
         VALUES (1, 'kb-none', 'add', 1, 'x', 1, 'live')",
        [],
    );
    assert!(orphan.is_err());
}

#[test]
fn the_store_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Store>();
}

#[test]
pub(super) fn a_hundred_concurrent_writes_and_reads_lose_nothing() {
    let t = open();
    let s = &t.store;
    let writers = 4;
    let per_writer = 25;
    std::thread::scope(|scope| {
        for w in 0..writers {
            scope.spawn(move || {
                let who = Actor::new(w, format!("mod-{w}"));
                let guild = if w % 2 == 0 { A } else { B };
                for n in 0..per_writer {
                    let mut d = draft(&format!("Writer {w} entry {n}"));
                    d.technologies = vec![];
                    let e = s.add(guild, &who, &d).unwrap();
                    if n % 5 == 0 {
                        d.text.push_str(" Edited.");
                        s.edit(guild, &who, &e.id, &d, None).unwrap();
                    }
                }
            });
        }
        for _ in 0..2 {
            scope.spawn(move || {
                for _ in 0..50 {
                    let live = s.live(A).unwrap();
                    let history = s.history(A, None, 0, 1000).unwrap();
                    assert!(history.len() >= live.len());
                    s.export(B).unwrap();
                }
            });
        }
    });
    let live_a = s.live(A).unwrap().len();
    let live_b = s.live(B).unwrap().len();
    assert_eq!((live_a, live_b), (50, 50));
    let edits: u64 = writers * (per_writer / 5);
    let revisions = s.revision_count(A, None).unwrap() + s.revision_count(B, None).unwrap();
    assert_eq!(revisions, 100 + edits);
    if !s.is_shared() {
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }
}
