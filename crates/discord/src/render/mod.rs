//! Renderers for Discord: the only code here that turns a [`archie_core::reply::Reply`]
//! into bytes.

pub mod diagram;
pub mod discord;
pub mod preview;
