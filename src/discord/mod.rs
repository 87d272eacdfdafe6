//! Archie on Discord. Both transports — the gateway ([`gateway`], a serenity client) and
//! the signed HTTP interactions endpoint ([`http`]) — hand every interaction to
//! [`answer`]: [`rights`] reads who asks and where, [`interaction::parse`] turns it into a
//! typed command (`/kb` in [`kb`]), `execute_in` answers in that server's context,
//! [`crate::render::discord`] renders. A file (an export) follows the response over REST
//! ([`followup`]). Command definitions live in [`definitions`], paging state in button ids
//! in [`custom_id`], startup and shutdown in [`run`].

pub mod autocomplete;
pub mod custom_id;
pub mod definitions;
pub mod followup;
pub mod gateway;
pub mod http;
pub mod interaction;
pub mod kb;
pub mod rights;
pub mod run;

use crate::app::App;
use crate::commands::kb::{self as kb_cmd, KbCommand};
use crate::commands::{execute_in, Ctx};
use crate::render::discord::{self as render, wire::Response};
use interaction::Incoming;
pub use rights::Settings;
use serenity::all::Interaction;
use std::sync::Arc;

/// Results per `/ask` page: the best answer and two related entries.
pub const ASK_PER_PAGE: usize = 3;
/// Links per `/read` page.
pub const READ_PER_PAGE: usize = 5;

/// What to send for one interaction: the response, then possibly a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub response: Response,
    /// Sent as a followup once the (deferred) response is out.
    pub file: Option<followup::File>,
}

impl From<Response> for Answer {
    fn from(response: Response) -> Answer {
        Answer {
            response,
            file: None,
        }
    }
}

/// The response to one interaction, without moderator roles, fetching or files (tests,
/// benchmarks). Never panics.
pub fn respond(app: &App, i: &Interaction) -> Response {
    respond_with(app, &Settings::default(), i, false).response
}

/// The answer to one interaction that needs no network: everything but `/kb import`'s
/// file fetch. `files`: whether the transport can send a file after the response.
pub fn respond_with(app: &App, settings: &Settings, i: &Interaction, files: bool) -> Answer {
    let ctx = rights::ctx(i, settings);
    answer_incoming(app, &ctx, interaction::parse(i), files)
}

/// The answer to one interaction: fetches `/kb import`'s file if the member may import,
/// then runs the command on a blocking thread (store writes fsync; a write is committed
/// before its reply exists).
pub async fn answer(app: Arc<App>, settings: &Settings, i: Interaction, files: bool) -> Answer {
    let ctx = rights::ctx(&i, settings);
    let mut incoming = interaction::parse(&i);
    if let Incoming::Import(file) = &incoming {
        incoming = if ctx.guild.is_some() && ctx.moderator {
            kb::fetch_import(file).await
        } else {
            // Refused by the command layer, which words the reason; nothing is fetched.
            Incoming::Kb {
                command: KbCommand::Import {
                    json: String::new(),
                },
                update: false,
            }
        };
    }
    match tokio::task::spawn_blocking(move || answer_incoming(&app, &ctx, incoming, files)).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "answering an interaction failed");
            render::notice_text("Something went wrong on Archie's side; try again in a moment.")
                .into()
        }
    }
}

fn answer_incoming(app: &App, ctx: &Ctx, incoming: Incoming, files: bool) -> Answer {
    match incoming {
        Incoming::Ping => render::pong().into(),
        Incoming::Run(run) => {
            let reply = execute_in(app, ctx, &run.command);
            let rctx = render::Ctx {
                command: &run.command,
                view: run.view,
                mention: run.mention,
                private: run.private,
                update: run.update,
            };
            render::reply(&reply, &rctx).into()
        }
        Incoming::Kb { command, update } => {
            if command == KbCommand::Export && !files {
                return render::notice_text(NO_FILES).into();
            }
            let reply = kb_cmd::execute(app, ctx, &command);
            match reply.attachment.as_ref() {
                Some(a) if files => Answer {
                    response: render::kb::deferred(),
                    file: Some(followup::File {
                        content: render::kb::file_text(&reply),
                        filename: a.filename.clone(),
                        bytes: a.bytes.clone(),
                    }),
                },
                Some(_) => render::notice_text(NO_FILES).into(),
                None => render::kb::reply(&reply, update).into(),
            }
        }
        Incoming::Import(_) => {
            render::notice_text("Importing a file is not available here; try again.").into()
        }
        Incoming::Autocomplete { names, typed } => {
            render::choices(autocomplete::suggest_in(app, ctx.guild, names, &typed)).into()
        }
        Incoming::NoChoices => render::choices(Vec::new()).into(),
        Incoming::Refuse(why) => render::notice_text(&why).into(),
    }
}

/// Why `/kb export` cannot send its file (an HTTP-mode server without a bot token).
const NO_FILES: &str = "Export sends a file, which needs a bot token: set DISCORD_TOKEN for \
                        this Archie (see .env.example), then run /kb export again.";
