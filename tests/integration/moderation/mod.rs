//! Moderator commands at the command layer: rights, scope, durability and live search.
//! (The same paths over signed HTTP interactions are in tests/integration/http_kb/.)

mod stacks;

use archie::app::App;
use archie::commands::kb::suggest_ids;
use archie::commands::{execute, Caller, Command, KbCommand};
use archie::knowledge::Knowledge;
use archie::reply::Status;
use archie::store::validate::RawDraft;
use archie::store::{Actor, Store};
use std::path::Path;

const A: u64 = 111;
const B: u64 = 222;

fn app(db: &Path) -> App {
    let k = Knowledge::load(&crate::support::shipped_dir()).unwrap();
    let mut app = App::in_memory(k).unwrap();
    app.attach_store(
        Store::open(db).unwrap(),
        archie::search::community::Views::Index,
    );
    app
}

/// Runs a `/kb` command through the one `execute`.
fn run_kb(app: &App, ctx: &Caller, cmd: &KbCommand) -> archie::reply::Reply {
    execute(app, ctx, &Command::Kb(cmd.clone()))
}

use crate::support::{member_of as member, moderator_of as moderator};

fn dm() -> Caller {
    Caller {
        guild: None,
        actor: Some(Actor::new(42, "mod")),
        moderator: true,
        typed: false,
    }
}

fn discord_draft() -> RawDraft {
    RawDraft::from_fields(
        "note",
        "How Discord stores trillions of messages",
        "Discord moved its message store from Cassandra to ScyllaDB and put data services in Rust in front of it.",
        "Discord",
        "cassandra",
        "https://discord.com/blog/how-discord-stores-trillions-of-messages",
    )
}

fn add(app: &App, ctx: &Caller) -> String {
    crate::support::add_entry(app, ctx, discord_draft())
}

fn ask(app: &App, ctx: &Caller, q: &str) -> Vec<String> {
    crate::support::ask_ids(app, ctx, q)
}

#[test]
fn a_moderators_entry_is_searchable_at_once_in_that_server_only() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let id = add(&app, &moderator(A));
    assert!(id.starts_with("kb-"), "{id}");
    assert!(ask(&app, &member(A), "how does discord store messages").contains(&id));
    assert!(
        !ask(&app, &member(B), "how does discord store messages").contains(&id),
        "server B never sees A's entry"
    );
    assert!(
        !ask(&app, &dm(), "how does discord store messages").contains(&id),
        "DMs see the base knowledge only"
    );
    // Show, history, export and autocomplete are scoped too.
    assert_eq!(
        run_kb(&app, &member(A), &KbCommand::Show { id: id.clone() }).status,
        Status::Answer
    );
    assert_ne!(
        run_kb(&app, &member(B), &KbCommand::Show { id: id.clone() }).status,
        Status::Answer
    );
    let hist_b = run_kb(&app, &member(B), &KbCommand::History { id: None, page: 0 });
    assert!(hist_b.blocks.is_empty(), "B has no history");
    let export_b = run_kb(&app, &member(B), &KbCommand::Export);
    assert_eq!(
        archie::terminal::reply_json(&export_b)
            .as_array()
            .map(|a| a.len()),
        Some(0)
    );
    assert!(suggest_ids(&app, Some(A), "trillions")
        .iter()
        .any(|(_, v)| *v == id));
    assert!(suggest_ids(&app, Some(B), "trillions").is_empty());
}

#[test]
fn a_member_without_rights_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let r = run_kb(
        &app,
        &member(A),
        &KbCommand::Submit {
            id: None,
            draft: discord_draft(),
        },
    );
    assert_eq!(r.status, Status::Refused);
    assert!(r.ephemeral);
    assert!(r.summary.unwrap().contains("Manage Server"));
    let store = app.store.as_ref().unwrap();
    assert!(store.live(A).unwrap().is_empty());
    assert_eq!(store.revision_count(A, None).unwrap(), 0);
    for cmd in [
        KbCommand::Remove {
            id: "tech-redis".into(),
            confirmed: true,
        },
        KbCommand::Revert {
            id: "tech-redis".into(),
            revision: 1,
        },
        KbCommand::AddForm {
            kind: "note".into(),
        },
        KbCommand::Import { json: "[]".into() },
    ] {
        assert_eq!(
            run_kb(&app, &member(A), &cmd).status,
            Status::Refused,
            "{cmd:?}"
        );
    }
    assert_eq!(store.revision_count(A, None).unwrap(), 0);
}

#[test]
fn a_direct_message_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let r = run_kb(
        &app,
        &dm(),
        &KbCommand::Submit {
            id: None,
            draft: discord_draft(),
        },
    );
    assert_eq!(r.status, Status::Refused);
    assert!(app.store.as_ref().unwrap().guild_ids().unwrap().is_empty());
}

#[test]
fn edit_remove_and_revert_are_recorded_and_reversible() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let m = moderator(A);
    let id = add(&app, &m);
    let mut edited = discord_draft();
    edited.text = "Discord stores messages in ScyllaDB, migrated from Cassandra in 2022.".into();
    let r = run_kb(
        &app,
        &m,
        &KbCommand::Submit {
            id: Some(id.clone()),
            draft: edited,
        },
    );
    assert_eq!(r.status, Status::Answer, "{:?}", r.summary);
    let confirm = run_kb(
        &app,
        &m,
        &KbCommand::Remove {
            id: id.clone(),
            confirmed: false,
        },
    );
    assert_eq!(
        confirm.actions.len(),
        1,
        "removal asks for confirmation first"
    );
    assert!(
        ask(
            &app,
            &member(A),
            "where does discord store its messages, scylladb?"
        )
        .contains(&id),
        "nothing removed before the confirm"
    );
    let removed = run_kb(
        &app,
        &m,
        &KbCommand::Remove {
            id: id.clone(),
            confirmed: true,
        },
    );
    assert_eq!(removed.status, Status::Answer);
    assert!(!ask(
        &app,
        &member(A),
        "where does discord store its messages, scylladb?"
    )
    .contains(&id));
    let h = run_kb(
        &app,
        &member(A),
        &KbCommand::History {
            id: Some(id.clone()),
            page: 0,
        },
    );
    let json = archie::terminal::reply_json(&h);
    let revs = json["revisions"].as_array().unwrap();
    let actions: Vec<&str> = revs.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["remove", "edit", "add"], "newest first");
    assert_eq!(revs[0]["actor"], "mod");
    let edit_rev = revs[1]["revision"].as_i64().unwrap();
    let back = run_kb(
        &app,
        &m,
        &KbCommand::Revert {
            id: id.clone(),
            revision: edit_rev,
        },
    );
    assert_eq!(back.status, Status::Answer, "{:?}", back.summary);
    assert!(
        ask(
            &app,
            &member(A),
            "where does discord store its messages, scylladb?"
        )
        .contains(&id),
        "revert brings it back, searchable"
    );
    let h = run_kb(
        &app,
        &member(A),
        &KbCommand::History {
            id: Some(id),
            page: 0,
        },
    );
    assert_eq!(
        archie::terminal::reply_json(&h)["revisions"][0]["action"],
        "revert"
    );
}

#[test]
fn editing_or_removing_a_base_entry_changes_that_server_only() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let m = moderator(A);
    let r = run_kb(
        &app,
        &m,
        &KbCommand::Remove {
            id: "tech-gearman".into(),
            confirmed: true,
        },
    );
    assert_eq!(r.status, Status::Answer, "{:?}", r.summary);
    let whatis = |ctx: &Caller| {
        execute(
            &app,
            ctx,
            &Command::WhatIs {
                tech: "gearman".into(),
            },
        )
        .status
    };
    assert_ne!(whatis(&member(A)), Status::Answer, "hidden in A");
    assert_eq!(whatis(&member(B)), Status::Answer, "still there in B");
    assert!(!ask(&app, &member(A), "what is gearman").contains(&"tech-gearman".to_string()));
    assert!(ask(&app, &member(B), "what is gearman").contains(&"tech-gearman".to_string()));
}

#[test]
fn invalid_input_gets_a_clear_message_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let m = moderator(A);
    let mut bad = discord_draft();
    bad.sources = vec!["ftp://example.com/x".into()];
    let r = run_kb(
        &app,
        &m,
        &KbCommand::Submit {
            id: None,
            draft: bad,
        },
    );
    assert_eq!(r.status, Status::Invalid);
    assert!(r.summary.unwrap().contains("http"));
    let mut unknown = discord_draft();
    unknown.technologies = vec!["casandra-db".into()];
    let r = run_kb(
        &app,
        &m,
        &KbCommand::Submit {
            id: None,
            draft: unknown,
        },
    );
    assert_eq!(r.status, Status::Invalid);
    add(&app, &m);
    // Another entry under the same title (the same form sent again is one submission:
    // http_kb::writes covers it).
    let mut same_title = discord_draft();
    same_title.text = "A different text under the same title.".into();
    let dup = run_kb(
        &app,
        &m,
        &KbCommand::Submit {
            id: None,
            draft: same_title,
        },
    );
    assert_eq!(
        dup.status,
        Status::Invalid,
        "a duplicate title or URL is flagged"
    );
    assert_eq!(app.store.as_ref().unwrap().live(A).unwrap().len(), 1);
}

#[test]
fn entries_survive_a_restart_and_are_indexed_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kb.db");
    let id = {
        let app = app(&db);
        add(&app, &moderator(A))
    };
    let app = app(&db);
    assert!(ask(&app, &member(A), "how does discord store messages").contains(&id));
}

#[test]
fn export_then_import_with_a_confirmed_preview() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    add(&app, &moderator(A));
    let export = run_kb(&app, &member(A), &KbCommand::Export);
    let file = export.attachment.expect("an attachment");
    let json = String::from_utf8(file.bytes).unwrap();
    let preview = run_kb(&app, &moderator(B), &KbCommand::Import { json });
    assert_eq!(
        archie::terminal::reply_json(&preview)["add"],
        1,
        "{:?}",
        preview.summary
    );
    assert!(
        app.store.as_ref().unwrap().live(B).unwrap().is_empty(),
        "a preview writes nothing"
    );
    // The preview's button runs the confirmation.
    let confirm = preview.actions[0].run.clone();
    assert!(
        matches!(confirm, Command::Kb(KbCommand::ConfirmImport { .. })),
        "{confirm:?}"
    );
    let other = execute(
        &app,
        &Caller {
            actor: Some(Actor::new(9, "other mod")),
            ..moderator(B)
        },
        &confirm,
    );
    assert_ne!(
        other.status,
        Status::Answer,
        "only the moderator who previewed can confirm"
    );
    // A preview confirmed after its fifteen minutes is refused, by whoever.
    let mut late = confirm.clone();
    if let Command::Kb(KbCommand::ConfirmImport { preview }) = &mut late {
        preview.at -= 16 * 60;
    }
    let late = execute(&app, &moderator(B), &late);
    assert_eq!(late.status, Status::Invalid, "{:?}", late.summary);
    assert!(
        app.store.as_ref().unwrap().live(B).unwrap().is_empty(),
        "a refused confirmation writes nothing"
    );
    // The failed attempts consumed nothing: preview again.
    let json = String::from_utf8(
        run_kb(&app, &member(A), &KbCommand::Export)
            .attachment
            .unwrap()
            .bytes,
    )
    .unwrap();
    let preview = run_kb(&app, &moderator(B), &KbCommand::Import { json });
    let done = execute(&app, &moderator(B), &preview.actions[0].run);
    assert_eq!(done.status, Status::Answer, "{:?}", done.summary);
    assert_eq!(app.store.as_ref().unwrap().live(B).unwrap().len(), 1);
    assert!(!ask(&app, &member(B), "how does discord store messages").is_empty());
}
