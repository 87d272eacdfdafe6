//! The change log followers read: every write, in order, across guilds; the rows an index
//! is rebuilt from, page by page; and the store's identity.

use super::*;

#[test]
pub(super) fn every_write_appears_in_the_change_log_once_in_order_across_guilds() {
    let t = open();
    let s = &t.store;
    let who = moderator();
    assert_eq!(s.last_revision().unwrap(), 0);
    assert!(s.changes_since(0, 100).unwrap().is_empty());
    let a = s.add(A, &who, &draft("Cache first")).unwrap();
    let b = s.add(B, &who, &draft("Queue later")).unwrap();
    s.remove(A, &who, &a.id, None).unwrap();
    let log = s.changes_since(0, 100).unwrap();
    let seen: Vec<(u64, &str)> = log.iter().map(|c| (c.guild, c.id.as_str())).collect();
    assert_eq!(
        seen,
        [(A, a.id.as_str()), (B, b.id.as_str()), (A, a.id.as_str())]
    );
    assert!(log.windows(2).all(|w| w[0].revision < w[1].revision));
    assert_eq!(s.last_revision().unwrap(), log[2].revision);
    let tail = s.changes_since(log[0].revision, 1).unwrap();
    assert_eq!(tail, log[1..2], "after a revision, at most `limit`");
}

#[test]
pub(super) fn shown_rows_page_through_live_and_hidden_rows_of_every_guild() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let who = moderator();
    for i in 0..5 {
        s.add(A, &who, &draft(&format!("Note {i}"))).unwrap();
    }
    let gone = s.add(B, &who, &draft("Gone soon")).unwrap();
    s.remove(B, &who, &gone.id, None).unwrap();
    s.remove(B, &who, "note-cache-first", Some(&base_note(&k)))
        .unwrap();
    let mut all = Vec::new();
    let mut after: Option<(u64, String)> = None;
    loop {
        let page = s
            .shown_rows(after.as_ref().map(|(g, id)| (*g, id.as_str())), 2)
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.guild, last.id.clone()));
        all.extend(page);
    }
    let got: Vec<(u64, &str, State)> = all
        .iter()
        .map(|e| (e.guild, e.id.as_str(), e.state))
        .collect();
    assert_eq!(
        got.len(),
        6,
        "five live in A, one hidden base id in B: {got:?}"
    );
    assert!(got[..5]
        .iter()
        .all(|(g, _, st)| *g == A && *st == State::Live));
    assert_eq!(got[5], (B, "note-cache-first", State::Hidden));
}

#[test]
fn a_store_keeps_its_identity_across_reopening_and_another_store_has_another() {
    let t = open();
    let id = t.store.instance_id().unwrap();
    assert_eq!(id.len(), 32);
    drop(t.store);
    let again = Store::open(&t.path).unwrap();
    assert_eq!(again.instance_id().unwrap(), id);
    assert_ne!(open().store.instance_id().unwrap(), id);
}
