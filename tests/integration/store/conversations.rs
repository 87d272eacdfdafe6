//! Conversations and watched forums in the store: a follow-up's context per server, and
//! the forum channels a server watches with the posts answered once.

use super::*;

pub(super) fn a_conversation_context_is_read_back_only_in_its_own_server() {
    let t = open();
    let s = &t.store;
    s.put_context(A, 77, "s|Instagram||||database").unwrap();
    assert_eq!(
        s.context(A, 77).unwrap().as_deref(),
        Some("s|Instagram||||database")
    );
    assert_eq!(s.context(B, 77).unwrap(), None, "another server's key");
    s.put_context(A, 77, "s|Pinterest||||database").unwrap();
    assert_eq!(
        s.context(A, 77).unwrap().as_deref(),
        Some("s|Pinterest||||database"),
        "the same key again keeps the newest"
    );
}

pub(super) fn a_watched_forum_is_per_server_and_each_post_is_claimed_once() {
    let t = open();
    let s = &t.store;
    assert!(s.watch(A, 900, 42).unwrap());
    assert!(!s.watch(A, 900, 42).unwrap(), "watched already");
    assert!(s.is_watched(A, 900).unwrap());
    assert!(!s.is_watched(B, 900).unwrap(), "another server's channel");
    assert_eq!(s.watched(A).unwrap()[0].by, 42);
    assert!(s.claim_post(A, 901).unwrap());
    assert!(!s.claim_post(A, 901).unwrap(), "a post is answered once");
    assert!(s.claim_post(B, 901).unwrap(), "claims are per server");
    assert!(s.unwatch(A, 900).unwrap());
    assert!(s.watched(A).unwrap().is_empty());
}

#[test]
fn contexts_on_sqlite() {
    a_conversation_context_is_read_back_only_in_its_own_server();
}

#[test]
fn watching_on_sqlite() {
    a_watched_forum_is_per_server_and_each_post_is_claimed_once();
}
