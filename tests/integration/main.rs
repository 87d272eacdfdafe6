//! Archie's integration tests: one crate (one link of serenity, tantivy, axum, candle and
//! SQLite instead of one per file), one module per area, split into files of at most ~500
//! lines. `support` holds the one harness: the binary runner and its environment scrub
//! (`support::archie`, `support::SCRUBBED`), the HTTP app builder (`support::http_app`),
//! Discord's payloads, its schemas, a local stand-in for Discord and a throwaway PostgreSQL
//! server (`support::postgres::cluster`).
//!
//! # Fixtures
//!
//! - **The shipped `knowledge/`** (`support::shipped_dir`) is for what users get: answer
//!   quality and the README's commands (`answers`, `cli`, `index`, `knowledge`,
//!   `moderation`, `passages`, `kb_cli`, the quiz property, and the shipped half of
//!   `discord_limits`). These
//!   tests follow the data when it grows.
//! - **One small fixture knowledge folder, `tests/fixtures/discord-kb`**
//!   (`support::fixture_dir`, `support::fixture_app`, `support::kb_app`) is for behaviour
//!   that must not move when the shipped data does: the HTTP and gateway transports,
//!   Discord's limits, the community store, the crash tests and the property tests.
//! - **Seed documents**: `tests/fixtures/seeds/NNN_<hash>.txt` (`support::seed`), copies of
//!   the project's shared seeds, are the one source for the import tests. The full seeds
//!   are used only when asked for: `ARCHIE_SEEDS_DIR=../shared/seeds cargo test`. No test
//!   reads a machine path.
//! - Everything else under `tests/fixtures/` is named after what it stands for:
//!   `discord/` (Discord's OpenAPI description), `questions-dev.jsonl` (questions to ask);
//!   `tests/eval/questions.jsonl` is the graded evaluation set.
//!
//! A test that needs data it cannot find fails saying what is missing; none skips.

mod support;

mod answers;
mod cli;
mod community_index;
mod conversation;
mod corpus;
mod damaged_index;
mod deploy;
mod discord_limits;
mod encoder;
mod gateway;
mod http;
mod http_kb;
mod import;
mod index;
mod kb_cli;
mod kb_crash;
mod knowledge;
mod layout;
mod moderation;
mod no_abort;
mod operations;
mod passages;
mod postgres_harness;
mod previews;
mod props;
mod quiz;
mod reading;
mod replicas;
mod store;
mod store_crash;
mod store_faults;
