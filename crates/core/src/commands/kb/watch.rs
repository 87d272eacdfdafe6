//! `/kb watch channel:#forum` and `/kb unwatch`: the forum channels whose new posts Archie
//! answers when it is confident (the gateway does the answering).

use super::{ack, server, store_error, Outcome};
use crate::app::App;
use crate::commands::Caller;
use crate::reply::{data, Data, Reply};
use archie_store::Store;
use std::sync::atomic::Ordering;

/// What the bot's operator must switch on for Archie to read forum posts.
pub const NEEDS_MESSAGE_CONTENT: &str =
    "Archie cannot read forum posts here yet. The bot's operator must switch on the Message \
     Content Intent (Discord Developer Portal → your application → Bot → Privileged Gateway \
     Intents), set ARCHIE_MESSAGE_CONTENT=1 and run Archie on the gateway (archie serve, not \
     --http). Nothing was changed.";

pub(super) fn watch(app: &App, store: &Store, caller: &Caller, channel: u64) -> Outcome {
    let g = server(caller)?;
    if !app.reads_posts.load(Ordering::Relaxed) {
        return Err(Box::new(Reply::refused(NEEDS_MESSAGE_CONTENT)));
    }
    let by = caller.actor.as_ref().map_or(0, |a| a.id);
    let new = store.watch(g, channel, by).map_err(store_error)?;
    let mut r = ack(
        if new {
            "Watching the forum"
        } else {
            "Already watching the forum"
        },
        format!(
            "Archie answers each new post in <#{channel}> once, when the knowledge answers \
             it well, and stays silent otherwise. /kb unwatch stops it."
        ),
    );
    r.data = Some(Data::Recorded(data::Recorded {
        recorded: format!("watching {channel}"),
    }));
    Ok(r)
}

pub(super) fn unwatch(store: &Store, caller: &Caller, channel: u64) -> Outcome {
    let g = server(caller)?;
    let was = store.unwatch(g, channel).map_err(store_error)?;
    let mut r = ack(
        if was {
            "Stopped watching the forum"
        } else {
            "That forum was not watched"
        },
        format!("Archie no longer answers new posts in <#{channel}>."),
    );
    r.data = Some(Data::Recorded(data::Recorded {
        recorded: format!("unwatched {channel}"),
    }));
    Ok(r)
}
