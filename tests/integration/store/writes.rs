//! Moderator writes in one guild: add, edit, remove and revert with their history,
//! new ids, overrides and hiding of base entries, and guild isolation.

use super::*;

#[test]
pub(super) fn an_entry_round_trips_through_add_edit_remove_and_revert_with_history_newest_first() {
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
    let actions: Vec<RevisionAction> = h.iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [
            RevisionAction::Revert,
            RevisionAction::Remove,
            RevisionAction::Edit,
            RevisionAction::Add
        ]
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
pub(super) fn removing_an_entry_keeps_its_history_and_reverting_brings_it_back() {
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
pub(super) fn write_errors_name_the_problem_and_change_nothing() {
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
pub(super) fn new_ids_are_slugs_of_the_title_made_unique_within_the_guild() {
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
pub(super) fn editing_a_base_entry_creates_an_override_seen_only_in_that_guild() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    let (base, mine, o) = override_base(s, &k, |d| {
        d.text = "Twitter put Redis in front of MySQL. It still shards.".into()
    });
    assert_eq!(
        (o.id.as_str(), o.origin),
        ("note-cache-first", Origin::Base)
    );
    assert_eq!(ids(&s.live(A).unwrap()), ["note-cache-first"]);
    assert!(s.live(B).unwrap().is_empty());
    assert_eq!(s.get(B, "note-cache-first").unwrap(), None);
    let h = s.history(A, Some("note-cache-first"), 0, 10).unwrap();
    assert_eq!(h[0].action, RevisionAction::Override);
    assert_eq!(h[0].before.as_ref(), Some(&base));
    assert_eq!(h[0].after.as_ref(), Some(&mine));

    let mut again = mine.clone();
    again.title = "Cache before you shard, still".into();
    s.edit(A, &who, "note-cache-first", &again, Some(&base))
        .unwrap();
    let h = s.history(A, Some("note-cache-first"), 0, 10).unwrap();
    assert_eq!(
        h[0].action,
        RevisionAction::Edit,
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
pub(super) fn removing_a_base_entry_hides_it_only_in_that_guild_until_reverted_or_restored() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    let (base, mine, o) = override_base(s, &k, |d| d.title = "Cache, then shard".into());
    let hidden = s.remove(A, &who, "note-cache-first", Some(&base)).unwrap();
    assert_eq!(hidden.state, State::Hidden);
    assert_eq!(s.hidden(A).unwrap(), ["note-cache-first"]);
    assert!(s.live(A).unwrap().is_empty());
    assert!(s.hidden(B).unwrap().is_empty());
    let shown: Vec<(u64, String, State)> = s
        .shown_rows(None, 100)
        .unwrap()
        .into_iter()
        .map(|e| (e.guild, e.id, e.state))
        .collect();
    assert_eq!(shown, [(A, "note-cache-first".to_string(), State::Hidden)]);
    assert_eq!(
        s.history(A, Some("note-cache-first"), 0, 1).unwrap()[0].action,
        RevisionAction::Hide
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
pub(super) fn entries_of_one_guild_never_appear_in_another() {
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
        .shown_rows(None, 100)
        .unwrap()
        .into_iter()
        .map(|e| (e.guild, e.id))
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
