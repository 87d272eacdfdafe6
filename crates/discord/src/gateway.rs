//! Gateway mode: a serenity `EventHandler` that answers each interaction through
//! [`super::answer`] and posts the response to Discord's callback route (then a file, if
//! any, as a followup), and registers the commands once shard 0 is READY when asked to.

use super::{answer, followup, Options};
use archie_core::app::App;
use serenity::all::{Context, EventHandler, GuildChannel, GuildId, Interaction, Message, Ready};
use serenity::async_trait;
use std::sync::Arc;
use std::time::Duration;

/// Where to register the commands once connected, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    No,
    Global,
    Guild(GuildId),
}

pub struct Handler {
    pub app: Arc<App>,
    pub register: Register,
    pub options: Options,
}

#[async_trait]
impl EventHandler for Handler {
    async fn shard_stage_update(&self, _ctx: Context, event: serenity::all::ShardStageUpdateEvent) {
        let up = matches!(event.new, serenity::all::ConnectionStage::Connected);
        shard_gauge(event.shard_id.0, up);
    }

    async fn ready(&self, ctx: Context, ready: Ready) {
        shard_gauge(ctx.shard_id.0, true);
        tracing::info!(
            user = %ready.user.name,
            application = %ready.application.id,
            guilds = ready.guilds.len(),
            shard = ctx.shard_id.0,
            "connected to the Discord gateway"
        );
        let scope = match self.register {
            Register::No => return,
            Register::Global => None,
            Register::Guild(g) => Some(g),
        };
        // Commands belong to the application, not to a shard: when shards run in several
        // processes (`--shards`), the one running shard 0 registers them, once.
        if ctx.shard_id.0 != 0 {
            tracing::info!(
                shard = ctx.shard_id.0,
                "not registering slash commands: the process running shard 0 does"
            );
            return;
        }
        match super::run::register_with(&ctx.http, scope).await {
            Ok(n) => tracing::info!(commands = n, guild = ?scope, "registered slash commands"),
            Err(e) => tracing::error!(error = %e, "registering slash commands failed"),
        }
    }

    async fn message(&self, ctx: Context, msg: Message) {
        let me = ctx.cache.current_user().id;
        crate::posts::answer_message(&self.app, &self.options, &ctx.http, me, &msg).await;
    }

    async fn thread_create(&self, ctx: Context, thread: GuildChannel) {
        crate::posts::answer_post(&self.app, &self.options, &ctx.http, &thread).await;
    }

    async fn channel_delete(
        &self,
        _ctx: Context,
        channel: GuildChannel,
        _messages: Option<Vec<Message>>,
    ) {
        crate::posts::channel_gone(&self.app, &channel);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let id = interaction.id();
        let token = interaction.token().to_string();
        let kind = interaction.kind();
        let application = interaction.application_id();
        let rest = Some(ctx.http.clone());
        let answer = answer(self.app.clone(), &self.options, interaction, true, rest).await;
        match ctx
            .http
            .create_interaction_response(id, &token, &answer.response, Vec::new())
            .await
        {
            Ok(()) => tracing::debug!(interaction = %id, ?kind, "answered"),
            Err(e) => {
                tracing::warn!(interaction = %id, ?kind, error = %e, "sending a response failed");
                return;
            }
        }
        for file in [answer.file, answer.image].into_iter().flatten() {
            followup::send_with_retry(&ctx.http, application, &token, file, Duration::ZERO).await;
        }
    }
}

/// `archie_gateway_shard_connected{shard}`: 1 while the shard is connected.
fn shard_gauge(shard: u32, up: bool) {
    metrics::gauge!("archie_gateway_shard_connected", "shard" => shard.to_string())
        .set(f64::from(u8::from(up)));
}
