//! Export and import between guilds: the plan and its all-or-nothing application.

use super::*;

#[test]
pub(super) fn export_then_import_into_another_guild_adds_the_same_entries() {
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
pub(super) fn an_import_plan_sorts_items_into_add_change_skip_and_invalid() {
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
    assert_eq!(last[0].action, RevisionAction::Override);
}

#[test]
pub(super) fn an_import_applies_all_or_nothing() {
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
