//! `/kb stats`: what the server asked and how the answers did over a period, and what
//! waits for its moderators. Anyone in the server may look.

use super::{guild, store_error, Outcome};
use crate::commands::Caller;
use crate::reply::{plain, Block, Data, Reply, Status};
use archie_store::Store;

/// The period `/kb stats` covers unless told otherwise, and the longest it covers.
pub const DEFAULT_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 3650;

pub(super) fn stats(store: &Store, caller: &Caller, days: i64) -> Outcome {
    let g = guild(caller)
        .ok_or_else(|| Reply::invalid("Stats are kept per server; ask in the server."))?;
    let days = if days <= 0 {
        DEFAULT_DAYS
    } else {
        days.min(MAX_DAYS)
    };
    let since = store.now().saturating_sub(days * 86_400);
    let s = store.stats(g, since).map_err(store_error)?;
    let mut r = Reply::new(Status::Answer, format!("This server, last {days} days"));
    let share = if s.asked > 0 {
        format!(" ({}%)", s.answered * 100 / s.asked)
    } else {
        String::new()
    };
    r.blocks.push(Block::new(
        "Questions",
        plain(format!("{} asked, {} answered{share}", s.asked, s.answered)),
    ));
    let votes = if s.votes.is_empty() {
        "No ratings yet.".to_string()
    } else {
        s.votes
            .iter()
            .map(|k| format!("{}: 👍 {} · 👎 {}", k.kind, k.up, k.down))
            .collect::<Vec<_>>()
            .join("\n")
    };
    r.blocks
        .push(Block::new("Ratings by kind of answer", plain(votes)));
    r.blocks.push(Block::new(
        "Waiting for moderators",
        plain(format!(
            "{} open gap(s) · {} proposal(s) pending",
            s.open_gaps, s.pending_proposals
        )),
    ));
    r.data = Some(Data::Stats(s));
    r.ephemeral = true;
    Ok(r)
}
