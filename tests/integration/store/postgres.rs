//! The store's behaviour tests, run again on PostgreSQL (a throwaway cluster from the
//! distribution's packages, `support::postgres`): the same writes, history, imports,
//! change log, duplicate checks, guild isolation and concurrency as on SQLite. Then what
//! only PostgreSQL has: its migrations, its identity, and its refusal of a newer schema.

use super::*;

/// One test per listed store test, of the same name, run on PostgreSQL.
macro_rules! on_postgres {
    ($($module:ident :: $test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                on_postgres(super::$module::$test)
            }
        )*
    };
}

on_postgres!(
    conversations::a_conversation_context_is_read_back_only_in_its_own_server,
    conversations::a_watched_forum_is_per_server_and_each_post_is_claimed_once,
    curation::a_vote_is_kept_once_per_member_and_a_second_click_changes_it,
    curation::unanswered_questions_fold_into_gaps_by_names_and_topic,
    curation::a_note_on_a_down_vote_reaches_its_gap_and_needs_the_down_vote,
    curation::answering_a_gap_adds_the_entry_closes_the_gap_and_notes_it_in_the_history,
    curation::proposals_wait_for_review_and_an_approval_writes_them_naming_both_people,
    curation::proposals_are_limited_per_member_and_can_be_turned_off,
    curation::a_quiz_is_answered_once_per_member_and_scored_per_guild,
    changes::every_write_appears_in_the_change_log_once_in_order_across_guilds,
    changes::shown_rows_page_through_live_and_hidden_rows_of_every_guild,
    durability::a_hundred_concurrent_writes_and_reads_lose_nothing,
    import::export_then_import_into_another_guild_adds_the_same_entries,
    import::an_import_plan_sorts_items_into_add_change_skip_and_invalid,
    import::an_import_applies_all_or_nothing,
    validation::a_duplicate_title_or_source_among_the_guilds_live_entries_is_flagged,
    validation::the_store_refuses_a_draft_that_breaks_a_rule_even_if_the_caller_skipped_validation,
    writes::an_entry_round_trips_through_add_edit_remove_and_revert_with_history_newest_first,
    writes::removing_an_entry_keeps_its_history_and_reverting_brings_it_back,
    writes::write_errors_name_the_problem_and_change_nothing,
    writes::new_ids_are_slugs_of_the_title_made_unique_within_the_guild,
    writes::editing_a_base_entry_creates_an_override_seen_only_in_that_guild,
    writes::removing_a_base_entry_hides_it_only_in_that_guild_until_reverted_or_restored,
    writes::entries_of_one_guild_never_appear_in_another,
);

fn cluster() -> &'static crate::support::postgres::Cluster {
    crate::support::postgres::cluster()
}

/// The database name at the end of a URL.
fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

fn connect(url: &str) -> Store {
    Store::connect(&Database::Postgres(url.to_string())).unwrap()
}

fn schema_version(url: &str) -> String {
    cluster()
        .psql(db_name(url), "SELECT version FROM archie_schema")
        .trim()
        .to_string()
}

#[test]
fn a_conversation_kept_by_one_replica_is_followed_on_another() {
    let url = cluster().database("contexts");
    let (a, b) = (connect(&url), connect(&url));
    a.put_context(A, 5, "g|Netflix||||caching").unwrap();
    assert_eq!(
        b.context(A, 5).unwrap().as_deref(),
        Some("g|Netflix||||caching")
    );
    assert!(a.watch(A, 10, 1).unwrap());
    assert!(b.is_watched(A, 10).unwrap());
    assert!(a.claim_post(A, 11).unwrap());
    assert!(
        !b.claim_post(A, 11).unwrap(),
        "answered once across replicas"
    );
}

#[test]
fn migrations_build_an_empty_database_to_the_current_version() {
    let url = cluster().database("empty");
    let s = connect(&url);
    assert_eq!(schema_version(&url), schema::VERSION.to_string());
    let id = s.instance_id().unwrap();
    assert!(
        id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(s.last_revision().unwrap(), 0);
    drop(s);
    let again = connect(&url);
    assert_eq!(again.instance_id().unwrap(), id, "the identity is kept");
    assert_ne!(
        connect(&cluster().database("other")).instance_id().unwrap(),
        id
    );
}

#[test]
fn a_version_1_database_is_migrated_and_keeps_its_entries_and_history() {
    let url = cluster().database("v1");
    let d = serde_json::to_string(&draft("Old entry")).unwrap();
    let v1 = format!(
        "BEGIN;
         {}
         CREATE TABLE archie_schema (version BIGINT NOT NULL);
         INSERT INTO archie_schema VALUES (1);
         INSERT INTO entries VALUES ({A_SQL}, 'kb-old-entry', 'community', 'live', 'note',
           'Old entry', 'Old entry. Measure before you optimise.', NULL, '[\"Redis\"]',
           '[\"https://example.com/Old-entry\"]', 1, 1);
         INSERT INTO revisions (guild_id, entry_id, action, actor_id, actor_name, at, before, after, state_after)
           VALUES ({A_SQL}, 'kb-old-entry', 'add', 7, 'old-mod', 1, NULL, '{}', 'live');
         COMMIT;",
        schema::Dialect::Postgres.migrations()[0],
        d.replace('\'', "''"),
        A_SQL = A as i64,
    );
    cluster().psql(db_name(&url), &v1);
    assert_eq!(schema_version(&url), "1");

    let s = connect(&url);
    assert_eq!(schema_version(&url), schema::VERSION.to_string());
    assert_eq!(s.instance_id().unwrap().len(), 32, "migration 3 ran");
    let indexes = cluster().psql(
        db_name(&url),
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'revisions_by_guild'",
    );
    assert_eq!(indexes.trim(), "1", "migration 2 ran");
    v1_entry_kept(s, || connect(&url));
}

#[test]
fn a_database_from_a_newer_archie_is_refused_without_showing_the_password() {
    let url = cluster().database("newer");
    drop(connect(&url));
    cluster().psql(db_name(&url), "UPDATE archie_schema SET version = 99");
    let with_password = url.replacen("postgres@", "postgres:hunter2@", 1);
    let err = Store::connect(&Database::Postgres(with_password)).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("upgrade archie") && !msg.contains("hunter2"),
        "{msg}"
    );
}

#[test]
fn an_unreachable_server_is_a_clear_error_naming_the_variable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://archie:hunter2@127.0.0.1:{port}/archie?connect_timeout=2");
    let err = Store::connect(&Database::Postgres(url)).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("ARCHIE_DATABASE"), "{msg}");
    assert!(msg.contains(&format!("127.0.0.1:{port}/archie")), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
}

/// Two handles on one database are two processes sharing it: each sees the other's
/// writes, and concurrent writes through both get distinct, gap-free, ordered revisions
/// in the change log (writes are serialised, so a follower misses none).
#[test]
fn two_processes_sharing_a_database_see_each_others_writes_in_one_ordered_log() {
    let url = cluster().database("shared");
    let (one, two) = (connect(&url), connect(&url));
    let who = moderator();
    let a = one.add(A, &who, &draft("From one")).unwrap();
    assert_eq!(two.get(A, &a.id).unwrap().unwrap().draft, draft("From one"));
    std::thread::scope(|scope| {
        for (n, s) in [(0, &one), (1, &two)] {
            let who = &who;
            scope.spawn(move || {
                for i in 0..20 {
                    s.add(B, who, &draft(&format!("Writer {n} note {i}")))
                        .unwrap();
                }
            });
        }
    });
    let log = two.changes_since(0, 1000).unwrap();
    assert_eq!(log.len(), 41);
    let revs: Vec<i64> = log.iter().map(|c| c.revision).collect();
    assert!(revs.windows(2).all(|w| w[1] == w[0] + 1), "{revs:?}");
    assert_eq!(one.live(B).unwrap().len(), 40);
    assert_eq!(one.last_revision().unwrap(), *revs.last().unwrap());
}
