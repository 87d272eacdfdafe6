//! Renderers: the only code that turns a [`crate::reply::Reply`] into bytes for a transport.

pub mod diagram;
pub mod discord;
pub mod preview;
pub mod terminal;

/// A moment as a reader anywhere can read it, the date and time in UTC
/// ("2026-11-23 20:23 UTC"); `None` beyond the calendar's range.
fn utc(secs: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}
