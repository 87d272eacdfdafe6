//! Archie's integration tests: one crate (one link of serenity, tantivy, axum, candle and
//! SQLite instead of one per file), one module per area. `support` holds the shared
//! builders: the HTTP app, the binary runner, the environment scrub, Discord's payloads,
//! its schemas and a local stand-in for Discord.

mod support;

mod answers;
mod cli;
mod discord_limits;
mod gateway;
mod http;
mod http_kb;
mod import;
mod index;
mod kb_cli;
mod kb_crash;
mod knowledge;
mod moderation;
mod passages;
mod props;
mod store;
mod store_crash;
