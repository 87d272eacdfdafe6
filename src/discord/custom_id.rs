//! Paging state carried by buttons, so a click works after a restart and on either
//! transport: `custom_id` is `<command>:<page>:<argument>` when that fits Discord's 100
//! characters, else `<command>:<page>` and the argument is read back from the footer of
//! the message the button sits on (`Page 2 of 5 · Asked: <question>`).
//!
//! `/kb` buttons: `kbh:<page>:<id>` pages a history (`id` empty for the whole server),
//! `kbrm:<id>` confirms a removal, `kbimp:<token>` confirms an import. An id only says
//! what to do: rights and scope are checked again for every click.

use super::{ASK_PER_PAGE, READ_PER_PAGE};
use crate::commands::kb::KbCommand;
use crate::commands::Command;

const MAX_ID: usize = 100;
/// Pages beyond this are not real (results are capped far lower); refuse them early.
const MAX_PAGE: usize = 1000;

/// The command's name in ids and its label in footers.
fn parts(cmd: &Command) -> (&'static str, &'static str, String) {
    match cmd {
        Command::Ask { question, .. } => ("ask", "Asked: ", question.clone()),
        Command::Read { topic, .. } => ("read", "Topic: ", topic.clone()),
        Command::Stack { company } => ("stack", "Company: ", company.clone()),
        Command::Uses { tech } => ("uses", "Technology: ", tech.clone()),
        Command::WhatIs { tech } => ("whatis", "Technology: ", tech.clone()),
        Command::Compare { first, second } => (
            "compare",
            "Companies: ",
            format!("{} | {}", escape_bar(first), escape_bar(second)),
        ),
        Command::Help => ("help", "", String::new()),
    }
}

fn escape_bar(s: &str) -> String {
    s.replace('%', "%25").replace('|', "%7C")
}

fn unescape_bar(s: &str) -> String {
    s.replace("%7C", "|").replace("%25", "%")
}

/// The button id that shows `page` of `cmd`'s answer.
pub fn encode(cmd: &Command, page: usize) -> String {
    let (name, _, arg) = parts(cmd);
    let full = format!("{name}:{page}:{arg}");
    if full.chars().count() <= MAX_ID {
        full
    } else {
        format!("{name}:{page}")
    }
}

/// The footer of a paged message: the page, and the argument in readable form.
/// `@` and `<` are followed by a zero-width space so the footer never reads as a mention.
pub fn footer(cmd: &Command, page: usize, pages: usize) -> String {
    let (_, label, arg) = parts(cmd);
    let arg = crate::text::truncate_words(&arg, 1500)
        .replace('@', "@\u{200B}")
        .replace('<', "<\u{200B}");
    if arg.is_empty() {
        format!("Page {} of {pages}", page + 1)
    } else {
        format!("Page {} of {pages} · {label}{arg}", page + 1)
    }
}

/// The command and page a button asks for; `footer` is the footer text of the message
/// the button is on. `None` for an id Archie did not make.
pub fn decode(custom_id: &str, footer: Option<&str>) -> Option<(Command, usize)> {
    let mut it = custom_id.splitn(3, ':');
    let name = it.next()?;
    let page: usize = it.next()?.parse().ok().filter(|p| *p <= MAX_PAGE)?;
    let arg = match it.next() {
        Some(a) => a.to_string(),
        None => from_footer(name, footer?)?,
    };
    let cmd = match name {
        "ask" => Command::Ask {
            question: arg,
            page,
            per_page: ASK_PER_PAGE,
        },
        "read" => Command::Read {
            topic: arg,
            page,
            per_page: READ_PER_PAGE,
        },
        "stack" => Command::Stack { company: arg },
        "uses" => Command::Uses { tech: arg },
        "whatis" => Command::WhatIs { tech: arg },
        "compare" => {
            let (a, b) = arg.split_once('|')?;
            Command::Compare {
                first: unescape_bar(a.trim()),
                second: unescape_bar(b.trim()),
            }
        }
        "help" => Command::Help,
        _ => return None,
    };
    Some((cmd, page))
}

/// The button id that shows `page` of the history of `id` (all of the server's when empty).
pub fn kb_history(id: &str, page: usize) -> String {
    format!("kbh:{page}:{id}")
}

/// The `/kb` command a button id asks for; `None` for an id that is not a `/kb` button.
pub fn decode_kb(custom_id: &str) -> Option<KbCommand> {
    let (name, rest) = custom_id.split_once(':')?;
    match name {
        "kbh" => {
            let (page, id) = rest.split_once(':').unwrap_or((rest, ""));
            let page: usize = page.parse().ok().filter(|p| *p <= MAX_PAGE)?;
            let id = id.trim();
            Some(KbCommand::History {
                id: (!id.is_empty()).then(|| id.to_string()),
                page,
            })
        }
        "kbrm" if !rest.trim().is_empty() => Some(KbCommand::Remove {
            id: rest.trim().to_string(),
            confirmed: true,
        }),
        "kbimp" if !rest.trim().is_empty() => Some(KbCommand::ConfirmImport {
            token: rest.trim().to_string(),
        }),
        _ => None,
    }
}

fn from_footer(name: &str, footer: &str) -> Option<String> {
    let (_, rest) = footer.split_once(" · ")?;
    let label = match name {
        "ask" => "Asked: ",
        "read" => "Topic: ",
        "stack" => "Company: ",
        "uses" | "whatis" => "Technology: ",
        "compare" => "Companies: ",
        _ => "",
    };
    let arg = rest
        .strip_prefix(label)?
        .replace("@\u{200B}", "@")
        .replace("<\u{200B}", "<");
    Some(arg)
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

    #[test]
    fn a_short_question_travels_in_the_id() {
        let id = encode(&ask("what does Twitter use: for backend", 0), 1);
        assert_eq!(id, "ask:1:what does Twitter use: for backend");
        assert_eq!(
            decode(&id, None),
            Some((ask("what does Twitter use: for backend", 1), 1))
        );
    }

    #[test]
    fn a_long_question_is_recovered_from_the_footer() {
        let q = format!("how does @everyone <@123> {} scale", "really ".repeat(30));
        let cmd = ask(&q, 0);
        let id = encode(&cmd, 2);
        assert_eq!(id, "ask:2");
        let f = footer(&cmd, 0, 5);
        assert!(!f.contains("@everyone") && !f.contains("<@"), "{f}");
        assert_eq!(decode(&id, Some(&f)), Some((ask(&q, 2), 2)));
        assert_eq!(decode(&id, None), None);
    }

    #[test]
    fn compare_arguments_survive_bars() {
        let cmd = Command::Compare {
            first: "A|B".into(),
            second: "100%".into(),
        };
        let id = encode(&cmd, 1);
        assert_eq!(decode(&id, None), Some((cmd.clone(), 1)));
        let long = Command::Compare {
            first: "x".repeat(60),
            second: "y|z".repeat(20),
        };
        let f = footer(&long, 0, 2);
        assert_eq!(decode(&encode(&long, 1), Some(&f)), Some((long, 1)));
    }

    #[test]
    fn kb_buttons_decode_to_their_commands() {
        assert_eq!(
            decode_kb(&kb_history("kb-1a2b", 3)),
            Some(KbCommand::History {
                id: Some("kb-1a2b".into()),
                page: 3
            })
        );
        assert_eq!(
            decode_kb(&kb_history("", 1)),
            Some(KbCommand::History { id: None, page: 1 })
        );
        assert_eq!(
            decode_kb("kbrm:kb-9"),
            Some(KbCommand::Remove {
                id: "kb-9".into(),
                confirmed: true
            })
        );
        assert_eq!(
            decode_kb("kbimp:abc"),
            Some(KbCommand::ConfirmImport {
                token: "abc".into()
            })
        );
        for id in [
            "kbrm:",
            "kbimp: ",
            "kbh:x:kb-1",
            "kbh:5000:",
            "ask:1:q",
            "kb",
        ] {
            assert_eq!(decode_kb(id), None, "{id}");
        }
    }

    #[test]
    fn foreign_or_hostile_ids_are_refused() {
        for id in [
            "",
            "ask",
            "ask:x:q",
            "nope:1:q",
            "ask:99999999999999999999:q",
            "ask:5000:q",
        ] {
            assert_eq!(decode(id, Some("Page 1 of 2 · Asked: q")), None, "{id}");
        }
    }

    // ---- properties: any id decodes without panicking; every id Archie makes round-trips.

    use proptest::prelude::*;

    /// An option value as Discord delivers it: any text within the option's max_length
    /// (300 for a question, 100 for a name), without surrounding whitespace (Discord trims
    /// option values). Zero-width spaces are left out: the footer writes `@`/`<` followed
    /// by one to defuse mentions, and reads them back as plain `@`/`<`.
    fn value(max: usize) -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 :|%@<>#*_~`-]{0,40}",
            proptest::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter),
            "[a-z ]{90,300}",
        ]
        .prop_map(move |s| {
            let s: String = s.chars().take(max).collect();
            s.replace('\u{200B}', "").trim().to_string()
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
        ]
    }

    /// `cmd` as the button for `page` brings it back.
    fn at_page(cmd: &Command, page: usize) -> Command {
        match cmd.clone() {
            Command::Ask {
                question, per_page, ..
            } => Command::Ask {
                question,
                page,
                per_page,
            },
            Command::Read {
                topic, per_page, ..
            } => Command::Read {
                topic,
                page,
                per_page,
            },
            other => other,
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
        fn any_text_as_an_id_or_footer_never_panics(id in any::<String>(), footer in proptest::option::of(any::<String>())) {
            if let Some((cmd, page)) = decode(&id, footer.as_deref()) {
                prop_assert!(page <= MAX_PAGE);
                prop_assert_eq!(at_page(&cmd, page), cmd);
            }
            if let Some(KbCommand::History { page, .. }) = decode_kb(&id) {
                prop_assert!(page <= MAX_PAGE);
            }
        }

        #[test]
        fn every_id_archie_makes_decodes_back_to_its_command_and_page(
            cmd in command(), page in 0..=MAX_PAGE, pages in 1..=MAX_PAGE + 1,
        ) {
            let id = encode(&cmd, page);
            prop_assert!(id.chars().count() <= MAX_ID, "{} characters: {}", id.chars().count(), id);
            let f = footer(&cmd, page, pages);
            prop_assert!(f.chars().count() <= 2048);
            prop_assert_eq!(decode(&id, Some(f.as_str())), Some((at_page(&cmd, page), page)));
            // The footer of another message never changes what an id that holds its
            // argument asks for.
            if id.matches(':').count() >= 2 {
                prop_assert_eq!(decode(&id, Some("Page 1 of 2 · Asked: other")), Some((at_page(&cmd, page), page)));
            }
        }

        #[test]
        fn every_kb_id_archie_makes_decodes_back(id in "(kb-)?[a-z0-9-]{0,60}", page in 0..=MAX_PAGE, token in "[0-9a-f]{24}") {
            let history = decode_kb(&kb_history(&id, page));
            prop_assert_eq!(history, Some(KbCommand::History { id: (!id.is_empty()).then(|| id.clone()), page }));
            if !id.is_empty() {
                prop_assert_eq!(decode_kb(&format!("kbrm:{id}")), Some(KbCommand::Remove { id: id.clone(), confirmed: true }));
            }
            prop_assert_eq!(decode_kb(&format!("kbimp:{token}")), Some(KbCommand::ConfirmImport { token }));
        }

        #[test]
        fn damaged_ids_are_refused_or_read_as_a_command_never_a_panic(
            cmd in command(), page in 0..=MAX_PAGE, how in any::<u8>(), at in any::<usize>(),
            text in prop_oneof!["[0-9]{15,40}", "\\PC{1,4}", Just(String::new()), Just(":".to_string())],
        ) {
            let id = mutated(&encode(&cmd, page), how, at, &text);
            let f = footer(&cmd, page, page + 1);
            for footer in [None, Some(f.as_str())] {
                if let Some((_, p)) = decode(&id, footer) {
                    prop_assert!(p <= MAX_PAGE);
                }
            }
            let kb_id = mutated(&kb_history("kb-1a2b", page), how, at, &text);
            if let Some(KbCommand::History { page, .. }) = decode_kb(&kb_id) {
                prop_assert!(page <= MAX_PAGE);
            }
        }
    }
}
