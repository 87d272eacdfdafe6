//! Every id Archie puts on a button or a form, and reading them back: the one place that
//! knows their format. A button's id carries the command it runs, so a click works after a
//! restart and on either transport: `<command>:<page>:<argument>` (the page of a paged
//! answer, or the screen of a long one). An argument too long for Discord's 100
//! characters is kept in the process's [`Stash`] and the id carries its key instead
//! (`<command>~:<page>:<key>`); nothing is ever read back from what a member sees.
//!
//! `/kb`: `kbh:<page>:<id>` pages a history (`id` empty for the whole server),
//! `kbrm:<id>` confirms a removal, `kbimp:<token>` confirms an import,
//! `kbform:add:<kind>` and `kbform:edit:<id>` are the entry forms. An id only says what to
//! do: rights and scope are checked again for every click and every submitted form.

use super::definitions as def;
use super::{ASK_PER_PAGE, READ_PER_PAGE};
use archie_core::app::Stash;
use archie_core::commands::{Command, KbCommand};
use archie_core::reply::Submit;
use archie_knowledge::Kind;
use archie_store::Vote;

const MAX_ID: usize = 100;
/// Pages beyond this are not real (results are capped far lower); refuse them early.
const MAX_PAGE: usize = 1000;
const HISTORY: &str = "kbh";
const REMOVE: &str = "kbrm";
const IMPORT: &str = "kbimp";
const FORM_ADD: &str = "kbform:add:";
const FORM_EDIT: &str = "kbform:edit:";
const QUIZ: &str = "quiz";
const UP: &str = "vote+";
const DOWN: &str = "vote-";
const MISSING: &str = "missing";
const GAPS: &str = "kbgaps";
const ANSWER_GAP: &str = "kbgap";
const DISMISS_GAP: &str = "kbdis";
const REVIEW: &str = "kbrev";
const APPROVE: &str = "kbok";
const REJECT: &str = "kbno";
const FORM_GAP: &str = "kbform:gap:";
const FORM_PROPOSE: &str = "kbform:padd:";
const FORM_PROPOSE_EDIT: &str = "kbform:pedit:";
const FORM_MISSING: &str = "kbform:miss:";
const FORM_REJECT: &str = "kbform:reject:";
/// Marks a name whose argument is a [`Stash`] key.
const STASHED: char = '~';

/// The command's name in ids, its argument, and the label of that argument in footers.
fn parts(cmd: &Command) -> Option<(&'static str, String, &'static str)> {
    Some(match cmd {
        Command::Ask { question, .. } => (def::ASK, question.clone(), "Asked: "),
        Command::Read { topic, .. } => (def::READ, topic.clone(), "Topic: "),
        Command::Stack { company } => (def::STACK, company.clone(), "Company: "),
        Command::Uses { tech } => (def::USES, tech.clone(), "Technology: "),
        Command::WhatIs { tech } => (def::WHATIS, tech.clone(), "Technology: "),
        Command::Compare { first, second } => (
            def::COMPARE,
            format!("{} | {}", escape_bar(first), escape_bar(second)),
            "Companies: ",
        ),
        Command::Help => (def::HELP, String::new(), ""),
        Command::Kb(KbCommand::History { id, .. }) => {
            (HISTORY, id.clone().unwrap_or_default(), "Entry: ")
        }
        Command::Kb(KbCommand::Remove {
            id,
            confirmed: true,
        }) => (REMOVE, id.clone(), ""),
        Command::Kb(KbCommand::ConfirmImport { token }) => (IMPORT, token.clone(), ""),
        Command::Kb(KbCommand::Vote { ask, vote }) => (
            match vote {
                Vote::Up => UP,
                Vote::Down => DOWN,
            },
            ask.to_string(),
            "",
        ),
        Command::Kb(KbCommand::MissingForm { ask }) => (MISSING, ask.to_string(), ""),
        Command::Kb(KbCommand::Gaps { .. }) => (GAPS, String::new(), ""),
        Command::Kb(KbCommand::AnswerForm { gap }) => (ANSWER_GAP, gap.to_string(), ""),
        Command::Kb(KbCommand::DismissGap { gap }) => (DISMISS_GAP, gap.to_string(), ""),
        Command::Kb(KbCommand::Review { .. }) => (REVIEW, String::new(), ""),
        Command::Kb(KbCommand::Approve { proposal }) => (APPROVE, proposal.to_string(), ""),
        Command::Kb(KbCommand::RejectForm { proposal }) => (REJECT, proposal.to_string(), ""),
        Command::Kb(_) => return None,
        Command::QuizAnswer { quiz, choice } => (QUIZ, format!("{quiz}.{choice}"), ""),
        Command::Quiz { .. } | Command::Leaderboard => return None,
    })
}

/// Whether the id has no page: a confirmation or a choice runs once.
fn unpaged(name: &str) -> bool {
    matches!(
        name,
        REMOVE | IMPORT | UP | DOWN | MISSING | ANSWER_GAP | DISMISS_GAP | APPROVE | REJECT | QUIZ
    )
}

/// Whether a click on the button of `cmd` replaces the message it sits on (pages, a
/// confirmation, a review step), rather than answering with a message or a form of its
/// own (a vote's thanks, an entry form).
pub fn updates(cmd: &Command) -> bool {
    !matches!(
        cmd,
        Command::QuizAnswer { .. }
            | Command::Kb(
                KbCommand::Vote { .. }
                    | KbCommand::MissingForm { .. }
                    | KbCommand::AnswerForm { .. }
                    | KbCommand::RejectForm { .. }
            )
    )
}

/// A record's id as a button or a form carries it: a positive integer.
fn record_id(arg: &str) -> Option<i64> {
    arg.parse().ok().filter(|n| *n > 0)
}

fn escape_bar(s: &str) -> String {
    s.replace('%', "%25").replace('|', "%7C")
}

fn unescape_bar(s: &str) -> String {
    s.replace("%7C", "|").replace("%25", "%")
}

/// `head` followed by `arg`, or by `arg`'s stash key (and the stashed mark) when the whole
/// would exceed Discord's 100 characters.
fn with_arg(name: &str, rest: &str, arg: &str, stash: &Stash) -> String {
    let full = format!("{name}{rest}{arg}");
    if full.chars().count() <= MAX_ID {
        full
    } else {
        format!("{name}{STASHED}{rest}{}", stash.put(arg))
    }
}

/// The id of a button that runs `cmd` at page (or screen) `n`; `None` for a command no
/// button runs.
pub fn encode(cmd: &Command, n: usize, stash: &Stash) -> Option<String> {
    let (name, arg, _) = parts(cmd)?;
    Some(if unpaged(name) {
        with_arg(name, ":", &arg, stash)
    } else {
        with_arg(name, &format!(":{n}:"), &arg, stash)
    })
}

/// The command and page (or screen) a button asks for. `None` for an id Archie did not
/// make, or whose stashed argument is gone.
pub fn decode(custom_id: &str, stash: &Stash) -> Option<(Command, usize)> {
    let (name, rest) = custom_id.split_once(':')?;
    let (name, stashed) = match name.strip_suffix(STASHED) {
        Some(n) => (n, true),
        None => (name, false),
    };
    let (n, arg) = if unpaged(name) {
        (0, rest)
    } else {
        let (n, arg) = rest.split_once(':')?;
        (n.parse().ok().filter(|p| *p <= MAX_PAGE)?, arg)
    };
    let arg = if stashed {
        stash.get(arg)?
    } else {
        arg.to_string()
    };
    let cmd = match name {
        def::ASK => Command::Ask {
            question: arg,
            page: n,
            per_page: ASK_PER_PAGE,
        },
        def::READ => Command::Read {
            topic: arg,
            page: n,
            per_page: READ_PER_PAGE,
        },
        def::STACK => Command::Stack { company: arg },
        def::USES => Command::Uses { tech: arg },
        def::WHATIS => Command::WhatIs { tech: arg },
        def::COMPARE => {
            let (a, b) = arg.split_once('|')?;
            Command::Compare {
                first: unescape_bar(a.trim()),
                second: unescape_bar(b.trim()),
            }
        }
        def::HELP => Command::Help,
        HISTORY => {
            let id = arg.trim();
            Command::Kb(KbCommand::History {
                id: (!id.is_empty()).then(|| id.to_string()),
                page: n,
            })
        }
        REMOVE if !arg.trim().is_empty() => Command::Kb(KbCommand::Remove {
            id: arg.trim().to_string(),
            confirmed: true,
        }),
        IMPORT if !arg.trim().is_empty() => Command::Kb(KbCommand::ConfirmImport {
            token: arg.trim().to_string(),
        }),
        QUIZ => {
            let (quiz, choice) = arg.split_once('.')?;
            Command::QuizAnswer {
                quiz: record_id(quiz)?,
                choice: choice
                    .parse()
                    .ok()
                    .filter(|c| *c < archie_knowledge::quiz::CHOICES)?,
            }
        }
        UP | DOWN => Command::Kb(KbCommand::Vote {
            ask: record_id(&arg)?,
            vote: if name == UP { Vote::Up } else { Vote::Down },
        }),
        MISSING => Command::Kb(KbCommand::MissingForm {
            ask: record_id(&arg)?,
        }),
        GAPS if arg.is_empty() => Command::Kb(KbCommand::Gaps { page: n }),
        ANSWER_GAP => Command::Kb(KbCommand::AnswerForm {
            gap: record_id(&arg)?,
        }),
        DISMISS_GAP => Command::Kb(KbCommand::DismissGap {
            gap: record_id(&arg)?,
        }),
        REVIEW if arg.is_empty() => Command::Kb(KbCommand::Review { page: n }),
        APPROVE => Command::Kb(KbCommand::Approve {
            proposal: record_id(&arg)?,
        }),
        REJECT => Command::Kb(KbCommand::RejectForm {
            proposal: record_id(&arg)?,
        }),
        _ => return None,
    };
    Some((cmd, n))
}

/// The id of the form that does `submit`.
pub fn form(submit: &Submit, stash: &Stash) -> String {
    match submit {
        Submit::Add(kind) => format!("{FORM_ADD}{}", kind.as_str()),
        Submit::Edit(id) => with_arg("kbform", ":edit:", id, stash),
        Submit::AnswerGap(gap) => format!("{FORM_GAP}{gap}"),
        Submit::ProposeAdd(kind) => format!("{FORM_PROPOSE}{}", kind.as_str()),
        Submit::ProposeEdit(id) => with_arg("kbform", ":pedit:", id, stash),
        Submit::Missing(ask) => format!("{FORM_MISSING}{ask}"),
        Submit::Reject(proposal) => format!("{FORM_REJECT}{proposal}"),
    }
}

/// What a submitted form does; `None` for a form Archie did not make.
pub fn decode_form(custom_id: &str, stash: &Stash) -> Option<Submit> {
    if let Some(kind) = custom_id.strip_prefix(FORM_ADD) {
        return Kind::parse(kind).map(Submit::Add);
    }
    if let Some(kind) = custom_id.strip_prefix(FORM_PROPOSE) {
        return Kind::parse(kind).map(Submit::ProposeAdd);
    }
    for (prefix, make) in [
        (FORM_GAP, Submit::AnswerGap as fn(i64) -> Submit),
        (FORM_MISSING, Submit::Missing),
        (FORM_REJECT, Submit::Reject),
    ] {
        if let Some(n) = custom_id.strip_prefix(prefix) {
            return record_id(n).map(make);
        }
    }
    let (id, edit) = if let Some(id) = custom_id.strip_prefix(FORM_EDIT) {
        (id.to_string(), true)
    } else if let Some(id) = custom_id.strip_prefix(FORM_PROPOSE_EDIT) {
        (id.to_string(), false)
    } else if let Some(key) = custom_id.strip_prefix("kbform~:edit:") {
        (stash.get(key)?, true)
    } else {
        (stash.get(custom_id.strip_prefix("kbform~:pedit:")?)?, false)
    };
    let id = id.trim().to_string();
    if id.is_empty() {
        return None;
    }
    Some(if edit {
        Submit::Edit(id)
    } else {
        Submit::ProposeEdit(id)
    })
}

/// The footer of a paged message: the page, and the argument in readable form (for the
/// reader only: ids never read it back). `@` and `<` are followed by a zero-width space so
/// the footer never reads as a mention.
pub fn footer(cmd: &Command, page: usize, pages: usize) -> String {
    let (_, arg, label) = parts(cmd).unwrap_or(("", String::new(), ""));
    let arg = archie_text::truncate_words(&arg, 1500)
        .replace('@', "@\u{200B}")
        .replace('<', "<\u{200B}");
    if arg.is_empty() || label.is_empty() {
        format!("Page {} of {pages}", page + 1)
    } else {
        format!("Page {} of {pages} · {label}{arg}", page + 1)
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            decode("kbimp:abc", &stash),
            Some((
                kb(KbCommand::ConfirmImport {
                    token: "abc".into()
                }),
                0
            ))
        );
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
            "[0-9a-f]{24}".prop_map(|token| kb(KbCommand::ConfirmImport { token })),
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
}
