//! Archie's one request path, with no transport in it: a typed [`commands::Command`] is
//! answered by [`commands::execute`] as a transport-neutral [`reply::Reply`].
//!
//! # Layout
//!
//! - `app.rs` — `App`: the state built once per process and passed by reference to every command.
//! - `app/community.rs` — The community store as search reads it, and the follower that keeps a serving process current with writes made by other…
//! - `app/health.rs` — The store's health as a serving process sees it.
//! - `app/question_log.rs` — The question log, written off the answer path: `/ask` answers from memory and must never wait on the store.
//! - `commands/ask.rs` — `/ask QUESTION`: the best matching entries with excerpts and sources.
//! - `commands/compare.rs` — `/compare A B`: the technologies two companies share and those only one uses, by layer.
//! - `commands/help.rs` — `/help`: what Archie knows and how to ask.
//! - `commands/kb/entries.rs` — One entry: show it with its latest changes, remove it (after a confirmation), revert it to an earlier revision.
//! - `commands/kb/feedback.rs` — Members rate answers.
//! - `commands/kb/form.rs` — The entry form.
//! - `commands/kb/gaps.rs` — `/kb gaps`: the questions this server's members asked without a good answer, most asked first.
//! - `commands/kb/history.rs` — `/kb history`: a server's revisions, newest first, each with its diff, page by page.
//! - `commands/kb/mod.rs` — `/kb`: moderators curate their server's knowledge — add, edit, remove, show, history, revert, export, import.
//! - `commands/kb/proposals.rs` — Member proposals: any member proposes a new entry or an edit through the entry form.
//! - `commands/kb/stats.rs` — `/kb stats`: what the server asked and how the answers did over a period, and what waits for its moderators.
//! - `commands/kb/suggest.rs` — Autocomplete for an entry id: what this server sees, its own entries first.
//! - `commands/kb/transfer.rs` — `/kb export` and `/kb import`: a server's entries as a JSON file and back.
//! - `commands/kb/watch.rs` — `/kb watch channel:#forum` and `/kb unwatch`: the forum channels whose new posts Archie answers when it is confident.
//! - `commands/mod.rs` — The typed commands every transport produces, and `execute`, the one dispatcher.
//! - `commands/quiz.rs` — `/quiz question [company|technology|topic]`.
//! - `commands/read.rs` — `/read TOPIC`: reading-list links on a topic, best first.
//! - `commands/stack.rs` — `/stack COMPANY`: a company's technologies by layer, its links and its reading list.
//! - `commands/uses.rs` — `/uses TECHNOLOGY`: the companies whose stack lists it, each with its source.
//! - `commands/whatis.rs` — `/whatis TECHNOLOGY`: what a technology is, who uses it, where that comes from.
//! - `config/limits.rs` — The fair-use limits an operator sets (`ARCHIE_*_COOLDOWN`, `ARCHIE_REPEAT_WINDOW`).
//! - `config/mod.rs` — Every setting Archie reads from the environment, read and checked once at start into [`Settings`] and passed down from…
//! - `config/vars.rs` — Each variable's reader: its value from the environment, checked, or an error naming the variable and the fix.
//! - `logging.rs` — Where the log goes: stderr, through a writer that never fails.
//! - `metrics.rs` — Operators' figures in Prometheus's text format.
//! - `quality.rs` — Answer quality as a member meets it: a question set scored through the `/ask` command itself (the same `execute` a transport calls, with…
//! - `reply/data.rs` — The machine-readable side of a [`Reply`](super::Reply): what `--json` prints, one typed shape per command.
//! - `reply/mod.rs` — `Reply`: what a command answers, independent of any transport.

pub mod app;
pub mod commands;
pub mod config;
pub mod logging;
pub mod metrics;
pub mod quality;
pub mod reply;
