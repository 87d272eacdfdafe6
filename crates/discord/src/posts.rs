//! Messages on the gateway: a member's reply to an answer (or a message mentioning
//! Archie) answered in place, in the conversation's context; and a new post in a watched
//! forum answered once, when the knowledge answers it well. Both run the same command
//! path as an interaction (fair use, `execute`, the Discord renderer) and ping no one but
//! the member asking.

use crate::conversation;
use crate::custom_id;
use crate::fair_use::Bucket;
use crate::render::discord::{self as view, Delivery};
use crate::stash::Stash;
use crate::Options;
use archie_core::app::App;
use archie_core::commands::{execute, Caller, Command};
use archie_core::reply::{Reply, Status};
use archie_search::conversation::Context;
use serde_json::{json, Value};
use serenity::all::{ChannelId, GuildChannel, Http, Message, MessageId, UserId};
use std::sync::Arc;

/// The conversation a reply continues: the context of the Archie answer it replies to
/// (read from that answer's Follow up button), or the question of the member's message
/// it replies to, or nothing.
fn context_of(app: &App, guild: u64, me: UserId, msg: &Message) -> Result<Context, &'static str> {
    let Some(earlier) = msg.referenced_message.as_deref() else {
        return Ok(Context::default());
    };
    if earlier.author.id == me {
        let ids = earlier
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .filter_map(|c| match c {
                serenity::all::ActionRowComponent::Button(b) => match &b.data {
                    serenity::all::ButtonKind::NonLink { custom_id, .. } => Some(custom_id),
                    _ => None,
                },
                _ => None,
            });
        for id in ids {
            if let Some((false, c)) = custom_id::decode_follow_up(id) {
                return conversation::resolve(app, Some(guild), &c);
            }
        }
        return Ok(Context::default());
    }
    Ok(crate::message_question::question_in(&earlier.content)
        .map(|q| app.engine.follow(&Context::default(), &q).1)
        .unwrap_or_default())
}

/// Whether `msg` speaks to Archie: it mentions it, or replies to one of its messages.
pub fn addressed(me: UserId, msg: &Message) -> bool {
    msg.mentions.iter().any(|u| u.id == me)
        || msg
            .referenced_message
            .as_deref()
            .is_some_and(|m| m.author.id == me)
}

/// The body of a channel message carrying `reply`, with its Follow up button (and the
/// buttons of `extra` beside it when the row has room, else in a row of their own);
/// replying to `to` (without failing when it is gone) and pinging only its author.
/// `stash` keeps button arguments too long for an id, as for interactions.
pub fn message_body(
    app: &App,
    stash: &Stash,
    guild: u64,
    reply: &Reply,
    cmd: &Command,
    to: Option<MessageId>,
    extra: Vec<Value>,
) -> Option<Value> {
    let follow_up = reply
        .follow_up
        .as_ref()
        .and_then(|c| conversation::button_id(app, Some(guild), c));
    let delivery = Delivery {
        command: cmd,
        view: 0,
        mention: None,
        private: false,
        update: false,
        stash,
        follow_up: follow_up.as_deref(),
    };
    let response = if reply.status == Status::Answer {
        view::reply(reply, &delivery)
    } else {
        view::notice_reply(reply)
    };
    let mut body = serde_json::to_value(response.message()?).ok()?;
    let obj = body.as_object_mut()?;
    obj.remove("flags");
    obj.insert(
        "allowed_mentions".into(),
        json!({"parse": [], "replied_user": to.is_some()}),
    );
    if let Some(to) = to {
        obj.insert(
            "message_reference".into(),
            json!({"message_id": to.get().to_string(), "fail_if_not_exists": false}),
        );
    }
    // The extra buttons join the row of Follow up (at most five to a row).
    if !extra.is_empty() {
        let rows = obj.entry("components").or_insert_with(|| json!([]));
        if let Some(rows) = rows.as_array_mut() {
            match rows.last_mut().and_then(|r| r["components"].as_array_mut()) {
                Some(last) if last.len() + extra.len() <= 5 => last.extend(extra),
                _ => rows.push(json!({"type": 1, "components": extra})),
            }
        }
    }
    Some(body)
}

/// Runs `cmd` as `caller` off the async threads.
async fn run(app: &Arc<App>, caller: Caller, cmd: Command) -> Option<Reply> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || execute(&app, &caller, &cmd))
        .await
        .map_err(|e| tracing::error!(error = %e, "answering a message failed"))
        .ok()
}

/// A member writing in `guild`, named as interactions name them.
fn caller(guild: u64, author: &serenity::all::User) -> Caller {
    Caller {
        guild: Some(guild),
        actor: Some(archie_store::Actor::new(
            author.id.get(),
            crate::rights::display_name(author),
        )),
        moderator: false,
        typed: true,
    }
}

/// The HTTP status Discord refused a request with, if it did.
fn refused_with(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            Some(r.status_code.as_u16())
        }
        _ => None,
    }
}

/// A member's message that replies to Archie or mentions it: answered in place.
pub async fn answer_message(
    app: &Arc<App>,
    options: &Options,
    http: &Http,
    me: UserId,
    msg: &Message,
) {
    let Some(guild) = msg.guild_id.map(|g| g.get()) else {
        return;
    };
    if msg.author.bot || !addressed(me, msg) {
        return;
    }
    let Some(question) = crate::message_question::question_in(&msg.content) else {
        return;
    };
    if options
        .fair_use
        .take(Bucket::Ask, guild, msg.author.id.get())
        .is_err()
    {
        tracing::debug!(
            guild,
            "a reply waits for the member's cooldown: not answered"
        );
        return;
    }
    let asked = question.clone();
    let cmd = match context_of(app, guild, me, msg) {
        Ok(context) => Command::FollowUp { question, context },
        Err(why) => {
            let body = json!({"content": why, "allowed_mentions": {"parse": []},
                "message_reference": {"message_id": msg.id.get().to_string(), "fail_if_not_exists": false}});
            send(app, http, guild, None, msg.channel_id, &body).await;
            return;
        }
    };
    let started = std::time::Instant::now();
    let Some(reply) = run(app, caller(guild, &msg.author), cmd.clone()).await else {
        return;
    };
    let mut outcome = crate::Outcome::of(&reply);
    let stash = &options.stash;
    if let Some(body) = message_body(app, stash, guild, &reply, &cmd, Some(msg.id), Vec::new()) {
        if !send(app, http, guild, None, msg.channel_id, &body).await {
            outcome = crate::Outcome::Failed;
        }
    }
    crate::record(
        msg.id.get(),
        "reply",
        Some(guild),
        outcome,
        started.elapsed(),
        Some(&asked),
    );
}

/// Posts `body` in `channel`; a refusal for want of access to a watched forum's post
/// (`forum`) turns watching that forum off, with a log line.
async fn send(
    app: &App,
    http: &Http,
    guild: u64,
    forum: Option<u64>,
    channel: ChannelId,
    body: &Value,
) -> bool {
    match http.send_message(channel, Vec::new(), body).await {
        Ok(_) => true,
        Err(e) => {
            let lost = matches!(refused_with(&e), Some(403 | 404));
            match (forum, lost) {
                (Some(f), true) => unwatch(app, guild, f, "Archie lost permission to post there"),
                _ => {
                    tracing::warn!(error = %e, channel = channel.get(), "sending a message failed")
                }
            }
            false
        }
    }
}

/// Turns watching `forum` off, saying why in the log.
fn unwatch(app: &App, guild: u64, forum: u64, why: &str) {
    let Some(store) = app.store.as_ref() else {
        return;
    };
    match store.unwatch(guild, forum) {
        Ok(true) => tracing::warn!(
            guild,
            channel = forum,
            reason = why,
            "watching a forum turned off"
        ),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "a forum could not be unwatched"),
    }
}

/// A forum channel removed: watching it stops.
pub fn channel_gone(app: &App, channel: &GuildChannel) {
    unwatch(
        app,
        channel.guild_id.get(),
        channel.id.get(),
        "the channel was deleted",
    );
}

/// A new post (thread) in a forum (THREAD_CREATE; a thread Archie is added to later is
/// claimed already, or is answered once too): answered once, when its parent is watched, its author
/// is not a bot, and the knowledge answers it; silent otherwise.
pub async fn answer_post(app: &Arc<App>, options: &Options, http: &Http, thread: &GuildChannel) {
    let (Some(parent), Some(store)) = (thread.parent_id, app.store.clone()) else {
        return;
    };
    let (guild, forum) = (thread.guild_id.get(), parent.get());
    let watched = {
        let s = store.clone();
        tokio::task::spawn_blocking(move || s.is_watched(guild, forum)).await
    };
    if !matches!(watched, Ok(Ok(true))) {
        return;
    }
    // A forum post's first message has the thread's id.
    let first = match http
        .get_message(thread.id, MessageId::new(thread.id.get()))
        .await
    {
        Ok(m) => m,
        Err(e) => {
            if refused_with(&e) == Some(403) {
                unwatch(app, guild, forum, "Archie lost permission to read there");
            } else {
                tracing::warn!(error = %e, thread = thread.id.get(), "a forum post could not be read");
            }
            return;
        }
    };
    if first.author.bot {
        return;
    }
    let Some(question) = crate::message_question::question_in(&first.content) else {
        return;
    };
    if options
        .fair_use
        .take(Bucket::Ask, guild, first.author.id.get())
        .is_err()
    {
        return;
    }
    let asked = question.clone();
    let cmd = Command::Ask {
        question,
        page: 0,
        per_page: crate::ASK_PER_PAGE,
    };
    let started = std::time::Instant::now();
    let Some(reply) = run(app, caller(guild, &first.author), cmd.clone()).await else {
        return;
    };
    let done = |outcome| {
        let took = started.elapsed();
        crate::record(
            thread.id.get(),
            "forum_post",
            Some(guild),
            outcome,
            took,
            Some(&asked),
        );
    };
    // Never a guess, never "I don't know" in someone's post.
    if reply.status != Status::Answer || reply.blocks.is_empty() {
        done(crate::Outcome::Declined);
        return;
    }
    let claimed = {
        let thread = thread.id.get();
        tokio::task::spawn_blocking(move || store.claim_post(guild, thread)).await
    };
    if !matches!(claimed, Ok(Ok(true))) {
        return;
    }
    let mut outcome = crate::Outcome::Failed;
    let body = forum_answer(
        app,
        &options.stash,
        guild,
        reply,
        &cmd,
        first.author.id.get(),
    );
    if let Some(body) = body {
        if send(app, http, guild, Some(forum), thread.id, &body).await {
            outcome = crate::Outcome::Answered;
        }
    }
    done(outcome);
}

/// The one message answering a forum post by `author`: the best answer and its related
/// entries (no pages to turn), 👍/👎, Follow up, and "This answered it" for the author.
pub fn forum_answer(
    app: &App,
    stash: &Stash,
    guild: u64,
    mut reply: Reply,
    cmd: &Command,
    author: u64,
) -> Option<Value> {
    reply.paging = None;
    let solved = reply.feedback.map(|ask| {
        json!({"type": 2, "style": 3, "label": "This answered it",
               "custom_id": custom_id::solved(ask, author)})
    });
    message_body(
        app,
        stash,
        guild,
        &reply,
        cmd,
        None,
        solved.into_iter().collect(),
    )
}
