//! Archie's one request path, with no transport in it: a typed [`commands::Command`] is
//! answered by [`commands::execute`] as a transport-neutral [`reply::Reply`].
//!
//! # Layout
//!
//! - [`app`] — `App`, the state built once per process; the question log; the store probe.
//! - [`commands`] — `Command` and `execute`; one file per command.
//! - [`config`] — `Settings`, read from the environment once at start.
//! - [`reply`] — `Reply` with typed actions, forms, timestamps and paging.
//! - [`logging`] — the log's writer: a line stderr cannot take is dropped and counted.

pub mod app;
pub mod commands;
pub mod config;
pub mod logging;
pub mod reply;
