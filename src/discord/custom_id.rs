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
}
