//! Every setting Archie reads from the environment, read and checked once at start into
//! [`Settings`] and passed down from there: nothing below the binary's edge reads the
//! environment. A malformed value stops the start with a message naming the variable and
//! the fix; a missing one is reported by the command that needs it.

pub mod limits;
mod vars;

use archie_search::semantic::Precision;
use archie_store::Database;
pub use vars::{
    database_value, encoder_threads, log_json as log_json_from_env, parse_rate,
    parse_repeat_window, parse_role_ids,
};

use crate::config::limits::Limits;
use std::path::{Path, PathBuf};
use vars::{
    application_id, check_database_file, database_var, dev_guild, discord_api_url,
    discord_public_key, discord_token, encoder, env_path, fair_use_limits, log_json, log_questions,
    message_content, metrics_addr, moderator_roles, register_commands, semantic, PUBLIC_KEY_FIX,
};

/// The environment, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `ARCHIE_KNOWLEDGE_DIR`.
    pub knowledge_dir: Option<PathBuf>,
    /// `ARCHIE_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `ARCHIE_DATABASE`, as the SQLite file it names.
    pub database: Option<Database>,
    /// `ARCHIE_MODEL_DIR`.
    pub model_dir: Option<PathBuf>,
    /// `ARCHIE_SEMANTIC`: the sentence encoder joins the lexical ranking.
    pub semantic: bool,
    /// `ARCHIE_ENCODER`: how the encoder's dense layers compute.
    pub encoder: Precision,
    /// `ARCHIE_ENCODER_THREADS`: threads per question.
    pub encoder_threads: usize,
    /// `DISCORD_TOKEN`.
    pub discord_token: Option<Secret>,
    /// `DISCORD_PUBLIC_KEY`.
    pub discord_public_key: Option<[u8; 32]>,
    /// `DISCORD_APPLICATION_ID`.
    pub application_id: Option<u64>,
    /// `ARCHIE_DEV_GUILD`.
    pub dev_guild: Option<u64>,
    /// `ARCHIE_REGISTER_COMMANDS`.
    pub register_commands: bool,
    /// `ARCHIE_MESSAGE_CONTENT`.
    pub message_content: bool,
    /// `ARCHIE_LOG_FORMAT=json`.
    pub log_json: bool,
    /// `ARCHIE_LOG_QUESTIONS`.
    pub log_questions: bool,
    /// `ARCHIE_METRICS_ADDR`.
    pub metrics_addr: Option<String>,
    /// `ARCHIE_DISCORD_API_URL`.
    pub discord_api_url: Option<String>,
    /// `ARCHIE_MODERATOR_ROLES`.
    pub moderator_roles: Vec<u64>,
    /// The cooldowns and the repeat window.
    pub fair_use: Limits,
}

impl Default for Settings {
    /// No variable set: every default.
    fn default() -> Settings {
        Settings {
            knowledge_dir: None,
            data_dir: None,
            database: None,
            model_dir: None,
            semantic: true,
            encoder: Precision::best(),
            encoder_threads: 1,
            discord_token: None,
            discord_public_key: None,
            application_id: None,
            dev_guild: None,
            register_commands: false,
            message_content: false,
            log_json: false,
            log_questions: false,
            metrics_addr: None,
            discord_api_url: None,
            moderator_roles: Vec::new(),
            fair_use: Limits::DEFAULT,
        }
    }
}

impl Settings {
    /// Reads and checks every variable once (call it at start, after loading `.env`).
    pub fn from_env() -> Result<Settings, ConfigError> {
        Ok(Settings {
            knowledge_dir: env_path("ARCHIE_KNOWLEDGE_DIR"),
            data_dir: env_path("ARCHIE_DATA_DIR"),
            database: database_var()?,
            model_dir: env_path("ARCHIE_MODEL_DIR"),
            semantic: semantic()?,
            encoder: encoder()?,
            encoder_threads: encoder_threads()?,
            discord_token: discord_token()?,
            discord_public_key: discord_public_key()?,
            application_id: application_id()?,
            dev_guild: dev_guild()?,
            register_commands: register_commands()?,
            message_content: message_content()?,
            log_json: log_json()?,
            log_questions: log_questions()?,
            metrics_addr: metrics_addr()?,
            discord_api_url: discord_api_url()?,
            moderator_roles: moderator_roles()?,
            fair_use: fair_use_limits()?,
        })
    }

    /// `--knowledge DIR`, else `ARCHIE_KNOWLEDGE_DIR`, else `./knowledge` when it holds the
    /// knowledge (a fresh clone's folder). Never a path remembered from the build: a copied
    /// binary must say where the knowledge is.
    pub fn knowledge_dir(&self, flag: Option<PathBuf>) -> Result<PathBuf, ConfigError> {
        if let Some(p) = flag.or_else(|| self.knowledge_dir.clone()) {
            return Ok(p);
        }
        let local = PathBuf::from("knowledge");
        if local.join("technologies.toml").is_file() {
            return Ok(local);
        }
        Err(ConfigError(
            "no knowledge folder here: run archie from the project folder (the one holding \
             knowledge/), pass --knowledge DIR, or set ARCHIE_KNOWLEDGE_DIR"
                .into(),
        ))
    }

    /// `ARCHIE_DATA_DIR`, else `data/` beside the knowledge folder (in the project).
    pub fn data_dir(&self, knowledge: &Path) -> PathBuf {
        if let Some(p) = &self.data_dir {
            return p.clone();
        }
        project_dir(knowledge).join("data")
    }

    /// `ARCHIE_MODEL_DIR`, else `models/all-MiniLM-L6-v2` beside the knowledge folder.
    pub fn model_dir(&self, knowledge: &Path) -> PathBuf {
        match &self.model_dir {
            Some(p) => p.clone(),
            None => archie_search::semantic::model_dir(knowledge),
        }
    }

    /// The community store: `ARCHIE_DATABASE` (a SQLite file or a PostgreSQL URL), else
    /// `archie.db` in the data directory. A file's folder is created, and must take new
    /// files.
    pub fn database(&self, knowledge: &Path) -> Result<Database, ConfigError> {
        match &self.database {
            None => Ok(Database::Sqlite(self.data_dir(knowledge).join("archie.db"))),
            Some(Database::Sqlite(path)) => {
                check_database_file(path)?;
                Ok(Database::Sqlite(path.clone()))
            }
            Some(db) => Ok(db.clone()),
        }
    }

    /// The bot token, for the commands that need one.
    pub fn token(&self) -> Result<&Secret, ConfigError> {
        self.discord_token.as_ref().ok_or_else(|| {
            ConfigError(
                "DISCORD_TOKEN is not set: copy the token from the Bot page of your application \
                 (https://discord.com/developers/applications) into .env or the environment \
                 (see .env.example)"
                    .into(),
            )
        })
    }

    /// The application's public key, for the interactions endpoint.
    pub fn public_key(&self) -> Result<[u8; 32], ConfigError> {
        self.discord_public_key
            .ok_or_else(|| ConfigError(format!("DISCORD_PUBLIC_KEY is not set: {PUBLIC_KEY_FIX}")))
    }
}

/// The folder that holds the knowledge folder (the project), or `.`.
fn project_dir(knowledge: &Path) -> PathBuf {
    knowledge
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A secret (the bot token) that never shows in logs or `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub(crate) fn new(s: String) -> Secret {
        Secret(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A missing or malformed setting; the message names the variable and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub(crate) String);
