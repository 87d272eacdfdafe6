//! The community store: moderator writes per guild, their audit trail, validation,
//! import/export, migrations and concurrency.

use archie::knowledge::{Kind, Knowledge};
use archie::store::validate::{parse_technologies, validate};
use archie::store::{
    diff, schema, Action, Actor, Clock, CommunityEntry, Draft, DuplicateField, Origin, RawDraft,
    State, Store, StoreError, ValidationError,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tempfile::TempDir;

const A: u64 = 1_100_000_000_000_000_001;
const B: u64 = 1_200_000_000_000_000_002;
const T0: i64 = 1_700_000_000;

struct TestStore {
    store: Store,
    path: PathBuf,
    _dir: TempDir,
}

/// A fresh store whose clock ticks one second per write, starting at `T0`.
fn open() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("archie.db");
    let tick = Arc::new(AtomicI64::new(T0));
    let clock: Clock = Arc::new(move || tick.fetch_add(1, Ordering::SeqCst));
    let store = Store::open_with_clock(&path, clock).unwrap();
    TestStore {
        store,
        path,
        _dir: dir,
    }
}

fn kb() -> Knowledge {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-kb");
    Knowledge::load(&dir).unwrap()
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

fn ids(entries: &[CommunityEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

#[test]
fn an_entry_round_trips_through_add_edit_remove_and_revert_with_history_newest_first() {
    let t = open();
    let s = &t.store;
    let who = moderator();
    let first = draft("Cache first");
    let added = s.add(A, &who, &first).unwrap();
    assert_eq!(added.id, "kb-cache-first");
    assert_eq!(
        (added.origin, added.state),
        (Origin::Community, State::Live)
    );

    let mut second = first.clone();
    second.title = "Cache before sharding".into();
    let edited = s.edit(A, &who, &added.id, &second, None).unwrap();
    assert_eq!(edited.id, added.id, "an edit keeps the id");
    assert_eq!(edited.draft, second);
    assert_eq!(s.get(A, &added.id).unwrap().unwrap().draft, second);

    s.remove(A, &who, &added.id, None).unwrap();
    let reverted = s.revert(A, &who, &added.id, added.revision).unwrap();
    assert_eq!(reverted.state, State::Live);
    assert_eq!(
        reverted.draft, first,
        "revert restores the content after revision 1"
    );

    let h = s.history(A, Some(&added.id), 0, 10).unwrap();
    let actions: Vec<Action> = h.iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [Action::Revert, Action::Remove, Action::Edit, Action::Add]
    );
    assert!(h.windows(2).all(|w| w[0].id > w[1].id && w[0].at > w[1].at));
    assert_eq!(h[3].before, None);
    assert_eq!(h[3].after.as_ref(), Some(&first));
    assert_eq!(h[2].before.as_ref(), Some(&first));
    assert_eq!(h[2].after.as_ref(), Some(&second));
    assert_eq!(h[1].before.as_ref(), Some(&second));
    assert_eq!(
        (h[1].after.as_ref(), h[1].state_after),
        (None, State::Removed)
    );
    assert_eq!(
        (h[0].before.as_ref(), h[0].after.as_ref()),
        (None, Some(&first))
    );
    assert!(h.iter().all(|r| r.actor == who && r.guild == A));
    assert_eq!(h[0].at, T0 + 3);
    assert_eq!(s.revision_count(A, Some(&added.id)).unwrap(), 4);
    assert_eq!(
        s.history(A, Some(&added.id), 1, 2).unwrap(),
        h[1..3].to_vec()
    );
    assert_eq!(
        diff(h[2].before.as_ref(), h[2].after.as_ref()),
        ["title: \"Cache first\" → \"Cache before sharding\""]
    );
}

#[test]
fn removing_an_entry_keeps_its_history_and_reverting_brings_it_back() {
    let t = open();
    let s = &t.store;
    let who = moderator();
    let e = s.add(A, &who, &draft("Queue it")).unwrap();
    let removed = s.remove(A, &who, &e.id, None).unwrap();
    assert_eq!(removed.state, State::Removed);
    assert!(s.live(A).unwrap().is_empty());
    assert_eq!(s.revision_count(A, Some(&e.id)).unwrap(), 2);
    assert!(matches!(
        s.edit(A, &who, &e.id, &draft("Queue it later"), None),
        Err(StoreError::Removed { .. })
    ));
    assert!(matches!(
        s.remove(A, &who, &e.id, None),
        Err(StoreError::AlreadyRemoved { .. })
    ));

    s.revert(A, &who, &e.id, e.revision).unwrap();
    assert_eq!(ids(&s.live(A).unwrap()), [e.id.as_str()]);
    assert_eq!(s.revision_count(A, Some(&e.id)).unwrap(), 3);
}

#[test]
fn write_errors_name_the_problem_and_change_nothing() {
    let t = open();
    let s = &t.store;
    let who = moderator();
    let one = s.add(A, &who, &draft("One")).unwrap();
    let two = s.add(A, &who, &draft("Two")).unwrap();
    let err = s.revert(A, &who, &one.id, two.revision).unwrap_err();
    assert!(matches!(err, StoreError::NoSuchRevision { .. }));
    assert!(err.is_user_error());
    assert!(err.to_string().contains(&format!("#{}", two.revision)));
    assert!(matches!(
        s.edit(A, &who, &one.id, &draft("One"), None),
        Err(StoreError::Unchanged { .. })
    ));
    assert!(matches!(
        s.edit(A, &who, "kb-nothing", &draft("Three"), None),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.remove(A, &who, "note-unknown", None),
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        matches!(
            s.edit(A, &who, "kb-other", &draft("Three"), Some(&draft("Three"))),
            Err(StoreError::NotFound { .. })
        ),
        "kb- ids are never base ids, so they cannot be overridden"
    );
    assert_eq!(s.revision_count(A, None).unwrap(), 2);
}

#[test]
fn new_ids_are_slugs_of_the_title_made_unique_within_the_guild() {
    let t = open();
    let s = &t.store;
    let who = moderator();
    let mut d = draft("Cache first!");
    assert_eq!(s.add(A, &who, &d).unwrap().id, "kb-cache-first");
    d.sources = vec!["https://example.com/other".into()];
    assert_eq!(s.add(A, &who, &d).unwrap().id, "kb-cache-first-2");
    let removed = s.add(A, &who, &d).unwrap();
    assert_eq!(removed.id, "kb-cache-first-3");
    s.remove(A, &who, &removed.id, None).unwrap();
    assert_eq!(
        s.add(A, &who, &d).unwrap().id,
        "kb-cache-first-4",
        "a removed entry keeps its id (its history needs it)"
    );
    assert_eq!(s.add(B, &who, &d).unwrap().id, "kb-cache-first");
}

#[test]
fn editing_a_base_entry_creates_an_override_seen_only_in_that_guild() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    let base = base_note(&k);
    let mut mine = base.clone();
    mine.text = "Twitter put Redis in front of MySQL. It still shards.".into();

    let o = s
        .edit(A, &who, "note-cache-first", &mine, Some(&base))
        .unwrap();
    assert_eq!(
        (o.id.as_str(), o.origin),
        ("note-cache-first", Origin::Base)
    );
    assert_eq!(ids(&s.live(A).unwrap()), ["note-cache-first"]);
    assert!(s.live(B).unwrap().is_empty());
    assert_eq!(s.get(B, "note-cache-first").unwrap(), None);
    let h = s.history(A, Some("note-cache-first"), 0, 10).unwrap();
    assert_eq!(h[0].action, Action::Override);
    assert_eq!(h[0].before.as_ref(), Some(&base));
    assert_eq!(h[0].after.as_ref(), Some(&mine));

    let mut again = mine.clone();
    again.title = "Cache before you shard, still".into();
    s.edit(A, &who, "note-cache-first", &again, Some(&base))
        .unwrap();
    let h = s.history(A, Some("note-cache-first"), 0, 10).unwrap();
    assert_eq!(
        h[0].action,
        Action::Edit,
        "later edits of an override are edits"
    );
    assert_eq!(h[0].before.as_ref(), Some(&mine));

    let entry = s.get(A, "note-cache-first").unwrap().unwrap();
    let indexed = entry.to_entry(&k);
    assert_eq!(
        (indexed.id.as_str(), indexed.title.as_str()),
        ("note-cache-first", again.title.as_str())
    );

    s.restore_base(A, &who, "note-cache-first", Some(&base))
        .unwrap();
    assert!(
        s.live(A).unwrap().is_empty(),
        "restored: the base entry shows again"
    );
    assert!(s.hidden(A).unwrap().is_empty());
}

#[test]
fn removing_a_base_entry_hides_it_only_in_that_guild_until_reverted_or_restored() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    let base = base_note(&k);
    let mut mine = base.clone();
    mine.title = "Cache, then shard".into();
    let o = s
        .edit(A, &who, "note-cache-first", &mine, Some(&base))
        .unwrap();
    let hidden = s.remove(A, &who, "note-cache-first", Some(&base)).unwrap();
    assert_eq!(hidden.state, State::Hidden);
    assert_eq!(s.hidden(A).unwrap(), ["note-cache-first"]);
    assert!(s.live(A).unwrap().is_empty());
    assert!(s.hidden(B).unwrap().is_empty());
    assert_eq!(
        s.all_hidden().unwrap(),
        [(A, "note-cache-first".to_string())]
    );
    assert_eq!(
        s.history(A, Some("note-cache-first"), 0, 1).unwrap()[0].action,
        Action::Hide
    );

    // Revert to the override: live again with the moderator's content.
    let back = s.revert(A, &who, "note-cache-first", o.revision).unwrap();
    assert_eq!((back.state, &back.draft), (State::Live, &mine));
    assert!(s.hidden(A).unwrap().is_empty());

    // A base id hidden with no override comes back with restore_base.
    s.remove(B, &who, "note-cache-first", Some(&base)).unwrap();
    assert_eq!(s.hidden(B).unwrap(), ["note-cache-first"]);
    assert_eq!(
        ids(&s.live(A).unwrap()),
        ["note-cache-first"],
        "A unaffected"
    );
    let restored = s
        .restore_base(B, &who, "note-cache-first", Some(&base))
        .unwrap();
    assert_eq!(restored.state, State::Base);
    assert!(s.hidden(B).unwrap().is_empty());
    assert!(s.live(B).unwrap().is_empty());
    assert!(matches!(
        s.restore_base(B, &who, "note-cache-first", Some(&base)),
        Err(StoreError::Unchanged { .. })
    ));
}

#[test]
fn entries_of_one_guild_never_appear_in_another() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    let d = draft("Only in A");
    let e = s.add(A, &who, &d).unwrap();
    s.edit(
        A,
        &who,
        "note-cache-first",
        &draft("A's override"),
        Some(&base_note(&k)),
    )
    .unwrap();

    assert!(s.live(B).unwrap().is_empty());
    assert!(s.hidden(B).unwrap().is_empty());
    assert_eq!(s.get(B, &e.id).unwrap(), None);
    assert!(s.history(B, None, 0, 100).unwrap().is_empty());
    assert!(s.history(B, Some(&e.id), 0, 100).unwrap().is_empty());
    assert_eq!(s.revision_count(B, None).unwrap(), 0);
    assert!(s.export(B).unwrap().is_empty());
    assert_eq!(s.find_duplicate(B, &d, None).unwrap(), None);
    assert!(matches!(
        s.edit(B, &who, &e.id, &draft("Hijack"), None),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.remove(B, &who, &e.id, None),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.revert(B, &who, &e.id, e.revision),
        Err(StoreError::NotFound { .. })
    ));
    s.add(B, &who, &draft("Only in B")).unwrap();
    assert!(matches!(
        s.revert(B, &who, "kb-only-in-b", e.revision),
        Err(StoreError::NoSuchRevision { .. })
    ));

    assert_eq!(
        ids(&s.live(A).unwrap()),
        ["kb-only-in-a", "note-cache-first"]
    );
    assert_eq!(s.guild_ids().unwrap(), [A, B]);
    let all: Vec<(u64, String)> = s
        .all_live()
        .unwrap()
        .into_iter()
        .map(|(g, e)| (g, e.id))
        .collect();
    assert_eq!(
        all,
        [
            (A, "kb-only-in-a".to_string()),
            (A, "note-cache-first".to_string()),
            (B, "kb-only-in-b".to_string())
        ]
    );
}

#[test]
fn a_draft_needs_a_kind_title_text_and_a_source() {
    let k = kb();
    let mut r = raw("T");
    r.kind = " ".into();
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::Missing { field: "kind" })
    );
    let mut r = raw("  ");
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::Missing { field: "title" })
    );
    r = raw("T");
    r.text = "\n\t".into();
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::Missing { field: "text" })
    );
    r = raw("T");
    r.sources = vec![" ".into()];
    let err = validate(&r, &k).unwrap_err();
    assert_eq!(err, ValidationError::NoSource);
    assert!(err.to_string().contains("source link is required"));
}

#[test]
fn an_unknown_kind_is_rejected_with_the_kinds_to_choose_from() {
    let mut r = raw("T");
    r.kind = "recipe".into();
    let err = validate(&r, &kb()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown kind 'recipe'; use one of: stack, tech, qa, reading, note, article"
    );
    r.kind = " QA ".into();
    assert_eq!(validate(&r, &kb()).unwrap().kind, Kind::Qa);
}

#[test]
fn overlong_fields_are_rejected_with_their_limits() {
    let k = kb();
    let mut r = raw(&"t".repeat(201));
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::TooLong {
            field: "title",
            len: 201,
            max: 200
        })
    );
    r = raw(&"é".repeat(200));
    assert!(
        validate(&r, &k).is_ok(),
        "limits count characters, not bytes"
    );
    r = raw("T");
    r.text = "x".repeat(4001);
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::TooLong {
            field: "text",
            len: 4001,
            max: 4000
        })
    );
    r = raw("T");
    r.company = Some("c".repeat(101));
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::TooLong {
            field: "company",
            len: 101,
            max: 100
        })
    );
    r = raw("T");
    r.sources = vec![format!("https://example.com/{}", "p".repeat(490))];
    assert!(matches!(
        validate(&r, &k),
        Err(ValidationError::TooLong {
            field: "source link",
            max: 500,
            ..
        })
    ));
    r = raw("T");
    r.technologies = vec!["Redis".into(); 21];
    let err = validate(&r, &k).unwrap_err();
    assert_eq!(err.to_string(), "too many technologies (21, at most 20)");
}

#[test]
fn sources_must_be_http_links() {
    let k = kb();
    for bad in [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "example.com",
        "https://",
    ] {
        let mut r = raw("T");
        r.sources = vec![bad.into()];
        assert_eq!(
            validate(&r, &k),
            Err(ValidationError::NotHttpUrl { url: bad.into() }),
            "{bad}"
        );
    }
    let mut r = raw("T");
    r.sources = vec![
        "<https://example.com/a>".into(),
        "http://example.com/A/".into(),
    ];
    assert_eq!(
        validate(&r, &k).unwrap().sources,
        ["https://example.com/a"],
        "angle brackets dropped, the same link once"
    );
}

#[test]
fn an_unknown_technology_is_rejected_with_canonical_suggestions() {
    let k = kb();
    let err = parse_technologies("redis, mysqll", &k).unwrap_err();
    assert_eq!(
        err,
        ValidationError::UnknownTechnology {
            name: "mysqll".into(),
            suggestions: vec!["MySQL".into()]
        }
    );
    assert_eq!(
        err.to_string(),
        "unknown technology 'mysqll'; did you mean MySQL?"
    );
    let err = parse_technologies("Kubernetes", &k).unwrap_err();
    assert!(
        err.to_string().contains("knowledge/technologies.toml"),
        "{err}"
    );
}

#[test]
fn the_technologies_field_parses_to_canonical_names_without_repeats() {
    let k = kb();
    assert_eq!(
        parse_technologies("redis, my-sql; Cassandra", &k).unwrap(),
        ["Redis", "MySQL", "Cassandra"]
    );
    assert_eq!(
        parse_technologies("MySQL;my-sql\nmysql, casandra", &k).unwrap(),
        ["MySQL", "Cassandra"]
    );
    assert!(parse_technologies(" , ", &k).unwrap().is_empty());
    let r = RawDraft::from_fields(
        "note",
        "T",
        "Text.",
        "",
        "redis, my-sql",
        "https://a.example\nhttps://b.example",
    );
    let d = validate(&r, &k).unwrap();
    assert_eq!(d.technologies, ["Redis", "MySQL"]);
    assert_eq!(d.sources, ["https://a.example", "https://b.example"]);
    assert_eq!(d.company, None);
}

#[test]
fn known_companies_take_their_canonical_name_and_unknown_ones_stay_trimmed() {
    let k = kb();
    let mut r = raw("T");
    r.company = Some(" meta ".into());
    assert_eq!(
        validate(&r, &k).unwrap().company.as_deref(),
        Some("Facebook")
    );
    r.company = Some("  Acme   Corp ".into());
    assert_eq!(
        validate(&r, &k).unwrap().company.as_deref(),
        Some("Acme Corp")
    );
}

#[test]
fn control_characters_are_stripped_but_markdown_and_mentions_are_kept() {
    let k = kb();
    let mut r = raw("**Bold**\u{0007} title\n@everyone");
    r.text = "Line one\u{0000}\r\nLine <@123> two\u{202E}".into();
    let d = validate(&r, &k).unwrap();
    assert_eq!(d.title, "**Bold** title @everyone");
    assert_eq!(d.text, "Line one\nLine <@123> two");
}

#[test]
fn a_duplicate_title_or_source_among_the_guilds_live_entries_is_flagged() {
    let t = open();
    let s = &t.store;
    let who = moderator();
    let e = s.add(A, &who, &draft("Cache first")).unwrap();

    let same_title = Draft {
        sources: vec!["https://example.com/new".into()],
        ..draft("cache FIRST")
    };
    let dup = s.find_duplicate(A, &same_title, None).unwrap().unwrap();
    assert_eq!(
        (dup.id.as_str(), &dup.field),
        (e.id.as_str(), &DuplicateField::Title)
    );
    assert_eq!(
        ValidationError::from(dup).to_string(),
        "an entry with this title already exists: kb-cache-first; edit it instead"
    );

    let same_source = Draft {
        sources: vec!["https://example.com/Cache-first/".into()],
        ..draft("Another title")
    };
    let dup = s.find_duplicate(A, &same_source, None).unwrap().unwrap();
    assert!(matches!(dup.field, DuplicateField::Source(_)));
    assert_eq!(
        s.find_duplicate(A, &same_title, Some(&e.id)).unwrap(),
        None,
        "editing itself"
    );
    s.remove(A, &who, &e.id, None).unwrap();
    assert_eq!(
        s.find_duplicate(A, &same_title, None).unwrap(),
        None,
        "removed entries don't count"
    );
}

#[test]
fn the_store_refuses_a_draft_that_breaks_a_rule_even_if_the_caller_skipped_validation() {
    let t = open();
    let mut d = draft("T");
    d.sources = vec!["file:///etc/passwd".into()];
    let err = t.store.add(A, &moderator(), &d).unwrap_err();
    assert!(matches!(
        err,
        StoreError::Invalid(ValidationError::NotHttpUrl { .. })
    ));
    assert!(err.is_user_error());
    assert!(t.store.live(A).unwrap().is_empty());
    assert_eq!(t.store.revision_count(A, None).unwrap(), 0);
}

#[test]
fn export_then_import_into_another_guild_adds_the_same_entries() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    let mut d = draft("Cache first");
    d.company = Some("Twitter".into());
    s.add(A, &who, &d).unwrap();
    let exported = s.export(A).unwrap();
    assert_eq!(
        exported,
        [json!({
            "id": "kb-cache-first",
            "kind": "note",
            "title": "Cache first",
            "text": "Cache first. Measure before you optimise.",
            "company": "Twitter",
            "technologies": ["Redis"],
            "sources": ["https://example.com/Cache-first"],
        })]
    );

    let plan = s.plan_import(B, &k, &exported).unwrap();
    assert_eq!(plan.add.len(), 1);
    assert_eq!(
        s.revision_count(B, None).unwrap(),
        0,
        "planning writes nothing"
    );
    let done = s.apply_import(B, &who, &plan).unwrap();
    assert_eq!(ids(&done), ["kb-cache-first"]);
    assert_eq!(s.export(B).unwrap(), exported);
    assert!(
        s.plan_import(B, &k, &exported).unwrap().is_empty(),
        "a second import changes nothing"
    );
}

#[test]
fn an_import_plan_sorts_items_into_add_change_skip_and_invalid() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    s.add(A, &who, &draft("Existing")).unwrap();
    let gone = s.add(A, &who, &draft("Gone")).unwrap();
    s.remove(A, &who, &gone.id, None).unwrap();
    let item = |title: &str, extra: serde_json::Value| {
        let mut v = json!({
            "kind": "note", "title": title, "text": "Text.",
            "technologies": ["my-sql"], "sources": [format!("https://example.com/{}", title.replace(' ', "-"))],
        });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        v
    };
    let items = vec![
        item("New one", json!({})),
        item("Existing", json!({"id": "kb-existing"})),
        item("Existing", json!({})),
        json!({"kind": "note", "title": "Bad", "text": "x", "sources": ["ftp://x"]}),
        item("Unknown tech", json!({"technologies": ["Cobol DB"]})),
        json!("not an object"),
        item("Gone", json!({"id": "kb-gone"})),
        item("Base changed", json!({"id": "note-cache-first"})),
        item("New one", json!({})),
        json!({"kind": "note", "title": 7}),
    ];
    let plan = s.plan_import(A, &k, &items).unwrap();
    let adds: Vec<usize> = plan.add.iter().map(|a| a.index).collect();
    assert_eq!(adds, [0]);
    assert_eq!(plan.add[0].draft.technologies, ["MySQL"]);
    let changes: Vec<(usize, &str, bool)> = plan
        .change
        .iter()
        .map(|c| (c.index, c.id.as_str(), c.base))
        .collect();
    assert_eq!(
        changes,
        [(1, "kb-existing", false), (7, "note-cache-first", true)]
    );
    assert_eq!(plan.change[1].before, base_note(&k));
    let skips: Vec<(usize, &str)> = plan
        .skip
        .iter()
        .map(|s| (s.index, s.reason.as_str()))
        .collect();
    assert_eq!(
        skips,
        [
            (2, "same title as kb-existing"),
            (6, "kb-gone was removed in this server; revert it first"),
            (8, "same title as (item 0)"),
        ]
    );
    let invalid: Vec<(usize, &str)> = plan
        .invalid
        .iter()
        .map(|i| (i.index, i.reason.as_str()))
        .collect();
    assert_eq!(
        invalid,
        [
            (3, "source 'ftp://x' is not an http:// or https:// link"),
            (4, "unknown technology 'Cobol DB'; use a known name, or ask a maintainer to add it to knowledge/technologies.toml"),
            (5, "not a JSON object"),
            (9, "`title` must be a string"),
        ]
    );

    let before = s.revision_count(A, None).unwrap();
    let done = s.apply_import(A, &who, &plan).unwrap();
    assert_eq!(
        ids(&done),
        ["kb-new-one", "kb-existing", "note-cache-first"]
    );
    assert_eq!(s.revision_count(A, None).unwrap(), before + 3);
    let last = s.history(A, Some("note-cache-first"), 0, 1).unwrap();
    assert_eq!(last[0].action, Action::Override);
}

#[test]
fn an_import_applies_all_or_nothing() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    let e = s.add(A, &who, &draft("Existing")).unwrap();
    let items = vec![
        json!({"kind": "note", "title": "Fresh", "text": "x", "sources": ["https://f.example"]}),
        json!({"id": e.id, "kind": "qa", "title": "Existing", "text": "y", "sources": ["https://e.example"]}),
    ];
    let plan = s.plan_import(A, &k, &items).unwrap();
    assert_eq!((plan.add.len(), plan.change.len()), (1, 1));
    // The entry is removed between the preview and the confirmation.
    s.remove(A, &who, &e.id, None).unwrap();
    let err = s.apply_import(A, &who, &plan).unwrap_err();
    assert!(matches!(err, StoreError::Removed { .. }));
    assert!(s.live(A).unwrap().is_empty(), "the add was rolled back too");
    assert_eq!(s.revision_count(A, None).unwrap(), 2);
}

fn v1_database(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(schema::MIGRATIONS[0]).unwrap();
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
    assert_eq!(version, 2);
    let index: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'revisions_by_guild'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1, "migration 2 ran");
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
    let again = Store::open(&path).unwrap();
    assert_eq!(
        again.revision_count(A, Some("kb-old-entry")).unwrap(),
        2,
        "reopening migrates nothing twice"
    );
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
            known: 2,
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
fn a_hundred_concurrent_writes_and_reads_lose_nothing() {
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
    assert_eq!(s.integrity_check().unwrap(), "ok");
}
