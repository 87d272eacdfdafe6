//! The curation records in the store: asks, votes keyed without member ids, gaps that fold
//! alike questions, proposals with their limits and their approval through the normal
//! write path, settings, stats and export — per guild, on both backends.

use super::*;
use archie::store::curation::{MAX_NOTE_CHARS, MAX_PENDING_PER_MEMBER};
use archie::store::{GapState, ProposalState, Signature, Vote};

fn sig(names: &[&str], terms: &[&str]) -> Signature {
    Signature::new(
        names.iter().map(|s| s.to_string()).collect(),
        terms.iter().map(|s| s.to_string()).collect(),
    )
}

fn member(n: u64) -> Actor {
    Actor::new(n, format!("member-{n}"))
}

#[test]
pub(super) fn a_vote_is_kept_once_per_member_and_a_second_click_changes_it() {
    let t = open();
    let s = &t.store;
    let shown = vec!["qa-twitter-backend".to_string()];
    let q = sig(&["twitter"], &["backend"]);
    let ask = s
        .record_ask(
            A,
            "what does twitter use for backend",
            "k1",
            Some("qa"),
            &shown,
            || q.clone(),
        )
        .unwrap();
    const ANA: u64 = 1_300_000_000_000_000_003;
    let (ana, bo) = (s.member_key(ANA).unwrap(), s.member_key(ANA + 1).unwrap());
    assert_ne!(ana, bo);
    assert_eq!(
        ana,
        s.member_key(ANA).unwrap(),
        "the same member, the same key"
    );
    assert!(ana.len() == 32 && !ana.contains(&ANA.to_string()), "{ana}");
    assert_ne!(
        ana,
        open().store.member_key(ANA).unwrap(),
        "keyed with each install's own secret"
    );
    assert_eq!(s.vote(A, ask, &ana, Vote::Up, || q.clone()).unwrap(), None);
    assert_eq!(
        s.vote(A, ask, &ana, Vote::Up, || q.clone()).unwrap(),
        Some(Vote::Up)
    );
    assert_eq!(s.vote(A, ask, &bo, Vote::Down, || q.clone()).unwrap(), None);
    assert_eq!(
        s.vote(A, ask, &ana, Vote::Down, || q.clone()).unwrap(),
        Some(Vote::Up)
    );
    let st = s.stats(A, 0).unwrap();
    assert_eq!((st.asked, st.answered), (1, 1));
    assert_eq!(st.votes.len(), 1);
    assert_eq!(
        (st.votes[0].kind.as_str(), st.votes[0].up, st.votes[0].down),
        ("qa", 0, 2)
    );
    // Two members' 👎 on one answer: one gap asked twice, however often they change their
    // minds.
    s.vote(A, ask, &ana, Vote::Up, || q.clone()).unwrap();
    s.vote(A, ask, &ana, Vote::Down, || q.clone()).unwrap();
    let (gaps, total) = s.open_gaps(A, 0, 10).unwrap();
    assert_eq!((total, gaps[0].asked), (1, 2));
    // Another guild cannot vote on, or even see, this ask.
    assert!(s.ask_record(B, ask).unwrap().is_none());
    let err = s.vote(B, ask, &ana, Vote::Up, || q.clone()).unwrap_err();
    assert!(err.is_user_error(), "{err}");
    assert_eq!(s.stats(B, 0).unwrap().asked, 0);
    // The export keeps votes without who cast them.
    let ex = s.curation_export(A).unwrap();
    assert_eq!(ex.votes.len(), 2);
    let json = serde_json::to_string(&ex).unwrap();
    assert!(!json.contains(&ana) && !json.contains(&bo), "{json}");
}

#[test]
pub(super) fn unanswered_questions_fold_into_gaps_by_names_and_topic() {
    let t = open();
    let s = &t.store;
    let a = sig(&["netflix"], &["chaos", "monkey", "test"]);
    let alike = sig(&["netflix"], &["chaos", "monkey"]);
    let other_topic = sig(&["netflix"], &["billing", "invoice"]);
    let other_name = sig(&["uber"], &["chaos", "monkey", "test"]);
    for (q, g) in [
        ("how does netflix test with chaos monkey", &a),
        ("netflix chaos monkey??", &alike),
        ("netflix billing invoices", &other_topic),
        ("uber chaos monkey testing", &other_name),
    ] {
        s.record_ask(A, q, q, None, &[], || g.clone()).unwrap();
    }
    s.record_ask(B, "netflix chaos monkey", "x", None, &[], || a.clone())
        .unwrap();
    let (gaps, total) = s.open_gaps(A, 0, 10).unwrap();
    assert_eq!(total, 3);
    assert_eq!(gaps[0].question, "how does netflix test with chaos monkey");
    assert_eq!(gaps[0].asked, 2, "most asked first");
    assert_eq!(
        s.open_gaps(B, 0, 10).unwrap().1,
        1,
        "guild B has its own gap"
    );
    let st = s.stats(A, 0).unwrap();
    assert_eq!((st.asked, st.answered, st.open_gaps), (4, 0, 3));
}

#[test]
pub(super) fn a_note_on_a_down_vote_reaches_its_gap_and_needs_the_down_vote() {
    let t = open();
    let s = &t.store;
    let q = sig(&["instagram"], &["queue", "task"]);
    let shown = vec!["stack-instagram".to_string()];
    let ask = s
        .record_ask(
            A,
            "instagram task queue",
            "k",
            Some("stack"),
            &shown,
            || q.clone(),
        )
        .unwrap();
    let m = s.member_key(9).unwrap();
    let err = s.vote_note(A, ask, &m, "the broker", &q).unwrap_err();
    assert!(err.to_string().contains("👎"), "{err}");
    s.vote(A, ask, &m, Vote::Down, || q.clone()).unwrap();
    let long = "x".repeat(MAX_NOTE_CHARS * 2);
    s.vote_note(A, ask, &m, &long, &q).unwrap();
    let g = &s.open_gaps(A, 0, 10).unwrap().0[0];
    assert_eq!(g.asked, 1, "the note adds no count");
    assert_eq!(g.notes.len(), 1);
    assert!(g.notes[0].chars().count() <= MAX_NOTE_CHARS);
}

#[test]
pub(super) fn answering_a_gap_adds_the_entry_closes_the_gap_and_notes_it_in_the_history() {
    let t = open();
    let s = &t.store;
    s.record_ask(A, "what is a bloom filter", "k", None, &[], || {
        sig(&[], &["bloom", "filter"])
    })
    .unwrap();
    let gap = s.open_gaps(A, 0, 1).unwrap().0[0].id;
    assert!(s.gap(B, gap).unwrap().is_none(), "not another guild's");
    let err = s
        .answer_gap(B, &moderator(), gap, &draft("Bloom filters"))
        .unwrap_err();
    assert!(err.is_user_error(), "{err}");
    let e = s
        .answer_gap(A, &moderator(), gap, &draft("Bloom filters"))
        .unwrap();
    let closed = s.gap(A, gap).unwrap().unwrap();
    assert_eq!(closed.state, GapState::Answered);
    assert_eq!(closed.entry_id.as_deref(), Some(e.id.as_str()));
    let h = s.history(A, Some(&e.id), 0, 5).unwrap();
    let note = h[0].note.as_deref().unwrap();
    assert!(
        note.contains(&format!("gap #{gap}")) && note.contains("bloom"),
        "{note}"
    );
    let again = s
        .answer_gap(A, &moderator(), gap, &draft("Bloom filters 2"))
        .unwrap_err();
    assert!(again.to_string().contains("already answered"), "{again}");
    assert_eq!(
        s.revision_count(A, None).unwrap(),
        1,
        "the refused answer wrote nothing"
    );
    s.record_ask(A, "consistent hashing", "k2", None, &[], || {
        sig(&[], &["consist", "hash"])
    })
    .unwrap();
    let other = s.open_gaps(A, 0, 1).unwrap().0[0].id;
    assert_eq!(
        s.dismiss_gap(A, &moderator(), other).unwrap().state,
        GapState::Dismissed
    );
    assert_eq!(s.open_gaps(A, 0, 10).unwrap().1, 0);
}

#[test]
pub(super) fn proposals_wait_for_review_and_an_approval_writes_them_naming_both_people() {
    let t = open();
    let s = &t.store;
    let k = kb();
    let p = s
        .propose(A, &member(7), None, &draft("Sharding notes"))
        .unwrap();
    assert_eq!(p.state, ProposalState::Pending);
    assert!(s.live(A).unwrap().is_empty(), "a proposal is no entry");
    assert!(s.proposal(B, p.id).unwrap().is_none());
    let err = s.approve(B, &moderator(), p.id, None).unwrap_err();
    assert!(err.is_user_error(), "{err}");
    let (done, e) = s.approve(A, &moderator(), p.id, None).unwrap();
    assert_eq!(done.state, ProposalState::Approved);
    assert_eq!(done.result_id.as_deref(), Some(e.id.as_str()));
    assert_eq!(done.reviewer_name.as_deref(), Some("mod-ana"));
    let h = s.history(A, Some(&e.id), 0, 5).unwrap();
    assert_eq!(h[0].actor.name, "mod-ana");
    assert!(
        h[0].note.as_deref().unwrap().contains("member-7"),
        "{:?}",
        h[0].note
    );
    // An edit of a base entry, approved, becomes the guild's override.
    let base = base_note(&k);
    let mut changed = base.clone();
    changed.text.push_str(" Cache warm-up matters too.");
    let edit = s
        .propose(A, &member(8), Some("note-cache-first"), &changed)
        .unwrap();
    let (_, o) = s.approve(A, &moderator(), edit.id, Some(&base)).unwrap();
    assert_eq!(o.draft, changed);
    assert_eq!(o.origin, Origin::Base);
    // A rejection keeps its reason for the proposer; a decided proposal is not decided again.
    let r = s.propose(A, &member(7), None, &draft("Spam")).unwrap();
    let rejected = s
        .reject(A, &moderator(), r.id, Some("  Not about architecture. "))
        .unwrap();
    assert_eq!(rejected.reason.as_deref(), Some("Not about architecture."));
    assert!(s.approve(A, &moderator(), r.id, None).is_err());
    let mine = s.proposals_of(A, 7, 10).unwrap();
    assert_eq!(
        mine.iter().map(|p| p.state).collect::<Vec<_>>(),
        vec![ProposalState::Rejected, ProposalState::Approved]
    );
    assert!(s.proposals_of(B, 7, 10).unwrap().is_empty());
}

#[test]
pub(super) fn proposals_are_limited_per_member_and_can_be_turned_off() {
    let t = open();
    let s = &t.store;
    for i in 0..MAX_PENDING_PER_MEMBER {
        s.propose(A, &member(7), None, &draft(&format!("Idea {i}")))
            .unwrap();
    }
    let err = s
        .propose(A, &member(7), None, &draft("One more"))
        .unwrap_err();
    assert!(err.to_string().contains("/kb proposals"), "{err}");
    s.propose(A, &member(8), None, &draft("Another member"))
        .unwrap();
    s.propose(B, &member(7), None, &draft("Another guild"))
        .unwrap();
    assert!(s.proposals_open(A).unwrap());
    s.set_proposals_open(A, false).unwrap();
    assert!(!s.proposals_open(A).unwrap());
    assert!(s.proposals_open(B).unwrap(), "only guild A turned them off");
    let err = s
        .propose(A, &member(9), None, &draft("Closed"))
        .unwrap_err();
    assert!(err.to_string().contains("turned proposals off"), "{err}");
    let (pending, total) = s.pending_proposals(A, 0, 100).unwrap();
    assert_eq!(
        (pending.len() as i64, total),
        (MAX_PENDING_PER_MEMBER + 1, MAX_PENDING_PER_MEMBER + 1)
    );
    assert_eq!(
        s.stats(A, 0).unwrap().pending_proposals,
        MAX_PENDING_PER_MEMBER + 1
    );
    s.set_proposals_open(A, true).unwrap();
    assert!(s.proposals_open(A).unwrap());
}

#[test]
pub(super) fn a_quiz_is_answered_once_per_member_and_scored_per_guild() {
    let t = open();
    let s = &t.store;
    let q = archie::quiz::QuizQuestion {
        asked: archie::quiz::QuizKind::KindOf {
            layer: archie::knowledge::Layer::Cache,
        },
        prompt: "Which of these is a cache?".into(),
        choices: vec![
            "Redis".into(),
            "Python".into(),
            "Nagios".into(),
            "Fabric".into(),
        ],
        answer: 0,
        fact: "Redis is a cache.".into(),
        source: "https://example.com/redis".into(),
    };
    let quiz = s.new_quiz(A, &q).unwrap();
    assert_eq!(s.quiz(A, quiz).unwrap(), Some(q.clone()));
    assert_eq!(s.quiz(B, quiz).unwrap(), None, "another guild's quiz");
    let right = s.answer_quiz(A, quiz, &member(1), 0).unwrap();
    assert!(right.first && (right.right, right.answered) == (1, 1));
    let wrong = s.answer_quiz(A, quiz, &member(2), 3).unwrap();
    assert!(wrong.first && (wrong.right, wrong.answered) == (1, 2));
    let again = s.answer_quiz(A, quiz, &member(2), 0).unwrap();
    assert!(!again.first && again.choice == 3, "the first answer stands");
    assert!(s
        .answer_quiz(B, quiz, &member(3), 0)
        .unwrap_err()
        .is_user_error());
    let second = s.new_quiz(A, &q).unwrap();
    s.answer_quiz(A, second, &member(2), 0).unwrap();
    s.answer_quiz(A, second, &member(1), 0).unwrap();
    let board = s.leaderboard(A, 10).unwrap();
    let rows: Vec<(&str, i64, i64)> = board
        .iter()
        .map(|b| (b.name.as_str(), b.right, b.answered))
        .collect();
    assert_eq!(rows, vec![("member-1", 2, 2), ("member-2", 1, 2)]);
    assert_eq!(board[0].member_id, "1");
    assert!(s.leaderboard(B, 10).unwrap().is_empty());
    assert_eq!(s.leaderboard(A, 1).unwrap().len(), 1);
}
