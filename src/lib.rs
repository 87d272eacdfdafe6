//! Archie answers software-architecture questions from a curated knowledge base.
//!
//! One path for every request, whichever transport it came over: transport → typed
//! `Command` → `execute` → transport-neutral `Reply` → one renderer per transport →
//! transport. Each layer is a crate of its own, and a crate uses only those below it:
//!
//! | crate | holds | uses |
//! |---|---|---|
//! | `archie-text` | normalisation, slugs, safe cutting | — |
//! | `archie-knowledge` | the `knowledge/` model: load, check, import, export; quiz questions | text |
//! | `archie-search` | understand → retrieve → rank → fold → excerpt; the encoder; `eval` | knowledge, text |
//! | `archie-store` | the community store, SQLite and PostgreSQL | knowledge, text |
//! | `archie-core` | `Command`, `execute`, `Reply`, `App`, `Settings`, the curation loop | search, store, knowledge, text |
//! | `archie-discord` | parsing, custom ids, fair use, rendering, diagrams, both transports | core and below |
//! | `archie` (this crate) | `main`, the command line, `archie kb`, the terminal's text | all |
//!
//! The layers are re-exported here under the names the tests and benches use
//! (`archie::search`, `archie::store`, …).
//!
//! # Layout
//!
//! - `cli.rs` — The command line: clap definitions and one function per subcommand.
//! - `kb_cli.rs` — `archie kb …`: the moderator commands, for the operator.
//! - `main.rs` — The binary: loads `.env`, parses the command line, turns errors into one line.
//! - `terminal.rs` — The terminal's text of a reply.

pub mod cli;
pub mod kb_cli;
pub mod terminal;

pub use archie_core::{app, commands, config, logging, metrics, quality, reply};
pub use archie_discord as discord;
pub use archie_knowledge as knowledge;
pub use archie_knowledge::quiz;
pub use archie_search as search;
pub use archie_search::eval;
pub use archie_store as store;
pub use archie_text as text;

/// The renderers: Discord's (and its diagrams and previews) and the terminal's.
pub mod render {
    pub use crate::terminal;
    pub use archie_discord::render::{diagram, discord, preview};
}
