//! Archie answers software-architecture questions from a curated knowledge base.
//!
//! Layout (one path for every request: transport → `Command` → `execute` → `Reply`):
//! - [`knowledge`]: the curated entries of `knowledge/`, loaded, validated, resolved.
//! - [`text`]: normalisation, slugs, safe truncation shared by every layer.
//! - [`config`]: where the knowledge folder and the data directory are.
//! - [`cli`]: the command line.

pub mod cli;
pub mod config;
pub mod knowledge;
pub mod text;
