//! Archie answers software-architecture questions from a curated knowledge base.
//!
//! Layout (one path for every request: transport → `Command` → `execute` → `Reply`):
//! - [`knowledge`]: the curated entries of `knowledge/`, loaded, validated, resolved.
//! - [`search`]: the tantivy index and the answer engine (entities, intents, ranking, excerpts).
//! - [`commands`]: the typed `Command`s and `execute`, returning a transport-neutral [`reply::Reply`].
//! - [`store`]: the community store: moderator entries per guild and their audit trail (SQLite).
//! - [`app`]: the state built once per process.
//! - [`text`]: normalisation, slugs, safe truncation shared by every layer.
//! - [`discord`]: Archie on Discord: gateway and HTTP interactions endpoint, one parsing path.
//! - [`config`]: where the knowledge folder and the data directory are.
//! - [`cli`]: the command line.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod discord;
pub mod eval;
pub mod kb_cli;
pub mod knowledge;
pub mod render;
pub mod reply;
pub mod search;
pub mod store;
pub mod text;
