//! Starting and stopping Archie on Discord: `archie serve` (gateway), `archie serve
//! --http ADDR` (interactions endpoint), `archie register`. Settings are read and checked
//! before anything else happens, so a missing token fails at once with its fix.

use super::definitions::definitions;
use super::gateway::{Handler, Register};
use super::Settings;
use crate::app::App;
use crate::config;
use anyhow::Context as _;
use serenity::all::{ApplicationId, ClientBuilder, GatewayIntents, GuildId, Http, HttpBuilder};
use std::sync::Arc;

/// A REST client: the token, and `ARCHIE_DISCORD_API_URL` when set. serenity ignores the
/// proxy unless its ratelimiter is disabled, so both are set together.
pub fn http_client(token: &config::Secret) -> Result<Http, config::ConfigError> {
    let mut b = HttpBuilder::new(token.expose());
    if let Some(url) = config::discord_api_url()? {
        b = b.proxy(url).ratelimiter_disabled(true);
    }
    if let Some(id) = config::application_id()? {
        b = b.application_id(ApplicationId::new(id));
    }
    Ok(b.build())
}

/// A REST client without a bot token, for interaction webhooks (the interaction token
/// authorises them): `ARCHIE_DISCORD_API_URL` when set.
pub fn webhook_client() -> Result<Http, config::ConfigError> {
    let mut b = HttpBuilder::new("");
    if let Some(url) = config::discord_api_url()? {
        b = b.proxy(url).ratelimiter_disabled(true);
    }
    Ok(b.build())
}

/// Where `--register`/`ARCHIE_REGISTER_COMMANDS` and `ARCHIE_DEV_GUILD` say to register.
pub fn register_scope(flag: bool) -> Result<Register, config::ConfigError> {
    if !(flag || config::register_commands()?) {
        return Ok(Register::No);
    }
    Ok(match config::dev_guild()? {
        Some(g) => Register::Guild(GuildId::new(g)),
        None => Register::Global,
    })
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
pub async fn register(guild: Option<u64>) -> anyhow::Result<usize> {
    let token = config::discord_token()?;
    let guild = match guild {
        Some(0) => anyhow::bail!("--guild 0 is not a server id: copy the Server ID from Discord"),
        Some(g) => Some(g),
        None => config::dev_guild()?,
    };
    let http = http_client(&token)?;
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

/// `archie serve`: the gateway client until SIGINT/SIGTERM.
pub async fn serve_gateway(
    app: Arc<App>,
    settings: Settings,
    register: Register,
) -> anyhow::Result<()> {
    let token = config::discord_token()?;
    let http = http_client(&token)?;
    let handler = Handler {
        app,
        register,
        settings,
    };
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(handler)
        .await
        .context("starting the Discord client failed")?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    client
        .start()
        .await
        .context("the Discord gateway connection failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// `archie serve --http ADDR`: the interactions endpoint until SIGINT/SIGTERM. With
/// `DISCORD_TOKEN` set it can also send files (`/kb export`) after a response.
pub async fn serve_http(app: Arc<App>, settings: Settings, addr: &str) -> anyhow::Result<()> {
    let key = config::discord_public_key()?;
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
    let rest = match config::discord_token() {
        Ok(token) => Some(Arc::new(http_client(&token)?)),
        Err(_) if std::env::var_os("DISCORD_TOKEN").is_none_or(|v| v.is_empty()) => None,
        Err(e) => return Err(e.into()),
    };
    tracing::info!(address = %local, files = rest.is_some(), "interactions endpoint listening");
    let webhooks = match &rest {
        Some(r) => r.clone(),
        None => Arc::new(webhook_client()?),
    };
    let endpoint = super::http::Endpoint::with_webhooks(app, verifier, settings, rest, webhooks);
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

/// `archie serve [--http ADDR] [--register]`: checks the settings first (failing with the
/// variable's name and fix), then loads the knowledge and serves until a signal.
pub fn serve(
    http: Option<String>,
    register: bool,
    knowledge: Option<std::path::PathBuf>,
) -> anyhow::Result<i32> {
    // Every setting is checked before the knowledge loads or a connection opens.
    let register = match &http {
        None => {
            config::discord_token()?;
            config::discord_api_url()?;
            config::application_id()?;
            config::dev_guild()?;
            register_scope(register)?
        }
        Some(_) => {
            config::discord_public_key()?;
            config::discord_api_url()?;
            config::application_id()?;
            Register::No
        }
    };
    let settings = Settings::from_env()?;
    let dir = config::knowledge_dir(knowledge);
    let db = config::database(&dir)?;
    let app = Arc::new(App::open_with_store(dir, &db).with_context(|| {
        format!(
            "opening the community store {} failed (ARCHIE_DATABASE)",
            db.display()
        )
    })?);
    tracing::info!(
        entries = app.engine.knowledge().entries.len(),
        moderator_roles = settings.moderator_roles.len(),
        "knowledge and community store loaded"
    );
    let rt = runtime()?;
    match http {
        Some(addr) => {
            if register != Register::No {
                tracing::warn!("--register is ignored with --http; run `archie register`");
            }
            rt.block_on(serve_http(app, settings, &addr))?
        }
        None => rt.block_on(serve_gateway(app, settings, register))?,
    }
    Ok(0)
}

/// `archie register [--guild ID]`.
pub fn register_blocking(guild: Option<u64>) -> anyhow::Result<i32> {
    let n = runtime()?.block_on(register(guild))?;
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
