//! Where things live: the knowledge folder and the data directory, from flags or the
//! environment, with defaults that work on a fresh clone.

use std::path::PathBuf;

/// `--knowledge DIR`, else `ARCHIE_KNOWLEDGE_DIR`, else `./knowledge` when it exists,
/// else the `knowledge/` folder shipped beside this crate's sources.
pub fn knowledge_dir(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Some(p) = std::env::var_os("ARCHIE_KNOWLEDGE_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    let local = PathBuf::from("knowledge");
    if local.join("technologies.toml").is_file() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// `ARCHIE_DATA_DIR`, else `data/` beside the knowledge folder's parent (the project).
pub fn data_dir(knowledge: &std::path::Path) -> PathBuf {
    if let Some(p) = std::env::var_os("ARCHIE_DATA_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    let parent = knowledge
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("."));
    parent.join("data")
}

/// A secret (the bot token) that never shows in logs or `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
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
pub struct ConfigError(String);

fn env_value(var: &str) -> Option<String> {
    std::env::var(var)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `DISCORD_TOKEN`, the bot token for the gateway and for registering commands.
pub fn discord_token() -> Result<Secret, ConfigError> {
    let Some(t) = env_value("DISCORD_TOKEN") else {
        return Err(ConfigError(
            "DISCORD_TOKEN is not set: copy the token from the Bot page of your application \
             (https://discord.com/developers/applications) into .env or the environment (see .env.example)"
                .into(),
        ));
    };
    let t = t.strip_prefix("Bot ").unwrap_or(&t).trim().to_string();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ConfigError(
            "DISCORD_TOKEN contains spaces or unexpected characters: paste the token exactly as \
             the Bot page shows it (Reset Token if you no longer have it)"
                .into(),
        ));
    }
    Ok(Secret(t))
}

/// `DISCORD_PUBLIC_KEY`, the application's Ed25519 public key (64 hex characters).
pub fn discord_public_key() -> Result<[u8; 32], ConfigError> {
    const FIX: &str = "copy the Public Key from your application's General Information page \
                       (https://discord.com/developers/applications)";
    let Some(k) = env_value("DISCORD_PUBLIC_KEY") else {
        return Err(ConfigError(format!("DISCORD_PUBLIC_KEY is not set: {FIX}")));
    };
    let mut key = [0u8; 32];
    if k.len() != 64 || hex::decode_to_slice(&k, &mut key).is_err() {
        return Err(ConfigError(format!(
            "DISCORD_PUBLIC_KEY is not 64 hex characters: {FIX}"
        )));
    }
    Ok(key)
}

/// A Discord snowflake from the environment (`None` when unset).
fn snowflake(var: &str, fix: &str) -> Result<Option<u64>, ConfigError> {
    match env_value(var) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(ConfigError(format!(
                "{var} is '{}', not a numeric Discord id: {fix}",
                crate::text::truncate_words(&v, 40)
            ))),
        },
    }
}

/// `ARCHIE_DEV_GUILD`: register commands in this server only (instant) instead of globally.
pub fn dev_guild() -> Result<Option<u64>, ConfigError> {
    snowflake(
        "ARCHIE_DEV_GUILD",
        "enable Developer Mode in Discord, right-click the server, Copy Server ID",
    )
}

/// `DISCORD_APPLICATION_ID`: needed only by `archie register` when it cannot be looked up.
pub fn application_id() -> Result<Option<u64>, ConfigError> {
    snowflake(
        "DISCORD_APPLICATION_ID",
        "copy the Application ID from your application's General Information page",
    )
}

/// `ARCHIE_REGISTER_COMMANDS=1`: `archie serve` registers the slash commands on start.
pub fn register_commands() -> Result<bool, ConfigError> {
    match env_value("ARCHIE_REGISTER_COMMANDS").as_deref() {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(v) => Err(ConfigError(format!(
            "ARCHIE_REGISTER_COMMANDS is '{}': use 1 to register the commands on start, or 0",
            crate::text::truncate_words(v, 20)
        ))),
    }
}

/// `ARCHIE_SEMANTIC`: `on` (the default) adds the sentence encoder to answering; `off`
/// answers with the lexical engine alone (tiny machines: no model in memory).
pub fn semantic() -> Result<bool, ConfigError> {
    match env_value("ARCHIE_SEMANTIC")
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("on" | "1" | "true" | "yes") => Ok(true),
        Some("off" | "0" | "false" | "no") => Ok(false),
        Some(v) => Err(ConfigError(format!(
            "ARCHIE_SEMANTIC is '{}': use on (sentence encoder plus lexical ranking) or off \
             (lexical ranking alone)",
            crate::text::truncate_words(v, 20)
        ))),
    }
}

/// `ARCHIE_DISCORD_API_URL`: another base URL for Discord's REST API (a local stand-in).
pub fn discord_api_url() -> Result<Option<String>, ConfigError> {
    match env_value("ARCHIE_DISCORD_API_URL") {
        None => Ok(None),
        Some(u) if crate::knowledge::is_http_url(&u) => Ok(Some(u.trim_end_matches('/').into())),
        Some(u) => Err(ConfigError(format!(
            "ARCHIE_DISCORD_API_URL is '{}', not an http(s) URL: unset it to talk to Discord, \
             or give a base such as http://127.0.0.1:8080",
            crate::text::truncate_words(&u, 60)
        ))),
    }
}

/// `ARCHIE_DATABASE`, else `archie.db` in the data directory: the community store.
pub fn database_path(knowledge: &std::path::Path) -> PathBuf {
    match std::env::var_os("ARCHIE_DATABASE").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => data_dir(knowledge).join("archie.db"),
    }
}

/// `ARCHIE_MODERATOR_ROLES`: comma-separated role ids whose members may change their
/// server's knowledge with `/kb`, besides members with Manage Server or Administrator.
pub fn moderator_roles() -> Result<Vec<u64>, ConfigError> {
    let Some(v) = env_value("ARCHIE_MODERATOR_ROLES") else {
        return Ok(Vec::new());
    };
    parse_role_ids(&v).map_err(|bad| {
        ConfigError(format!(
            "ARCHIE_MODERATOR_ROLES has '{}', not a numeric role id: give role ids separated \
             by commas (Developer Mode → Server Settings → Roles → right-click → Copy Role ID)",
            crate::text::truncate_words(&bad, 40)
        ))
    })
}

/// Role ids separated by commas (spaces allowed, empty items skipped); the bad item on error.
pub fn parse_role_ids(v: &str) -> Result<Vec<u64>, String> {
    let mut out = Vec::new();
    for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item.parse::<u64>() {
            Ok(n) if n > 0 => {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            _ => return Err(item.to_string()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_role_ids;

    #[test]
    fn role_ids_are_read_from_a_comma_separated_list() {
        assert_eq!(parse_role_ids(" 12, 34,,12 "), Ok(vec![12, 34]));
        assert_eq!(parse_role_ids(""), Ok(vec![]));
        assert_eq!(parse_role_ids("12,mods"), Err("mods".to_string()));
        assert_eq!(parse_role_ids("0"), Err("0".to_string()));
    }
}
