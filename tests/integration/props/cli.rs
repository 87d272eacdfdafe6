//! The command line never panics: whatever the arguments, clap parses them or refuses them
//! with its usage, and a lookup with any text is answered or declined in both the forms
//! `archie` prints. A sample goes through the real binary too, which must exit 0, 1 or 2,
//! never 101 (the exit of a caught panic).

use crate::passages::{app, nasty_text};
use crate::support::*;
use archie::cli::Cli;
use archie::commands::{execute, Caller};
use archie::terminal::reply_json;
use clap::Parser;
use proptest::prelude::*;
use std::sync::LazyLock;

/// What can stand on a command line: the subcommands, every flag Archie knows (with and
/// without its value), `--`, the help flags, numbers, and hostile text.
fn arg() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => nasty_text(0..8),
        2 => prop::sample::select(&[
            "ask", "stack", "uses", "whatis", "compare", "read", "check", "export", "eval",
            "kb", "commands", "--json", "--limit", "--explain", "--png", "--knowledge", "--",
            "-", "-x", "-h", "--help", "--version", "0", "-1", "99999999999999999999", "",
        ][..])
        .prop_map(String::from),
        1 => "-{1,2}[a-z]{0,8}(=[a-z0-9]{0,4})?",
    ]
}

/// A command line that starts with a lookup most of the time, so lookups get most cases.
fn argv() -> impl Strategy<Value = Vec<String>> {
    (
        prop::sample::select(&["ask", "stack", "uses", "whatis", "compare", "read", "?"][..]),
        prop::collection::vec(arg(), 0..5),
    )
        .prop_map(|(sub, rest)| {
            let mut v = vec!["archie".to_string()];
            if sub != "?" {
                v.push(sub.to_string());
            }
            v.extend(rest);
            v
        })
}

proptest! {
    #![proptest_config(config(1_000))]

    #[test]
    fn any_command_line_is_parsed_or_refused_and_any_lookup_answered(args in argv()) {
        let Ok(cli) = Cli::try_parse_from(&args) else {
            // clap's refusal (or its help) is the answer: an error value, not a panic.
            return Ok(());
        };
        let Some(cmd) = cli.command.lookup() else {
            return Ok(());
        };
        // The cross-flag checks concern `serve` only: a lookup always passes them.
        prop_assert!(cli.check().is_ok());
        let reply = execute(app(), &Caller::default(), &cmd);
        prop_assert!(serde_json::to_string(&reply_json(&reply)).is_ok());
        for ansi in [false, true] {
            let text = archie::render::terminal::render(&reply, ansi);
            prop_assert!(!text.trim().is_empty(), "{:?} printed nothing", args);
        }
    }
}

proptest! {
    // Each case starts the binary (tens of milliseconds): a sample of the lines above.
    #![proptest_config(config(24))]

    #[test]
    fn the_binary_never_exits_with_a_panic(args in argv()) {
        // One data folder for every run: the index is built once, not once per case.
        static DATA: LazyLock<tempfile::TempDir> = LazyLock::new(|| tempfile::tempdir().unwrap());
        // A real command line cannot hold a NUL byte (the OS refuses it before Archie runs).
        let argv: Vec<String> = args[1..].iter().map(|a| a.replace('\0', "")).collect();
        let out = archie().data(DATA.path()).args(&argv).output();
        let code = out.status.code();
        let err = String::from_utf8_lossy(&out.stderr);
        prop_assert!(matches!(code, Some(0..=2)), "{:?}: exit {:?}\n{}", args, code, err);
        prop_assert!(!err.contains("internal error"), "{:?}: {}", args, err);
    }
}
