//! Archie answers software-architecture questions from a curated knowledge base.
//!
//! This crate is the binary's: `main`, the command line ([`cli`]), `archie kb` ([`kb_cli`])
//! and the terminal's text ([`terminal`]). The layers it runs are crates of their own,
//! re-exported here under the names the tests and benches use.

pub mod cli;
pub mod kb_cli;
pub mod terminal;

pub use archie_core::{app, commands, config, logging, reply};
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
