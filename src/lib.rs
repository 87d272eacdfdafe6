//! Archie answers software-architecture questions from a curated knowledge base.
//!
//! # Layout
//!
//! One path for every request, whichever transport it came over: transport → typed
//! [`commands::Command`] → [`commands::execute`] → transport-neutral [`reply::Reply`] → one
//! renderer per transport → transport.
//!
//! - `main.rs` — the binary: loads `.env`, parses the command line, turns errors into one line.
//! - [`cli`] — the command line: clap definitions and one function per subcommand.
//! - [`kb_cli`] — `archie kb …`: the moderator commands for the operator.
//! - [`logging`] — the log's writer: a line stderr cannot take is dropped and counted, never a panic.
//! - [`config`] — `Settings`, read from the environment once at start (`config/vars.rs`: each variable's checks).
//! - [`app`] — `App`, the state built once per process; the stash of long button arguments.
//! - [`commands`] — `Command` and `execute`; one file per command:
//!   - `ask.rs`, `read.rs`, `stack.rs`, `uses.rs`, `whatis.rs`, `compare.rs`, `help.rs` — the lookups;
//!   - `kb/mod.rs` — `/kb`'s commands and the rights check every write passes;
//!   - `kb/form.rs` — the entry form and what its submission saves;
//!   - `kb/entries.rs` — show, remove, revert one entry;
//!   - `kb/history.rs` — the audit trail, page by page;
//!   - `kb/transfer.rs` — export, and import with its confirmed preview;
//!   - `kb/suggest.rs` — entry ids for autocomplete;
//!   - `kb/feedback.rs`, `kb/gaps.rs`, `kb/proposals.rs`, `kb/stats.rs` — the curation loop;
//!   - `quiz.rs` — `/quiz`, its answers and the leaderboard.
//! - [`quiz`] — multiple-choice questions drawn from the knowledge, one true choice each.
//! - [`reply`] — `Reply` with typed actions, forms, timestamps and paging; `reply/data.rs`: the typed `--json` data.
//! - [`render`] — the only code that turns a `Reply` into bytes:
//!   - `terminal.rs` — the CLI's text;
//!   - `discord.rs` — embeds, buttons, pages; `discord/modal.rs` — forms as modals;
//!   - `discord/text.rs` — escaping and links; `discord/split.rs` — long text in pieces;
//!   - `discord/limits.rs` — every Discord limit, enforced last; `discord/wire.rs` — the JSON shapes sent.
//! - [`discord`] — Archie on Discord:
//!   - `mod.rs` — answering one interaction on the one path, panics caught;
//!   - `interaction.rs` — an interaction parsed into a `Run` of a `Command`; `kb.rs` — `/kb`'s options, forms, file;
//!   - `custom_id.rs` — every button and form id, made and read in one place;
//!   - `message_question.rs` — the question in a message, for Apps → Find an answer;
//!   - `definitions.rs` — command and option names and definitions, defined once;
//!   - `rights.rs` — who asks, where, with which rights; `Options`;
//!   - `fair_use.rs` — cooldowns and repeated questions; `autocomplete.rs` — name completion;
//!   - `gateway.rs`, `http.rs`, `replay.rs` — the two transports and replay protection;
//!   - `followup.rs` — files after a response; `run.rs` — `serve`, `register`, shutdown;
//!   - `shards.rs` — `serve --shards FIRST-LAST --shard-count N`, the gateway shards a process runs.
//! - [`knowledge`] — the curated `knowledge/` folder:
//!   - `files.rs` — the TOML format; `model.rs` — entries and their details; `names.rs` — name tables;
//!   - `items.rs` — URLs and stack items; `problem.rs` — problems and load errors;
//!   - `typed_stack.rs` — a stack typed one layer per line; `layer_words.rs` — words that name layers;
//!   - `words.rs` — the form words of a question (`knowledge/words.toml`, embedded);
//!   - `load/` — one loader per kind (`names`, `stacks`, `entries`, `topics`, `detect`) over `loader.rs`;
//!   - `import/` — `archie import`: `qa.rs`, `markdown.rs`, `sections.rs`, `stack.rs`, `glossary.rs`,
//!     `reading.rs`, into `sink.rs` and `tables.rs`, written by `write.rs`, reported by `report.rs`.
//! - [`search`] — the answer engine:
//!   - `engine.rs` — the engine; `index.rs` — the tantivy index; `community.rs`, `visible.rs` — server entries;
//!   - `query/` — understanding (`markup`, `words`, `names`, `typos`, `intent`); `hangul.rs` — Korean
//!     particles and bigrams; `concepts.rs` — the glossary concepts a question describes;
//!   - `retrieve.rs` — candidates and evidence; `rank.rs` — `Weights` and the learned floor
//!     (`fitted.json`); `fold.rs` — one result per fact;
//!   - `excerpt/` — the answering excerpt (`window`, `answer`, `marking`, `sentences`);
//!   - `semantic.rs`, `bert.rs`, `vectors.rs` — the sentence encoder and stored vectors;
//!   - `results.rs` — what a search returns; `suggest.rs` — "did you mean".
//! - [`store`] — the SQLite community store: `schema.rs`, `model.rs`, `validate.rs`, `writes.rs`,
//!   `entries.rs`, `revisions.rs`, `diff.rs`, `import.rs`, `error.rs`.
//! - [`eval`] — scoring question sets and the corpus's fit/held-out split; [`text`] — normalisation, slugs, safe truncation.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod discord;
pub mod eval;
pub mod kb_cli;
pub mod knowledge;
pub mod logging;
pub mod quiz;
pub mod render;
pub mod reply;
pub mod search;
pub mod store;
pub mod text;
