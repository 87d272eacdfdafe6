//! The persisted community index: a write is searchable at once in its guild only; other
//! processes sharing the data folder catch up from the store's change log (while running,
//! and after a restart) instead of reloading every guild; the index is rebuilt from the
//! store only when it cannot be trusted; guild views in memory stay bounded.

use archie::app::App;
use archie::commands::{execute, Command, KbCommand};
use archie::search::community::Views;
use archie::store::validate::RawDraft;
use archie::store::Store;
use std::path::Path;

const A: u64 = 1_001;
const B: u64 = 1_002;

/// A process's app: the fixture knowledge, indexes in `data`, the store `db`.
fn app(data: &Path, db: &Path) -> App {
    let mut app = App::from_engine(
        archie::search::Engine::new(crate::support::fixture_knowledge(), Some(data)).unwrap(),
    );
    app.attach_store(
        Store::open(db).unwrap(),
        archie::search::community::Views::Index,
    );
    app
}

/// What `archie kb …` opens: guild rows read from the store, the index left closed.
fn cli_app(data: &Path, db: &Path) -> App {
    let mut app = App::from_engine(
        archie::search::Engine::new(crate::support::fixture_knowledge(), Some(data)).unwrap(),
    );
    app.attach_store(Store::open(db).unwrap(), Views::Store);
    app
}

use crate::support::{member_of as member, moderator_of as moderator};

/// Adds a note titled `title` in `guild`; its id.
fn add(app: &App, guild: u64, title: &str, text: &str) -> String {
    let source = format!("https://example.org/{}", title.replace(' ', "-"));
    crate::support::add_entry(
        app,
        &moderator(guild),
        RawDraft::from_fields("note", title, text, "", "", &source),
    )
}

fn ledger(app: &App, guild: u64) -> String {
    add(
        app,
        guild,
        "How Acme shards its ledger",
        "Acme splits the ledger by account across forty Postgres shards and moves hot accounts with a rebalancer.",
    )
}

const LEDGER_Q: &str = "how does acme shard its ledger";

/// The ids `/ask` answers in `guild` with.
fn ask(app: &App, guild: u64, q: &str) -> Vec<String> {
    crate::support::ask_ids(app, &member(guild), q)
}

fn visible_ids(app: &App, guild: u64) -> Vec<String> {
    app.engine
        .visible(Some(guild))
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

#[test]
fn a_write_is_searchable_at_once_in_its_guild_and_never_in_another() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(&tmp.path().join("data"), &tmp.path().join("kb.db"));
    let id = ledger(&app, A);
    assert!(ask(&app, A, LEDGER_Q).contains(&id));
    assert!(
        !ask(&app, B, LEDGER_Q).contains(&id),
        "B never sees A's entry"
    );
    assert!(visible_ids(&app, A).contains(&id));
    assert!(!visible_ids(&app, B).contains(&id));
    let status = app.engine.community_status();
    assert!(status.open);
    let folder = status.folder.expect("an index on disk");
    assert!(
        folder.starts_with(tmp.path().join("data").join("community")),
        "{folder:?}"
    );
}

#[test]
fn a_second_process_on_the_same_data_and_store_finds_a_write_of_the_first_after_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, db) = (tmp.path().join("data"), tmp.path().join("kb.db"));
    let first = app(&data, &db);
    let second = app(&data, &db);
    assert!(ask(&second, A, LEDGER_Q).is_empty(), "nothing written yet");
    let id = ledger(&first, A);
    let (f1, f2) = (
        first.engine.community_status().folder.unwrap(),
        second.engine.community_status().folder.unwrap(),
    );
    assert_ne!(f1, f2, "each process writes its own index folder");
    assert!(
        !ask(&second, A, LEDGER_Q).contains(&id),
        "not seen before the second process syncs"
    );
    assert!(
        second.sync().unwrap() >= 1,
        "the write was read from the log"
    );
    assert!(ask(&second, A, LEDGER_Q).contains(&id));
    assert!(visible_ids(&second, A).contains(&id));
    assert!(!ask(&second, B, LEDGER_Q).contains(&id));
    assert_eq!(second.sync().unwrap(), 0, "nothing new");
}

#[test]
fn a_write_made_while_an_app_was_closed_is_caught_up_from_the_log_without_a_rebuild() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, db) = (tmp.path().join("data"), tmp.path().join("kb.db"));
    let first = app(&data, &db);
    let old = ledger(&first, A);
    assert!(
        first.engine.community_status().rebuilt.is_some(),
        "a new index"
    );
    drop(first);
    // The operator's command line writes while the bot is down; it never opens the index.
    let cli = cli_app(&data, &db);
    let new = add(
        &cli,
        A,
        "Acme payroll runs nightly",
        "Acme batches payroll in a nightly Kafka job that posts to the ledger shards.",
    );
    assert!(
        visible_ids(&cli, A).contains(&new),
        "the CLI reads its own write"
    );
    assert!(
        !cli.engine.community_status().open,
        "the CLI left the index closed"
    );
    drop(cli);
    let again = app(&data, &db);
    assert!(ask(&again, A, "acme nightly payroll kafka").contains(&new));
    assert!(ask(&again, A, LEDGER_Q).contains(&old));
    let status = again.engine.community_status();
    assert_eq!(status.rebuilt, None, "caught up, not rebuilt");
    let store = again.store.as_ref().unwrap();
    assert_eq!(status.watermark, store.last_revision().unwrap());
}

#[test]
fn deleting_the_community_index_folder_rebuilds_it_with_the_same_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, db) = (tmp.path().join("data"), tmp.path().join("kb.db"));
    let first = app(&data, &db);
    let id = ledger(&first, A);
    let before = ask(&first, A, LEDGER_Q);
    assert!(before.contains(&id));
    drop(first);
    std::fs::remove_dir_all(data.join("community")).unwrap();
    let again = app(&data, &db);
    assert_eq!(ask(&again, A, LEDGER_Q), before);
    assert!(again.engine.community_status().rebuilt.is_some());
    assert!(!ask(&again, B, LEDGER_Q).contains(&id));
}

#[test]
fn an_index_built_from_another_store_is_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let first = app(&data, &tmp.path().join("one.db"));
    let id = ledger(&first, A);
    drop(first);
    let other = app(&data, &tmp.path().join("two.db"));
    assert!(
        !ask(&other, A, LEDGER_Q).contains(&id),
        "the other store never had it"
    );
    let why = other.engine.community_status().rebuilt.expect("rebuilt");
    assert!(why.contains("another community store"), "{why}");
}

#[test]
fn an_index_ahead_of_its_store_a_restored_older_backup_is_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, db) = (tmp.path().join("data"), tmp.path().join("kb.db"));
    let backup = tmp.path().join("backup.db");
    let first = app(&data, &db);
    let kept = ledger(&first, A);
    drop(first);
    std::fs::copy(&db, &backup).unwrap();
    let second = app(&data, &db);
    let lost = add(
        &second,
        A,
        "Acme payroll runs nightly",
        "Acme batches payroll in a nightly Kafka job that posts to the ledger shards.",
    );
    drop(second);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(&backup, &db).unwrap();
    let restored = app(&data, &db);
    assert!(ask(&restored, A, LEDGER_Q).contains(&kept));
    assert!(
        !visible_ids(&restored, A).contains(&lost),
        "not in the backup"
    );
    let why = restored.engine.community_status().rebuilt.expect("rebuilt");
    assert!(why.contains("ahead of the store"), "{why}");
}

#[test]
fn a_restart_keeps_hidden_and_overridden_base_entries_masked() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, db) = (tmp.path().join("data"), tmp.path().join("kb.db"));
    let first = app(&data, &db);
    // Hide one base entry and override another in A only.
    let hide = execute(
        &first,
        &moderator(A),
        &Command::Kb(KbCommand::Remove {
            id: "note-keep-it-simple".into(),
            confirmed: true,
        }),
    );
    assert_eq!(
        hide.status,
        archie::reply::Status::Answer,
        "{:?}",
        hide.summary
    );
    let edit = execute(
        &first,
        &moderator(A),
        &Command::Kb(KbCommand::Submit {
            id: Some("note-cache-first".into()),
            draft: RawDraft::from_fields(
                "note",
                "Cache before you shard",
                "Our team put Memcached in front of Postgres before any sharding.",
                "",
                "",
                "https://example.com/cache-first",
            ),
        }),
    );
    assert_eq!(
        edit.status,
        archie::reply::Status::Answer,
        "{:?}",
        edit.summary
    );
    drop(first);
    let again = app(&data, &db);
    let seen = |g: u64, id: &str| -> Option<String> {
        again
            .engine
            .visible(Some(g))
            .entry(id)
            .map(|e| e.text.clone())
    };
    assert_eq!(seen(A, "note-keep-it-simple"), None, "still hidden in A");
    assert!(seen(A, "note-cache-first").unwrap().contains("Memcached"));
    assert!(seen(B, "note-keep-it-simple").is_some(), "B sees the base");
    assert!(seen(B, "note-cache-first").unwrap().contains("Redis"));
    assert_eq!(
        visible_ids(&again, A)
            .iter()
            .filter(|id| *id == "note-cache-first")
            .count(),
        1,
        "the override replaces the base entry"
    );
    assert!(!ask(&again, A, "keep it simple").contains(&"note-keep-it-simple".to_string()));
    assert_eq!(again.engine.community_status().rebuilt, None);
}

#[test]
fn the_guild_views_kept_in_memory_stay_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(&tmp.path().join("data"), &tmp.path().join("kb.db"));
    app.engine.set_view_capacity(6);
    let guilds: Vec<u64> = (0..5).map(|i| 2_000 + i).collect();
    let mut ids = Vec::new();
    for &g in &guilds {
        ids.push(ledger(&app, g));
        add(
            &app,
            g,
            &format!("Acme region {g}"),
            "Acme serves this region from its own data centre.",
        );
    }
    for _ in 0..2 {
        for (&g, id) in guilds.iter().zip(&ids) {
            assert!(ask(&app, g, LEDGER_Q).contains(id), "guild {g}");
            let s = app.engine.community_status();
            assert!(s.cached_entries <= 6, "over the bound: {s:?}");
        }
    }
    let s = app.engine.community_status();
    assert!(
        s.cached_guilds < guilds.len(),
        "older views were evicted: {s:?}"
    );
}

#[test]
fn a_serving_process_follows_writes_of_other_processes_within_a_second() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, db) = (tmp.path().join("data"), tmp.path().join("kb.db"));
    let server = std::sync::Arc::new(app(&data, &db));
    let follower = App::follow(&server, std::time::Duration::from_millis(50)).unwrap();
    let cli = cli_app(&data, &db);
    let id = ledger(&cli, A);
    let acked = std::time::Instant::now();
    while !ask(&server, A, LEDGER_Q).contains(&id) {
        assert!(
            acked.elapsed() < std::time::Duration::from_secs(1),
            "not searchable a second after the write was acknowledged"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!ask(&server, B, LEDGER_Q).contains(&id));
    drop(follower);
    assert_eq!(
        std::sync::Arc::strong_count(&server),
        1,
        "the stopped follower holds no app"
    );
}
