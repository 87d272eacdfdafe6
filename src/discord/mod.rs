//! Archie on Discord. Both transports — the gateway ([`gateway`], a serenity client) and
//! the signed HTTP interactions endpoint ([`http`]) — hand every interaction to
//! [`respond`]: [`interaction::parse`] turns it into a typed command, `execute` answers,
//! [`crate::render::discord`] renders. Command definitions live in [`definitions`],
//! paging state in button ids in [`custom_id`], startup and shutdown in [`run`].

pub mod autocomplete;
pub mod custom_id;
pub mod definitions;
pub mod gateway;
pub mod http;
pub mod interaction;
pub mod run;

use crate::app::App;
use crate::commands::execute;
use crate::render::discord::{self as render, wire::Response, Ctx};
use interaction::Incoming;
use serenity::all::Interaction;

/// Results per `/ask` page: the best answer and two related entries.
pub const ASK_PER_PAGE: usize = 3;
/// Links per `/read` page.
pub const READ_PER_PAGE: usize = 5;

/// The response to one interaction. Cheap (well under a millisecond), never panics.
pub fn respond(app: &App, i: &Interaction) -> Response {
    match interaction::parse(i) {
        Incoming::Ping => render::pong(),
        Incoming::Run(run) => {
            let reply = execute(app, &run.command);
            let ctx = Ctx {
                command: &run.command,
                view: run.view,
                mention: run.mention,
                private: run.private,
                update: run.update,
            };
            render::reply(&reply, &ctx)
        }
        Incoming::Autocomplete { names, typed } => {
            render::choices(autocomplete::suggest(app, names, &typed))
        }
        Incoming::NoChoices => render::choices(Vec::new()),
        Incoming::Refuse(why) => render::notice_text(&why),
    }
}
