//! Every id made here reads back as what it was made from, and no id exceeds Discord's limit.

use super::*;

fn ask(q: &str, page: usize) -> Command {
    Command::Ask {
        question: q.into(),
        page,
        per_page: ASK_PER_PAGE,
    }
}

fn round_trip(cmd: &Command, n: usize, stash: &Stash) -> Option<(Command, usize)> {
    decode(&encode(cmd, n, stash)?, stash)
}

#[test]
fn a_short_question_travels_in_the_id() {
    let stash = Stash::default();
    let id = encode(&ask("what does Twitter use: for backend", 0), 1, &stash).unwrap();
    assert_eq!(id, "ask:1:what does Twitter use: for backend");
    assert_eq!(
        decode(&id, &stash),
        Some((ask("what does Twitter use: for backend", 1), 1))
    );
}

#[test]
fn a_long_question_is_kept_in_the_stash_never_read_from_the_message() {
    let stash = Stash::default();
    let q = format!("how does @everyone <@123> {} scale", "really ".repeat(30));
    let cmd = ask(&q, 0);
    let id = encode(&cmd, 2, &stash).unwrap();
    assert!(
        id.starts_with("ask~:2:") && id.chars().count() <= MAX_ID,
        "{id}"
    );
    assert_eq!(decode(&id, &stash), Some((ask(&q, 2), 2)));
    // Another process (or a restart) has no such text: the button has expired.
    assert_eq!(decode(&id, &Stash::default()), None);
    let f = footer(&cmd, 0, 5);
    assert!(!f.contains("@everyone") && !f.contains("<@"), "{f}");
}

#[test]
fn compare_arguments_survive_bars() {
    let stash = Stash::default();
    let cmd = Command::Compare {
        first: "A|B".into(),
        second: "100%".into(),
    };
    assert_eq!(round_trip(&cmd, 1, &stash), Some((cmd.clone(), 1)));
    let long = Command::Compare {
        first: "x".repeat(60),
        second: "y|z".repeat(20),
    };
    assert_eq!(round_trip(&long, 1, &stash), Some((long, 1)));
}

fn kb(c: KbCommand) -> Command {
    Command::Kb(c)
}

#[test]
fn kb_buttons_keep_their_wire_format_and_decode_to_their_commands() {
    let stash = Stash::default();
    let history = kb(KbCommand::History {
        id: Some("kb-1a2b".into()),
        page: 3,
    });
    assert_eq!(encode(&history, 3, &stash).unwrap(), "kbh:3:kb-1a2b");
    assert_eq!(round_trip(&history, 3, &stash), Some((history, 3)));
    let all = kb(KbCommand::History { id: None, page: 1 });
    assert_eq!(encode(&all, 1, &stash).unwrap(), "kbh:1:");
    assert_eq!(decode("kbh:1:", &stash), Some((all, 1)));
    let remove = kb(KbCommand::Remove {
        id: "kb-9".into(),
        confirmed: true,
    });
    assert_eq!(encode(&remove, 0, &stash).unwrap(), "kbrm:kb-9");
    assert_eq!(decode("kbrm:kb-9", &stash), Some((remove, 0)));
    let small = kb(KbCommand::ConfirmImport {
        preview: ImportPreview {
            actor: 7,
            at: 1_700_000_000,
            json: "[]".into(),
        },
    });
    assert_eq!(encode(&small, 0, &stash).unwrap(), "kbimp:7.1700000000.[]");
    assert_eq!(decode("kbimp:7.1700000000.[]", &stash), Some((small, 0)));
    let unconfirmed = kb(KbCommand::Remove {
        id: "kb-9".into(),
        confirmed: false,
    });
    assert_eq!(
        encode(&unconfirmed, 0, &stash),
        None,
        "no button asks again"
    );
    for id in [
        "kbrm:",
        "kbimp: ",
        "kbimp:7.1700000000.",
        "kbimp:x.1700000000.[]",
        "kbh:x:kb-1",
        "kbh:5000:",
        "kb",
        "kbrm~:nokey",
    ] {
        assert_eq!(decode(id, &stash), None, "{id}");
    }
}

#[test]
fn forms_round_trip_and_foreign_forms_are_refused() {
    let stash = Stash::default();
    let add = Submit::Add(Kind::Note);
    assert_eq!(form(&add, &stash), "kbform:add:note");
    assert_eq!(decode_form("kbform:add:note", &stash), Some(add));
    let edit = Submit::Edit("stack-instagram".into());
    assert_eq!(form(&edit, &stash), "kbform:edit:stack-instagram");
    assert_eq!(decode_form(&form(&edit, &stash), &stash), Some(edit));
    let long = Submit::Edit(format!("kb-{}", "x".repeat(120)));
    let id = form(&long, &stash);
    assert!(id.chars().count() <= MAX_ID, "{id}");
    assert_eq!(decode_form(&id, &stash), Some(long));
    for submit in [
        Submit::AnswerGap(12),
        Submit::ProposeAdd(Kind::Qa),
        Submit::ProposeEdit("stack-instagram".into()),
        Submit::ProposeEdit(format!("kb-{}", "y".repeat(120))),
        Submit::Missing(3),
        Submit::Reject(9),
    ] {
        let id = form(&submit, &stash);
        assert!(id.chars().count() <= MAX_ID, "{id}");
        assert_eq!(decode_form(&id, &stash), Some(submit), "{id}");
    }
    for id in [
        "",
        "kbform:gap:0",
        "kbform:gap:-3",
        "kbform:reject:x",
        "kbform:padd:nope",
        "kbform:add:nope",
        "kbform:edit: ",
        "kbform:zap:x",
        "ask:1:q",
    ] {
        assert_eq!(decode_form(id, &stash), None, "{id}");
    }
}

#[test]
fn foreign_or_hostile_ids_are_refused() {
    let stash = Stash::default();
    for id in [
        "",
        "vote+:0",
        "vote-:-1",
        "vote+:abc",
        "kbok:",
        "kbgaps:1:x",
        "ask",
        "ask:x:q",
        "nope:1:q",
        "ask:99999999999999999999:q",
        "ask:5000:q",
        "ask~:1:0123456789abcdef",
    ] {
        assert_eq!(decode(id, &stash), None, "{id}");
    }
}

// ---- properties: any id decodes without panicking; every id Archie makes round-trips.

use proptest::prelude::*;

/// An option value as Discord delivers it: any text within the option's max_length
/// (300 for a question, 100 for a name), without surrounding whitespace (Discord trims
/// option values).
fn value(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 :|%@<>#*_~`-]{0,40}",
        proptest::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter),
        "[a-z ]{90,300}",
    ]
    .prop_map(move |s| {
        let s: String = s.chars().take(max).collect();
        s.trim().to_string()
    })
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        value(300).prop_map(|q| ask(&q, 0)),
        value(100).prop_map(|topic| Command::Read {
            topic,
            page: 0,
            per_page: READ_PER_PAGE
        }),
        value(100).prop_map(|company| Command::Stack { company }),
        value(100).prop_map(|tech| Command::Uses { tech }),
        value(100).prop_map(|tech| Command::WhatIs { tech }),
        (value(100), value(100)).prop_map(|(first, second)| Command::Compare { first, second }),
        Just(Command::Help),
        "(kb-)?[a-z0-9-]{0,120}".prop_map(|id| kb(KbCommand::History {
            id: (!id.is_empty()).then_some(id),
            page: 0
        })),
        "(kb-)?[a-z0-9-]{1,120}".prop_map(|id| kb(KbCommand::Remove {
            id,
            confirmed: true
        })),
        (1..u64::MAX, 0..i64::MAX, "\\[[ -~]{0,3000}\\]").prop_map(|(actor, at, json)| kb(
            KbCommand::ConfirmImport {
                preview: ImportPreview { actor, at, json }
            }
        )),
        (1..i64::MAX, any::<bool>()).prop_map(|(ask, up)| kb(KbCommand::Vote {
            ask,
            vote: if up { Vote::Up } else { Vote::Down }
        })),
        (1..i64::MAX).prop_map(|ask| kb(KbCommand::MissingForm { ask })),
        Just(kb(KbCommand::Gaps { page: 0 })),
        (1..i64::MAX).prop_map(|gap| kb(KbCommand::AnswerForm { gap })),
        (1..i64::MAX).prop_map(|gap| kb(KbCommand::DismissGap { gap })),
        Just(kb(KbCommand::Review { page: 0 })),
        (1..i64::MAX).prop_map(|proposal| kb(KbCommand::Approve { proposal })),
        (1..i64::MAX).prop_map(|proposal| kb(KbCommand::RejectForm { proposal })),
    ]
}

/// `cmd` as the button for page `n` brings it back: paged commands at that page.
fn at(cmd: &Command, n: usize) -> (Command, usize) {
    match cmd {
        Command::Kb(
            KbCommand::Remove { .. }
            | KbCommand::ConfirmImport { .. }
            | KbCommand::Vote { .. }
            | KbCommand::MissingForm { .. }
            | KbCommand::AnswerForm { .. }
            | KbCommand::DismissGap { .. }
            | KbCommand::Approve { .. }
            | KbCommand::RejectForm { .. },
        ) => (cmd.clone(), 0),
        _ => (cmd.at_page(n).unwrap_or_else(|| cmd.clone()), n),
    }
}

/// A valid id, damaged the ways a forged or corrupted id can be.
fn mutated(id: &str, how: u8, at: usize, text: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let at = at % (chars.len() + 1);
    let (head, tail): (String, String) =
        (chars[..at].iter().collect(), chars[at..].iter().collect());
    match how % 6 {
        0 => head,
        1 => format!("{head}{text}{}", tail.chars().skip(1).collect::<String>()),
        2 => format!("{head}{text}{tail}"),
        3 => id.replacen(|c: char| c.is_ascii_digit(), "99999999999999999999999", 1),
        4 => id.replacen(':', text, 1),
        _ => id.bytes().rev().map(char::from).collect(),
    }
}

/// 2,000 cases a property, or `PROPTEST_CASES` when it is set (a longer run).
fn config() -> ProptestConfig {
    let c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_some() {
        c
    } else {
        ProptestConfig { cases: 2000, ..c }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_as_an_id_never_panics(id in any::<String>()) {
        let stash = Stash::default();
        if let Some((cmd, n)) = decode(&id, &stash) {
            prop_assert!(n <= MAX_PAGE);
            prop_assert_eq!(at(&cmd, n), (cmd, n));
        }
        let _ = decode_form(&id, &stash);
    }

    #[test]
    fn every_id_archie_makes_decodes_back_to_its_command_and_page(
        cmd in command(), n in 0..=MAX_PAGE, pages in 1..=MAX_PAGE + 1,
    ) {
        let stash = Stash::default();
        let id = encode(&cmd, n, &stash).expect("every generated command has a button");
        prop_assert!(id.chars().count() <= MAX_ID, "{} characters: {}", id.chars().count(), id);
        prop_assert_eq!(decode(&id, &stash), Some(at(&cmd, n)));
        prop_assert!(footer(&cmd, n, pages).chars().count() <= 2048);
    }

    #[test]
    fn damaged_ids_are_refused_or_read_as_a_command_never_a_panic(
        cmd in command(), n in 0..=MAX_PAGE, how in any::<u8>(), at in any::<usize>(),
        text in prop_oneof!["[0-9]{15,40}", "\\PC{1,4}", Just(String::new()), Just(":".to_string())],
    ) {
        let stash = Stash::default();
        let id = mutated(&encode(&cmd, n, &stash).unwrap_or_default(), how, at, &text);
        if let Some((_, p)) = decode(&id, &stash) {
            prop_assert!(p <= MAX_PAGE);
        }
    }
}
