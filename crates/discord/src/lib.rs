//! Archie on Discord. Both transports — the gateway ([`gateway`], a serenity client) and
//! the signed HTTP interactions endpoint ([`http`]) — hand every interaction to
//! [`answer`]: [`rights`] reads who asks and where, [`interaction::parse`] turns it into a
//! typed command (`/kb`'s options and forms in [`kb`]), [`archie_core::commands::execute`]
//! answers in that server's context, [`crate::render::discord`] renders. A file (an export) follows the response over REST
//! ([`followup`]). Command definitions live in [`definitions`], paging state in button ids
//! in [`custom_id`], startup and shutdown in [`run`]. On the way, [`fair_use`] applies the
//! per-member cooldowns and links repeated questions to their earlier answer, and a panic
//! anywhere in handling becomes a logged error and a short apology.
//!
//! # Layout
//!
//! - `autocomplete.rs` — Autocomplete for company and technology options, answered from memory.
//! - `conversation.rs` — Conversations on Discord: the Follow up button under an answer, the form it opens, and where the conversation's context lives between them.
//! - `custom_id.rs` — Every id Archie puts on a button or a form, and reading them back: the one place that knows their format.
//! - `custom_id/tests.rs` — Every id made here reads back as what it was made from, and no id exceeds Discord's limit.
//! - `deadline.rs` — Discord's deadline.
//! - `definitions.rs` — The slash-command definitions Archie registers with Discord, and the option names the interaction parser reads back.
//! - `fair_use.rs` — Fair use: per-member cooldowns and repeat suppression, on the one command path both transports share.
//! - `followup.rs` — Files after a response.
//! - `gateway.rs` — Gateway mode.
//! - `http.rs` — The HTTP interactions endpoint (axum): a body over [`MAX_BODY`] gets 413.
//! - `interaction.rs` — Parses a serenity `Interaction` (from the gateway or a verified HTTP body) into what Archie should do.
//! - `kb.rs` — `/kb` on Discord.
//! - `message_question.rs` — "Find an answer" on a message: the question in a member's message, as `/ask` would take it.
//! - `posts.rs` — Messages on the gateway: a member's reply to an answer (or a message mentioning Archie) answered in place, in the conversation's context; and a new post in a watched forum answered once, when the knowledge answers it well.
//! - `render/diagram.rs` — Stack diagrams as PNG.
//! - `render/discord.rs` — Discord rendering: the one place a [`Reply`] becomes an interaction response.
//! - `render/discord/limits.rs` — Discord's hard limits on a response, and `enforce`, the last pass every rendered response goes through.
//! - `render/discord/modal.rs` — A form as a Discord modal (type 9): one text input per row, at most five.
//! - `render/discord/refusals.rs` — What the transport says when fair use answers instead of a command: a cooldown's time to try again, or a link to the earlier answer of a repeated question.
//! - `render/discord/split.rs` — Splits long markdown into pieces of at most `max` units, preferring paragraph boundaries, then line boundaries, then…
//! - `render/discord/text.rs` — Discord markdown from knowledge and user text.
//! - `render/discord/wire.rs` — The JSON shapes of Discord's interaction responses that Archie sends, as plain serde structs.
//! - `render/mod.rs` — Renderers for Discord: the only code here that turns a [`archie_core::reply::Reply`] into bytes.
//! - `render/preview.rs` — A preview for people.
//! - `replay.rs` — Replay protection for the HTTP endpoint.
//! - `rights.rs` — Who is asking and where, read from the interaction itself (both transports).
//! - `run.rs` — Starting and stopping Archie on Discord.
//! - `shards.rs` — Which of Discord's gateway shards this process runs.
//! - `stash.rs` — The stash: the transport's one piece of per-process state.

pub mod autocomplete;
pub mod conversation;
pub mod custom_id;
pub mod deadline;
pub mod definitions;
pub mod fair_use;
pub mod followup;
pub mod gateway;
pub mod http;
pub mod interaction;
pub mod kb;
pub mod message_question;
pub mod posts;
pub mod render;
pub mod replay;
pub mod rights;
pub mod run;
pub mod shards;
pub mod stash;

use crate::render::discord::{self as view, wire::Response, Delivery};
use archie_core::app::App;
use archie_core::commands::{execute, Caller, Command, KbCommand};
use interaction::Incoming;
pub use rights::Options;
use serenity::all::{ApplicationId, Http, Interaction, InteractionId};
use stash::Stash;
use std::sync::Arc;
use std::time::Duration;

/// Results per `/ask` page: the best answer and two related entries.
pub const ASK_PER_PAGE: usize = 3;
/// Links per `/read` page.
pub const READ_PER_PAGE: usize = 5;

/// What to send for one interaction: the response, then possibly a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub response: Response,
    /// Sent as a followup once the (deferred) response is out.
    pub file: Option<followup::File>,
    /// A picture of the answer (a stack diagram), sent as a followup after it; the
    /// interaction's own webhook takes it, so no bot token is needed.
    pub image: Option<followup::File>,
    /// What became of the interaction, for the figures.
    pub outcome: Outcome,
}

impl From<Response> for Outgoing {
    fn from(response: Response) -> Outgoing {
        Outgoing {
            response,
            file: None,
            image: None,
            outcome: Outcome::Other,
        }
    }
}

impl Outgoing {
    fn with(mut self, outcome: Outcome) -> Outgoing {
        self.outcome = outcome;
        self
    }
}

/// What became of an interaction (a label of `archie_interactions_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer, a page, a form, a recorded change.
    Answered,
    /// "I don't know that yet": the knowledge has no good answer.
    Declined,
    /// Fair use answered instead: a cooldown, or a link to the earlier answer.
    Refused,
    /// Something failed on Archie's side (a store error, a panic).
    Failed,
    /// Anything else: a wrong input, missing rights, a deferral.
    Other,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Declined => "declined",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
            Outcome::Other => "other",
        }
    }

    /// The outcome a command's reply stands for.
    pub fn of(reply: &archie_core::reply::Reply) -> Outcome {
        use archie_core::reply::Status;
        match reply.status {
            Status::Answer => Outcome::Answered,
            Status::NotFound => Outcome::Declined,
            Status::Failed => Outcome::Failed,
            Status::Invalid | Status::Refused => Outcome::Other,
        }
    }
}

/// The bounded name of what an interaction asks for (a label of the figures and a field
/// of the log).
pub fn command_label(incoming: &Incoming) -> &'static str {
    match incoming {
        Incoming::Ping => "ping",
        Incoming::Run(r) => command_name(&r.command),
        Incoming::Import(_) => "kb",
        Incoming::Autocomplete { .. } | Incoming::NoChoices => "autocomplete",
        Incoming::FollowUp { question: None, .. } => "follow_up_form",
        Incoming::FollowUp { .. } => "follow_up",
        Incoming::Refuse(_) => "unknown",
    }
}

/// The bounded name of a command.
pub fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Ask { .. } => "ask",
        Command::Stack { .. } => "stack",
        Command::Uses { .. } => "uses",
        Command::WhatIs { .. } => "whatis",
        Command::Compare { .. } => "compare",
        Command::Read { .. } => "read",
        Command::Help => "help",
        Command::Kb(KbCommand::Vote { .. }) => "vote",
        Command::Kb(_) => "kb",
        Command::Quiz { .. } | Command::QuizAnswer { .. } | Command::Leaderboard => "quiz",
        Command::FollowUp { .. } => "follow_up",
        Command::FollowUpForm { .. } => "follow_up_form",
    }
}

/// Counts an interaction (or a gateway message) answered, by command and outcome, and
/// times it; logs it with its fields (the question only with `ARCHIE_LOG_QUESTIONS=1`).
pub fn record(
    id: u64,
    command: &'static str,
    guild: Option<u64>,
    outcome: Outcome,
    took: std::time::Duration,
    question: Option<&str>,
) {
    metrics::counter!("archie_interactions_total", "command" => command, "outcome" => outcome.as_str())
        .increment(1);
    metrics::histogram!("archie_interaction_duration_seconds", "command" => command)
        .record(took.as_secs_f64());
    let duration_ms = took.as_secs_f64() * 1000.0;
    let guild = guild.unwrap_or(0);
    match question.filter(|_| archie_core::logging::log_questions()) {
        Some(q) => tracing::info!(
            interaction = id,
            command,
            guild,
            outcome = outcome.as_str(),
            duration_ms,
            question = q,
            "handled"
        ),
        None => tracing::info!(
            interaction = id,
            command,
            guild,
            outcome = outcome.as_str(),
            duration_ms,
            "handled"
        ),
    }
}

/// The response to one interaction, without moderator roles, fetching or files (tests,
/// benchmarks), with one stash for the process. Never panics.
pub fn respond(app: &App, i: &Interaction) -> Response {
    static OPTIONS: std::sync::LazyLock<Options> = std::sync::LazyLock::new(Options::default);
    respond_with(app, &OPTIONS, i, false).response
}

/// The answer to one interaction that needs no network: everything but `/kb import`'s
/// file fetch and repeat links; no cooldowns. `files`: whether the transport can send a
/// file after the response. A panic while answering becomes the apology.
pub fn respond_with(app: &App, options: &Options, i: &Interaction, files: bool) -> Outgoing {
    let caller = rights::caller(i, options);
    let run = options.executor;
    let stash = &options.stash;
    let work = std::panic::AssertUnwindSafe(|| {
        run(app, stash, &caller, interaction::parse(i, stash), files)
    });
    match std::panic::catch_unwind(work) {
        Ok(a) => a,
        Err(panic) => apology(i.id(), &panic_text(panic.as_ref())),
    }
}

/// How long a repeated question waits for its earlier answer's message id before it is
/// answered anew (the whole answer must leave within Discord's 3 seconds).
const EARLIER_TIMEOUT: Duration = Duration::from_millis(1500);

/// The answer to one interaction: applies the member's cooldowns, links a repeated
/// question to its earlier answer (looked up with `rest`, the interaction token is all
/// it needs), fetches `/kb import`'s file if the member may import, then runs the command
/// on a blocking thread (store writes fsync; a write is committed before its reply
/// exists). A panic anywhere is logged with the interaction id and answered with a short
/// ephemeral apology.
pub async fn answer(
    app: Arc<App>,
    options: &Options,
    i: Interaction,
    files: bool,
    rest: Option<Arc<Http>>,
) -> Outgoing {
    let id = i.id();
    let started = std::time::Instant::now();
    let guild = i.guild_id().map(|g| g.get());
    // What was asked, as the guarded task parsed it (unknown if parsing itself panicked).
    let asked: Arc<std::sync::OnceLock<Asked>> = Arc::default();
    let options = options.clone();
    let guarded = answer_guarded(app, options, i, files, rest, asked.clone());
    let out = match tokio::spawn(guarded).await {
        Ok(a) => a,
        Err(e) if e.is_panic() => apology(id, &panic_text(e.into_panic().as_ref())),
        Err(e) => {
            tracing::error!(interaction = %id, error = %e, "answering an interaction failed");
            apology(id, "cancelled")
        }
    };
    let (command, question) = asked
        .get()
        .map_or(("unknown", None), |a| (a.command, a.question.as_deref()));
    record(
        id.get(),
        command,
        guild,
        out.outcome,
        started.elapsed(),
        question,
    );
    out
}

/// What an interaction asks, for its figures and its log line.
struct Asked {
    command: &'static str,
    question: Option<String>,
}

impl Asked {
    fn of(incoming: &Incoming) -> Asked {
        let question = match incoming {
            Incoming::Run(r) => match &r.command {
                Command::Ask { question, .. } | Command::FollowUp { question, .. } => {
                    Some(question.clone())
                }
                _ => None,
            },
            Incoming::FollowUp {
                question: Some(q), ..
            } => Some(q.clone()),
            _ => None,
        };
        Asked {
            command: command_label(incoming),
            question,
        }
    }
}

async fn answer_guarded(
    app: Arc<App>,
    options: Options,
    i: Interaction,
    files: bool,
    rest: Option<Arc<Http>>,
    asked: Arc<std::sync::OnceLock<Asked>>,
) -> Outgoing {
    let id = i.id();
    let caller = rights::caller(&i, &options);
    let mut incoming = interaction::parse(&i, &options.stash);
    let _ = asked.set(Asked::of(&incoming));
    let place = fair_use::Place::of(&i);
    drop(i);
    let fair = &options.fair_use;
    if let (Some(bucket), Some(member)) = (fair_use::bucket(&incoming), place.member) {
        if let Err(retry_at) = fair.take(bucket, place.guild.unwrap_or(0), member) {
            return Outgoing::from(view::slow_down(bucket, retry_at)).with(Outcome::Refused);
        }
    }
    let repeat = fair_use::repeat_key(&incoming, &place);
    if let (Some(key), Some(rest)) = (&repeat, &rest) {
        if let Some(earlier) = fair.earlier(key) {
            if let Some((channel, message)) = original_message(rest, &earlier).await {
                return Outgoing::from(view::already_answered(
                    key.0,
                    channel,
                    message,
                    earlier.at_ms,
                ))
                .with(Outcome::Refused);
            }
        }
    }
    if let Incoming::Import(file) = &incoming {
        // Nothing is fetched for a member who may not import; the command layer words why.
        if let Err(refusal) = archie_core::commands::kb::may_write(&caller) {
            return view::notice_reply(&refusal).into();
        }
        incoming = kb::fetch_import(file).await;
    }
    let run = options.executor;
    let (update, private) = match &incoming {
        Incoming::Run(r) => (r.update, r.private || matches!(r.command, Command::Kb(_))),
        _ => (false, true),
    };
    let stash = Arc::clone(&options.stash);
    let mut work = tokio::task::spawn_blocking(move || run(&app, &stash, &caller, incoming, files));
    // Discord's deadline: work not done in time (a slow store) is deferred and the
    // original response edited with its true outcome once it is.
    let joined = match rest.filter(|_| place.application != 0) {
        Some(http) => match tokio::time::timeout(deadline::DEADLINE, &mut work).await {
            Ok(joined) => joined,
            Err(_) => {
                tracing::warn!(interaction = %id, "not answered within the deadline: deferred");
                let (application, token) = (ApplicationId::new(place.application), place.token);
                tokio::spawn(async move {
                    let answer = finished(id, work.await);
                    deadline::complete(&http, application, &token, answer).await;
                });
                return deadline::deferral(update, private).into();
            }
        },
        None => work.await,
    };
    let answer = finished(id, joined);
    if let Some(key) = repeat {
        if view::is_public_answer(&answer.response) {
            fair.remember(key, place.application, place.token);
        }
    }
    answer
}

/// The answer of the blocking work: a panic in it is logged and becomes the apology.
fn finished(id: InteractionId, joined: Result<Outgoing, tokio::task::JoinError>) -> Outgoing {
    match joined {
        Ok(a) => a,
        Err(e) if e.is_panic() => apology(id, &panic_text(e.into_panic().as_ref())),
        Err(e) => {
            tracing::error!(interaction = %id, error = %e, "answering an interaction failed");
            Outgoing::from(view::notice_text(
                "Something went wrong on Archie's side; try again in a moment.",
            ))
            .with(Outcome::Failed)
        }
    }
}

/// The (channel, message) ids of an earlier interaction's response:
/// `GET /webhooks/{application}/{token}/messages/@original`. `None` when it cannot be had
/// in time (the question is then answered anew).
async fn original_message(rest: &Http, earlier: &fair_use::Earlier) -> Option<(u64, u64)> {
    if earlier.application == 0 {
        return None;
    }
    if rest.application_id().is_none() {
        rest.set_application_id(ApplicationId::new(earlier.application));
    }
    let fetch = rest.get_original_interaction_response(&earlier.token);
    match tokio::time::timeout(EARLIER_TIMEOUT, fetch).await {
        Ok(Ok(m)) => Some((m.channel_id.get(), m.id.get())),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "the earlier answer could not be fetched");
            None
        }
        Err(_) => {
            tracing::debug!("fetching the earlier answer took too long");
            None
        }
    }
}

/// The words of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Logs a panic with the interaction id; the member gets a short ephemeral apology.
fn apology(id: InteractionId, panic: &str) -> Outgoing {
    tracing::error!(interaction = %id, panic = %panic, "handling an interaction panicked");
    Outgoing::from(view::notice_text(APOLOGY)).with(Outcome::Failed)
}

/// What a member sees when Archie failed on its side.
pub const APOLOGY: &str =
    "Sorry, something went wrong on Archie's side. It has been logged; try again in a moment.";

/// What runs a parsed interaction: [`answer_incoming`]. Tests put a panicking one in
/// [`Options::executor`] to check that a panic is caught on both transports.
pub type Executor = fn(&App, &Stash, &Caller, Incoming, bool) -> Outgoing;

/// Executes and renders a parsed interaction (the default [`Executor`]). `files`: whether
/// the transport can send a file after the response.
pub fn answer_incoming(
    app: &App,
    stash: &Stash,
    caller: &Caller,
    incoming: Incoming,
    files: bool,
) -> Outgoing {
    let mut follow_up_id = None;
    let incoming = match incoming {
        Incoming::FollowUp {
            conversation,
            question,
            private,
        } => {
            if question.is_none() {
                follow_up_id = Some(custom_id::follow_up_form(&conversation));
            }
            conversation::incoming(app, caller.guild, &conversation, question, private)
        }
        other => other,
    };
    match incoming {
        Incoming::Ping => Outgoing::from(view::pong()).with(Outcome::Answered),
        Incoming::Run(run) => {
            let file = matches!(
                run.command,
                Command::Kb(KbCommand::Export | KbCommand::ExportCuration)
            );
            if file && !files {
                return view::notice_text(NO_FILES).into();
            }
            let reply = execute(app, caller, &run.command);
            // The Follow up button's id, its context kept first when it must be stored.
            if let Some(context) = reply.follow_up.as_ref().filter(|_| reply.form.is_none()) {
                follow_up_id = conversation::button_id(app, caller.guild, context);
            }
            let delivery = Delivery {
                command: &run.command,
                view: run.view,
                mention: run.mention,
                private: run.private,
                update: run.update,
                stash,
                follow_up: follow_up_id.as_deref(),
            };
            let outcome = Outcome::of(&reply);
            let render_started = std::time::Instant::now();
            let out = match reply.attachment.as_ref() {
                Some(a) if files => Outgoing {
                    response: view::deferred(),
                    file: Some(followup::File::of(&reply, a, true)),
                    image: None,
                    outcome,
                },
                Some(_) => view::notice_text(NO_FILES).into(),
                None => {
                    Outgoing {
                        response: view::reply(&reply, &delivery),
                        file: None,
                        // A button on the answer (a page) leaves the picture already sent.
                        image: (!run.update)
                            .then(|| crate::render::diagram::shared().picture(&reply))
                            .flatten()
                            .map(|img| {
                                followup::File::of(&reply, &img, run.private || reply.ephemeral)
                            }),
                        outcome,
                    }
                }
            };
            if matches!(run.command, Command::Ask { .. } | Command::FollowUp { .. }) {
                metrics::histogram!("archie_ask_stage_duration_seconds", "stage" => "render")
                    .record(render_started.elapsed().as_secs_f64());
            }
            out
        }
        Incoming::Import(_) => {
            view::notice_text("Importing a file is not available here; try again.").into()
        }
        Incoming::Autocomplete { names, typed } => Outgoing::from(view::choices(
            autocomplete::suggest_in(app, caller.guild, names, &typed),
        ))
        .with(Outcome::Answered),
        Incoming::NoChoices => Outgoing::from(view::choices(Vec::new())).with(Outcome::Answered),
        Incoming::Refuse(why) => view::notice_text(&why).into(),
        Incoming::FollowUp { .. } => view::notice_text(conversation::EXPIRED).into(),
    }
}

/// Why `/kb export` cannot send its file (an HTTP-mode server without a bot token).
const NO_FILES: &str = "Export sends a file, which needs a bot token: set DISCORD_TOKEN for \
                        this Archie (see .env.example), then run /kb export again.";
