//! Renderers: the only code that turns a [`crate::reply::Reply`] into bytes for a transport.

pub mod discord;
pub mod preview;
pub mod terminal;
