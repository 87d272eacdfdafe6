//! Starting and stopping Archie on Discord: `archie serve` (gateway), `archie serve
//! --http ADDR` (interactions endpoint), `archie register`. Settings are read and checked
//! before anything else happens, so a missing token fails at once with its fix.

use super::definitions::definitions;
use super::gateway::{Handler, Register};
use super::shards::ShardRange;
use super::Options;
use anyhow::Context as _;
use archie_core::app::App;
use archie_core::config::{self, Settings};
use archie_search::community::Views;
use serenity::all::{ApplicationId, ClientBuilder, GatewayIntents, GuildId, Http, HttpBuilder};
use std::sync::Arc;

/// A REST client: the token, and `ARCHIE_DISCORD_API_URL` when set. serenity ignores the
/// proxy unless its ratelimiter is disabled, so both are set together.
pub fn http_client(s: &Settings, token: &config::Secret) -> Http {
    let mut b = HttpBuilder::new(token.expose());
    if let Some(url) = &s.discord_api_url {
        b = b.proxy(url).ratelimiter_disabled(true);
    }
    if let Some(id) = s.application_id {
        b = b.application_id(ApplicationId::new(id));
    }
    b.build()
}

/// A REST client without a bot token, for interaction webhooks (the interaction token
/// authorises them): `ARCHIE_DISCORD_API_URL` when set.
pub fn webhook_client(s: &Settings) -> Http {
    let mut b = HttpBuilder::new("");
    if let Some(url) = &s.discord_api_url {
        b = b.proxy(url).ratelimiter_disabled(true);
    }
    b.build()
}

/// Where `--register`/`ARCHIE_REGISTER_COMMANDS` and `ARCHIE_DEV_GUILD` say to register.
pub fn register_scope(s: &Settings, flag: bool) -> Register {
    if !(flag || s.register_commands) {
        return Register::No;
    }
    match s.dev_guild {
        Some(g) => Register::Guild(GuildId::new(g)),
        None => Register::Global,
    }
}

/// Replaces the application's commands (in one guild, or globally) with Archie's.
pub async fn register_with(http: &Http, guild: Option<GuildId>) -> serenity::Result<usize> {
    let defs = definitions();
    let done = match guild {
        Some(g) => http.create_guild_commands(g, &defs).await?,
        None => http.create_global_commands(&defs).await?,
    };
    Ok(done.len())
}

/// `archie register [--guild ID]`: uploads the definitions over REST (no gateway).
pub async fn register(s: &Settings, guild: Option<u64>) -> anyhow::Result<usize> {
    let token = s.token()?;
    let guild = match guild {
        Some(0) => anyhow::bail!("--guild 0 is not a server id: copy the Server ID from Discord"),
        Some(g) => Some(g),
        None => s.dev_guild,
    };
    let http = http_client(s, token);
    if http.application_id().is_none() {
        let info = http.get_current_application_info().await.context(
            "looking up the application id failed (is DISCORD_TOKEN right? \
             or set DISCORD_APPLICATION_ID)",
        )?;
        http.set_application_id(info.id);
    }
    let n = register_with(&http, guild.map(GuildId::new))
        .await
        .context("registering the commands failed")?;
    Ok(n)
}

/// `archie serve`: the gateway client until SIGINT/SIGTERM, running `shards` (by default
/// the whole bot as one shard).
pub async fn serve_gateway(
    app: Arc<App>,
    s: &Settings,
    options: Options,
    register: Register,
    shards: Option<ShardRange>,
) -> anyhow::Result<()> {
    let http = http_client(s, s.token()?);
    app.reads_posts
        .store(s.message_content, std::sync::atomic::Ordering::Relaxed);
    let handler = Handler {
        app: app.clone(),
        register,
        options,
    };
    if let Some(addr) = &s.metrics_addr {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on ARCHIE_METRICS_ADDR={addr}"))?;
        tracing::info!(address = %listener.local_addr()?, "metrics listening");
        let router = super::http::metrics_router(app.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let mut client = ClientBuilder::new_with_http(http, intents(s.message_content))
        .event_handler(handler)
        .await
        .context("starting the Discord client failed")?;
    let manager = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        manager.shutdown_all().await;
    });
    let started = match shards {
        None => {
            // Every shard in this process, as many as Discord recommends for the bot's
            // size (`GET /gateway/bot`): one for a small bot.
            tracing::info!("running every gateway shard Discord recommends");
            client.start_autosharded().await
        }
        Some(r) => {
            tracing::info!(
                first = r.first(),
                last = r.last(),
                count = r.count(),
                "running gateway shards {r}"
            );
            // serenity 0.12.5 reads the range's end as the last shard, included
            // (`start_connection(range.start, range.end, ..)` boots end - start + 1).
            client
                .start_shard_range(r.first()..r.last(), r.count())
                .await
        }
    };
    started.context("the Discord gateway connection failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// What the gateway asks Discord for: servers and their channels (a forum removed), and
/// messages (a reply to an answer; its text is sent to a bot it mentions), plus the
/// privileged Message Content intent when `ARCHIE_MESSAGE_CONTENT=1` (watched forums).
pub fn intents(message_content: bool) -> GatewayIntents {
    let base = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES;
    if message_content {
        base | GatewayIntents::MESSAGE_CONTENT
    } else {
        base
    }
}

/// `archie serve --http ADDR`: the interactions endpoint until SIGINT/SIGTERM. With
/// `DISCORD_TOKEN` set it can also send files (`/kb export`) after a response.
pub async fn serve_http(
    app: Arc<App>,
    s: &Settings,
    options: Options,
    addr: &str,
) -> anyhow::Result<()> {
    let key = s.public_key()?;
    let verifier = super::http::verifier(key).ok_or_else(|| {
        config_error(
            "DISCORD_PUBLIC_KEY is not a valid Ed25519 public key: copy the Public Key from \
             your application's General Information page",
        )
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (pass --http HOST:PORT)"))?;
    let local = listener.local_addr()?;
    let rest = s
        .discord_token
        .as_ref()
        .map(|token| Arc::new(http_client(s, token)));
    tracing::info!(address = %local, files = rest.is_some(), "interactions endpoint listening");
    let webhooks = match &rest {
        Some(r) => r.clone(),
        None => Arc::new(webhook_client(s)),
    };
    let endpoint = super::http::Endpoint::with_webhooks(app, verifier, options, rest, webhooks);
    axum::serve(listener, super::http::router_for(endpoint))
        .with_graceful_shutdown(async {
            shutdown_signal().await;
            tracing::info!("shutting down");
        })
        .await?;
    tracing::info!("stopped");
    Ok(())
}

fn config_error(msg: &str) -> anyhow::Error {
    anyhow::anyhow!("{msg}")
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// How often a serving process applies the store's changes made by other processes.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(200);
/// How often the health probe asks the community store.
const PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// `archie serve [--http ADDR] [--register] [--shards FIRST-LAST --shard-count N]`: checks
/// the settings first (failing with the variable's name and fix), then loads the knowledge
/// and serves until a signal. `shards` is for the gateway only (checked by the caller).
pub fn serve(
    s: &Settings,
    http: Option<String>,
    register: bool,
    shards: Option<ShardRange>,
    knowledge: Option<std::path::PathBuf>,
) -> anyhow::Result<i32> {
    // What the chosen transport needs is checked before the knowledge loads or a
    // connection opens (the rest was checked when the settings were read).
    let register = match &http {
        None => {
            s.token()?;
            register_scope(s, register)
        }
        Some(_) => {
            s.public_key()?;
            Register::No
        }
    };
    let options = Options::from_settings(s);
    // The figures are recorded from the start (served at /metrics).
    archie_core::metrics::install();
    let dir = s.knowledge_dir(knowledge)?;
    let app = Arc::new(App::open(s, dir, s.semantic, Some(Views::Index))?);
    tracing::info!(
        entries = app.engine.knowledge().entries.len(),
        moderator_roles = options.moderator_roles.len(),
        "knowledge and community store loaded"
    );
    // Applies writes of other processes (the CLI, other replicas) to this one's community
    // index; its first sync opens the index in the background. Stops with `serve`.
    let follower =
        App::follow(&app, FOLLOW_EVERY).context("cannot start the community follower")?;
    // Watches the store, for /healthz and the outage's log lines.
    let probe = app.store.as_ref().map(|store| {
        archie_core::app::health::probe(store.clone(), app.store_health.clone(), PROBE_EVERY)
    });
    let rt = runtime()?;
    let served = match http {
        Some(addr) => {
            if register != Register::No {
                tracing::warn!("--register is ignored with --http; run `archie register`");
            }
            rt.block_on(serve_http(Arc::clone(&app), s, options, &addr))
        }
        None => rt.block_on(serve_gateway(
            Arc::clone(&app),
            s,
            options,
            register,
            shards,
        )),
    };
    drop(probe);
    stop_outside_runtime(rt, follower, app);
    served?;
    Ok(0)
}

/// Stops serving in the one order that cannot abort: the runtime first (its tasks and the
/// clones of the app they hold are dropped, blocking calls finished), then the follower
/// thread, and the app last, on this thread outside any runtime. The PostgreSQL store's
/// synchronous clients run a small runtime of their own to close their connections, which
/// panics ("Cannot start a runtime from within a runtime") when the last reference to the
/// store is dropped on one of tokio's worker threads.
fn stop_outside_runtime(
    rt: tokio::runtime::Runtime,
    follower: archie_core::app::Follower,
    app: Arc<App>,
) {
    drop(rt);
    drop(follower);
    drop(app);
}

/// `archie register [--guild ID]`.
pub fn register_blocking(s: &Settings, guild: Option<u64>) -> anyhow::Result<i32> {
    let n = runtime()?.block_on(register(s, guild))?;
    println!("registered {n} commands");
    Ok(0)
}

/// `archie commands [--json]`.
pub fn print_commands(json: bool) -> anyhow::Result<i32> {
    let defs = super::definitions::definitions_json();
    if json {
        println!("{}", serde_json::to_string_pretty(&defs)?);
        return Ok(0);
    }
    for c in defs.as_array().into_iter().flatten() {
        let opts: Vec<String> = c["options"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                let n = o["name"].as_str().unwrap_or_default();
                if o["required"].as_bool() == Some(true) {
                    n.to_string()
                } else {
                    format!("[{n}]")
                }
            })
            .collect();
        println!(
            "/{} {}\n    {}",
            c["name"].as_str().unwrap_or_default(),
            opts.join(" "),
            c["description"].as_str().unwrap_or_default()
        );
    }
    Ok(0)
}
