//! Each variable's reader: its value from the environment, checked, or an error naming
//! the variable and the fix. Only [`super::Settings::from_env`] calls them, and the
//! binary's `main` reads [`encoder_threads`] before any thread starts.

use super::{ConfigError, Secret};
use crate::config::limits::Limits;
use archie_search::semantic::Precision;
use archie_store::Database;
use std::path::PathBuf;

/// A path variable; unset or empty is `None`.
pub(super) fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn env_value(var: &str) -> Option<String> {
    std::env::var(var)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `DISCORD_TOKEN`, the bot token for the gateway and for registering commands.
/// Unset is `None`: only the commands that need a token ask for one
/// ([`super::Settings::token`]).
pub(super) fn discord_token() -> Result<Option<Secret>, ConfigError> {
    let Some(t) = env_value("DISCORD_TOKEN") else {
        return Ok(None);
    };
    let t = t.strip_prefix("Bot ").unwrap_or(&t).trim().to_string();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ConfigError(
            "DISCORD_TOKEN contains spaces or unexpected characters: paste the token exactly as \
             the Bot page shows it (Reset Token if you no longer have it)"
                .into(),
        ));
    }
    Ok(Some(Secret::new(t)))
}

pub(super) const PUBLIC_KEY_FIX: &str = "copy the Public Key from your application's General \
                              Information page (https://discord.com/developers/applications)";

/// `DISCORD_PUBLIC_KEY`, the application's Ed25519 public key (64 hex characters); unset
/// is `None` ([`super::Settings::public_key`] asks for it).
pub(super) fn discord_public_key() -> Result<Option<[u8; 32]>, ConfigError> {
    const FIX: &str = PUBLIC_KEY_FIX;
    let Some(k) = env_value("DISCORD_PUBLIC_KEY") else {
        return Ok(None);
    };
    let mut key = [0u8; 32];
    if k.len() != 64 || hex::decode_to_slice(&k, &mut key).is_err() {
        return Err(ConfigError(format!(
            "DISCORD_PUBLIC_KEY is not 64 hex characters: {FIX}"
        )));
    }
    Ok(Some(key))
}

/// A Discord snowflake from the environment (`None` when unset).
fn snowflake(var: &str, fix: &str) -> Result<Option<u64>, ConfigError> {
    match env_value(var) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(ConfigError(format!(
                "{var} is '{}', not a numeric Discord id: {fix}",
                archie_text::truncate_words(&v, 40)
            ))),
        },
    }
}

/// `ARCHIE_DEV_GUILD`: register commands in this server only (instant) instead of globally.
pub(super) fn dev_guild() -> Result<Option<u64>, ConfigError> {
    snowflake(
        "ARCHIE_DEV_GUILD",
        "enable Developer Mode in Discord, right-click the server, Copy Server ID",
    )
}

/// `DISCORD_APPLICATION_ID`: needed only by `archie register` when it cannot be looked up.
pub(super) fn application_id() -> Result<Option<u64>, ConfigError> {
    snowflake(
        "DISCORD_APPLICATION_ID",
        "copy the Application ID from your application's General Information page",
    )
}

/// `ARCHIE_REGISTER_COMMANDS=1`: `archie serve` registers the slash commands on start.
pub(super) fn register_commands() -> Result<bool, ConfigError> {
    match env_value("ARCHIE_REGISTER_COMMANDS").as_deref() {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(v) => Err(ConfigError(format!(
            "ARCHIE_REGISTER_COMMANDS is '{}': use 1 to register the commands on start, or 0",
            archie_text::truncate_words(v, 20)
        ))),
    }
}

/// `ARCHIE_LOG_FORMAT`: `text` (the default, for people) or `json` (one JSON object per
/// line, for journald or Loki).
pub fn log_json() -> Result<bool, ConfigError> {
    match env_value("ARCHIE_LOG_FORMAT")
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("text") => Ok(false),
        Some("json") => Ok(true),
        Some(v) => Err(ConfigError(format!(
            "ARCHIE_LOG_FORMAT is '{}': use json (one JSON object per line) or text",
            archie_text::truncate_words(v, 20)
        ))),
    }
}

/// `ARCHIE_LOG_QUESTIONS=1`: the log carries the text of questions asked (off by default:
/// members' questions are theirs).
pub(super) fn log_questions() -> Result<bool, ConfigError> {
    match env_value("ARCHIE_LOG_QUESTIONS").as_deref() {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(v) => Err(ConfigError(format!(
            "ARCHIE_LOG_QUESTIONS is '{}': use 1 to log the text of questions (a privacy \
             choice), or 0",
            archie_text::truncate_words(v, 20)
        ))),
    }
}

/// `ARCHIE_METRICS_ADDR`: where gateway mode serves `GET /metrics` (off unless set).
pub(super) fn metrics_addr() -> Result<Option<String>, ConfigError> {
    match env_value("ARCHIE_METRICS_ADDR") {
        None => Ok(None),
        Some(v) if v.parse::<std::net::SocketAddr>().is_ok() => Ok(Some(v)),
        Some(v) => Err(ConfigError(format!(
            "ARCHIE_METRICS_ADDR is '{}': give an address and port, e.g. 127.0.0.1:9184",
            archie_text::truncate_words(&v, 40)
        ))),
    }
}

/// `ARCHIE_MESSAGE_CONTENT=1`: the gateway asks for the privileged Message Content intent
/// (switched on in the Developer Portal first), so Archie can read watched forums' posts.
pub(super) fn message_content() -> Result<bool, ConfigError> {
    match env_value("ARCHIE_MESSAGE_CONTENT").as_deref() {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(v) => Err(ConfigError(format!(
            "ARCHIE_MESSAGE_CONTENT is '{}': use 1 once the Message Content Intent is on in \
             the Developer Portal (Bot → Privileged Gateway Intents), or 0",
            archie_text::truncate_words(v, 20)
        ))),
    }
}

/// `ARCHIE_SEMANTIC`: `on` (the default) adds the sentence encoder to answering; `off`
/// answers with the lexical engine alone (tiny machines: no model in memory).
pub(super) fn semantic() -> Result<bool, ConfigError> {
    match env_value("ARCHIE_SEMANTIC")
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("on" | "1" | "true" | "yes") => Ok(true),
        Some("off" | "0" | "false" | "no") => Ok(false),
        Some(v) => Err(ConfigError(format!(
            "ARCHIE_SEMANTIC is '{}': use on (sentence encoder plus lexical ranking) or off \
             (lexical ranking alone)",
            archie_text::truncate_words(v, 20)
        ))),
    }
}

/// `ARCHIE_ENCODER`: how the sentence encoder's dense layers compute. `auto` (the default)
/// is int8 on the fastest kernel this CPU has (VNNI, else AVX2), else fp32.
pub(super) fn encoder() -> Result<Precision, ConfigError> {
    match env_value("ARCHIE_ENCODER") {
        None => Ok(Precision::best()),
        Some(v) => v.parse().map_err(|why| {
            ConfigError(format!(
                "ARCHIE_ENCODER is '{}': {why}",
                archie_text::truncate_words(&v, 20)
            ))
        }),
    }
}

/// The most threads [`encoder_threads`] accepts.
const MAX_ENCODER_THREADS: usize = 64;

/// `ARCHIE_ENCODER_THREADS`: threads that encode one question (default 1). One thread per
/// question keeps the tail short: a product split in two waits for its slower half, and
/// several questions at once still use every core.
pub fn encoder_threads() -> Result<usize, ConfigError> {
    match env_value("ARCHIE_ENCODER_THREADS") {
        None => Ok(1),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_ENCODER_THREADS).contains(&n) => Ok(n),
            _ => Err(ConfigError(format!(
                "ARCHIE_ENCODER_THREADS is '{}': use a whole number from 1 to \
                 {MAX_ENCODER_THREADS} (the default, 1, is fastest per question)",
                archie_text::truncate_words(&v, 20)
            ))),
        },
    }
}

/// `ARCHIE_DISCORD_API_URL`: another base URL for Discord's REST API (a local stand-in).
pub(super) fn discord_api_url() -> Result<Option<String>, ConfigError> {
    match env_value("ARCHIE_DISCORD_API_URL") {
        None => Ok(None),
        Some(u) if archie_knowledge::is_http_url(&u) => Ok(Some(u.trim_end_matches('/').into())),
        Some(u) => Err(ConfigError(format!(
            "ARCHIE_DISCORD_API_URL is '{}', not an http(s) URL: unset it to talk to Discord, \
             or give a base such as http://127.0.0.1:8080",
            archie_text::truncate_words(&u, 60)
        ))),
    }
}

/// What every `ARCHIE_DATABASE` message ends with.
const DATABASE_FIX: &str = "give a SQLite file path such as data/archie.db (or sqlite://PATH), \
                            a PostgreSQL URL such as postgres://USER@HOST:5432/DB, or remove \
                            ARCHIE_DATABASE to use archie.db in the data directory";

/// `ARCHIE_DATABASE`, checked: a SQLite file path, `sqlite://PATH` or `sqlite:PATH`, or a
/// `postgres://` (`postgresql://`) URL; unset means `archie.db` in the data directory. Any
/// other URL, a malformed PostgreSQL URL, an empty value, a folder, or a file whose folder
/// cannot be created or written is an error naming the variable. Nothing is created for a
/// refused value; for an accepted file the folder is created (as opening the store would).
pub(super) fn database_var() -> Result<Option<Database>, ConfigError> {
    let Some(raw) = std::env::var_os("ARCHIE_DATABASE") else {
        return Ok(None);
    };
    Ok(Some(match raw.to_str() {
        Some(v) => database_value(v)?,
        // Not UTF-8: a path, as the operating system gave it.
        None => Database::Sqlite(PathBuf::from(raw)),
    }))
}

/// The store an `ARCHIE_DATABASE` value names; never quotes a URL (it may hold a password).
pub fn database_value(v: &str) -> Result<Database, ConfigError> {
    let t = v.trim();
    if t.is_empty() {
        return Err(ConfigError(format!(
            "ARCHIE_DATABASE is set but empty: {DATABASE_FIX}"
        )));
    }
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("postgres:") || lower.starts_with("postgresql:") {
        return postgres_url(t);
    }
    if let Some(shown) = other_url(t) {
        return Err(ConfigError(format!(
            "ARCHIE_DATABASE is {shown}, which Archie cannot open: {DATABASE_FIX}"
        )));
    }
    let rest = strip_prefix_ci(t, "sqlite://")
        .or_else(|| strip_prefix_ci(t, "sqlite:"))
        .unwrap_or(t);
    if rest.trim().is_empty() {
        return Err(ConfigError(format!(
            "ARCHIE_DATABASE names no file after its sqlite: prefix: {DATABASE_FIX}"
        )));
    }
    Ok(Database::Sqlite(PathBuf::from(rest)))
}

/// How to name a value that is a URL Archie does not open (anything but `sqlite:` and
/// `postgres:`), or `None` for a file path. `mysql:db` and `redis:cache` count as URLs
/// without their slashes: taking them as paths would create a folder named after the
/// scheme. A one-letter prefix is a Windows drive (`C:\\data\\archie.db`), not a scheme.
fn other_url(t: &str) -> Option<String> {
    if strip_prefix_ci(t, "sqlite:").is_some() {
        return None;
    }
    if let Some((scheme, _)) = t.split_once("://") {
        return Some(if is_scheme(scheme) {
            format!("a {scheme}:// URL")
        } else {
            "a URL".to_string()
        });
    }
    let (scheme, _) = t.split_once(':')?;
    (scheme.len() > 1 && is_scheme(scheme)).then(|| format!("a {scheme}: URL"))
}

/// A PostgreSQL URL that names a host and a database (`postgres://USER@HOST:PORT/DB`).
fn postgres_url(t: &str) -> Result<Database, ConfigError> {
    let bad = |why: String| {
        ConfigError(format!(
            "ARCHIE_DATABASE is a PostgreSQL URL that Archie cannot use ({why}): give \
             postgres://USER@HOST:5432/DB (a password, if any, as postgres://USER:PASSWORD@HOST/DB)"
        ))
    };
    let config: postgres::Config = t
        .parse()
        .map_err(|e: postgres::Error| bad(format!("it does not parse: {e}")))?;
    if config.get_hosts().is_empty() {
        return Err(bad("it names no host".into()));
    }
    if config.get_dbname().is_none_or(str::is_empty) {
        return Err(bad("it names no database".into()));
    }
    Ok(Database::Postgres(t.to_string()))
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A URL scheme's shape: a letter, then letters, digits, `+`, `-` or `.` (short).
fn is_scheme(s: &str) -> bool {
    s.len() <= 20
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The store file must not be a folder, and its folder must exist (created here) and
/// take new files.
pub(super) fn check_database_file(path: &std::path::Path) -> Result<(), ConfigError> {
    let shown = path.display();
    if path.is_dir() {
        return Err(ConfigError(format!(
            "ARCHIE_DATABASE is {shown}, which is a folder: name the file inside it, e.g. \
             {}",
            path.join("archie.db").display()
        )));
    }
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return Err(ConfigError(format!(
            "ARCHIE_DATABASE is {shown}, but its folder {} cannot be created ({e}): \
             {DATABASE_FIX} in a folder Archie may write",
            dir.display()
        )));
    }
    let probe = dir.join(format!(".archie-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(ConfigError(format!(
            "ARCHIE_DATABASE is {shown}, but its folder {} does not take new files ({e}): \
             {DATABASE_FIX} in a folder Archie may write",
            dir.display()
        ))),
    }
}

/// The cooldowns and the repeat window: `ARCHIE_ASK_COOLDOWN`, `ARCHIE_LOOKUP_COOLDOWN`,
/// `ARCHIE_KB_COOLDOWN` (`COUNT/WINDOW`, e.g. `5/30s`, or `off`) and
/// `ARCHIE_REPEAT_WINDOW` (e.g. `5m`, or `off`); unset means the default.
pub(super) fn fair_use_limits() -> Result<Limits, ConfigError> {
    let d = crate::config::limits::Limits::DEFAULT;
    Ok(crate::config::limits::Limits {
        ask: rate_var("ARCHIE_ASK_COOLDOWN", d.ask)?,
        lookup: rate_var("ARCHIE_LOOKUP_COOLDOWN", d.lookup)?,
        kb: rate_var("ARCHIE_KB_COOLDOWN", d.kb)?,
        repeat_secs: match env_value("ARCHIE_REPEAT_WINDOW") {
            None => d.repeat_secs,
            Some(v) => parse_repeat_window(&v).map_err(|why| {
                ConfigError(format!(
                    "ARCHIE_REPEAT_WINDOW is '{}': {why}; give a time such as 5m or 90s \
                     (at most 15m, Discord's interaction lifetime), or off",
                    archie_text::truncate_words(&v, 20)
                ))
            })?,
        },
    })
}

fn rate_var(
    var: &str,
    default: Option<crate::config::limits::Rate>,
) -> Result<Option<crate::config::limits::Rate>, ConfigError> {
    match env_value(var) {
        None => Ok(default),
        Some(v) => parse_rate(&v).map_err(|why| {
            ConfigError(format!(
                "{var} is '{}': {why}; give uses per window such as 5/30s or 10/1m, or off",
                archie_text::truncate_words(&v, 20)
            ))
        }),
    }
}

/// `COUNT/WINDOW` (`5/30s`, `10/1m`, `3/45`): at least one use, a window of 1 s to 1 h;
/// `off` or `0` turns the cooldown off.
pub fn parse_rate(v: &str) -> Result<Option<crate::config::limits::Rate>, String> {
    let v = v.trim();
    if matches!(v.to_ascii_lowercase().as_str(), "off" | "0" | "none") {
        return Ok(None);
    }
    let Some((count, window)) = v.split_once('/') else {
        return Err("no '/' between the count and the window".into());
    };
    let count: u32 = match count.trim().parse() {
        Ok(n) if n > 0 => n,
        _ => return Err(format!("'{}' is not a count of uses", count.trim())),
    };
    let per_secs = parse_secs(window)?;
    if !(1..=3600).contains(&per_secs) {
        return Err("the window must be between 1s and 1h".into());
    }
    Ok(Some(crate::config::limits::Rate { count, per_secs }))
}

/// A repeat window (`5m`, `300s`, `300`), at most 15 minutes; `off` or `0` is none.
pub fn parse_repeat_window(v: &str) -> Result<u64, String> {
    let v = v.trim();
    if matches!(v.to_ascii_lowercase().as_str(), "off" | "0" | "none") {
        return Ok(0);
    }
    let secs = parse_secs(v)?;
    if secs > 15 * 60 {
        return Err("longer than 15m".into());
    }
    Ok(secs)
}

/// `90`, `90s`, `5m`, `1h` as seconds.
fn parse_secs(v: &str) -> Result<u64, String> {
    let v = v.trim();
    let (num, unit) = match v.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&v[..i], v[i..].trim()),
        None => (v, ""),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{v}' is not a length of time"))?;
    let unit = match unit {
        "" | "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" => 3600,
        _ => return Err(format!("'{unit}' is not a unit (use s, m or h)")),
    };
    n.checked_mul(unit)
        .ok_or_else(|| format!("'{v}' is too long"))
}

/// `ARCHIE_MODERATOR_ROLES`: comma-separated role ids whose members may change their
/// server's knowledge with `/kb`, besides members with Manage Server or Administrator.
pub(super) fn moderator_roles() -> Result<Vec<u64>, ConfigError> {
    let Some(v) = env_value("ARCHIE_MODERATOR_ROLES") else {
        return Ok(Vec::new());
    };
    parse_role_ids(&v).map_err(|bad| {
        ConfigError(format!(
            "ARCHIE_MODERATOR_ROLES has '{}', not a numeric role id: give role ids separated \
             by commas (Developer Mode → Server Settings → Roles → right-click → Copy Role ID)",
            archie_text::truncate_words(&bad, 40)
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
    use super::{database_value, parse_rate, parse_repeat_window, parse_role_ids};
    use archie_store::Database;
    use std::path::PathBuf;

    #[test]
    fn database_values_are_sqlite_paths_and_urls_are_refused_without_quoting_them() {
        let ok = |v: &str| database_value(v).map_err(|e| e.to_string());
        let file = |p: &str| Ok(Database::Sqlite(PathBuf::from(p)));
        assert_eq!(ok("data/archie.db"), file("data/archie.db"));
        assert_eq!(ok("sqlite://data/a.db"), file("data/a.db"));
        assert_eq!(ok("sqlite:///var/a.db"), file("/var/a.db"));
        assert_eq!(ok("SQLite:a.db"), file("a.db"));
        assert_eq!(ok("C:/data/a.db"), file("C:/data/a.db"));
        for url in [
            "postgres://archie:hunter2@db:5432/archie",
            "postgresql://archie@127.0.0.1/archie",
        ] {
            assert_eq!(ok(url), Ok(Database::Postgres(url.to_string())));
            let shown = database_value(url).unwrap().to_string();
            assert!(
                !shown.contains("hunter2"),
                "never shows a password: {shown}"
            );
        }
        for (v, says) in [
            ("postgres://archie:hunter2@db", "names no database"),
            ("postgresql://archie:hunter2@/archie", "names no host"),
            (
                "postgres://archie:hunter2@db:notaport/archie",
                "does not parse",
            ),
            ("mysql://archie:hunter2@db/archie", "a mysql:// URL"),
            ("mysql:db/archie", "a mysql: URL"),
            ("redis:cache", "a redis: URL"),
            ("file:archie.db", "a file: URL"),
            ("", "empty"),
            ("   ", "empty"),
            ("sqlite://", "names no file"),
        ] {
            let err = ok(v).expect_err(v);
            assert!(err.starts_with("ARCHIE_DATABASE "), "{err}");
            assert!(err.contains(says), "{v}: {err}");
            assert!(
                err.contains("data/archie.db") || err.contains("postgres://USER@HOST:5432/DB"),
                "says the fix: {err}"
            );
            assert!(!err.contains("hunter2"), "never shows a password: {err}");
        }
    }
    use crate::config::limits::Rate;

    #[test]
    fn cooldowns_read_count_per_window_and_refuse_nonsense() {
        let r = |count, per_secs| Ok(Some(Rate { count, per_secs }));
        assert_eq!(parse_rate("5/30s"), r(5, 30));
        assert_eq!(parse_rate(" 10 / 1m "), r(10, 60));
        assert_eq!(parse_rate("3/45"), r(3, 45));
        assert_eq!(parse_rate("off"), Ok(None));
        assert_eq!(parse_rate("0"), Ok(None));
        for bad in [
            "5", "five/30s", "0/30s", "5/0s", "5/2h", "5/30x", "-1/30s", "5/",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_repeat_window("5m"), Ok(300));
        assert_eq!(parse_repeat_window("off"), Ok(0));
        assert!(parse_repeat_window("16m").is_err());
        assert!(parse_repeat_window("soon").is_err());
    }

    #[test]
    fn role_ids_are_read_from_a_comma_separated_list() {
        assert_eq!(parse_role_ids(" 12, 34,,12 "), Ok(vec![12, 34]));
        assert_eq!(parse_role_ids(""), Ok(vec![]));
        assert_eq!(parse_role_ids("12,mods"), Err("mods".to_string()));
        assert_eq!(parse_role_ids("0"), Err("0".to_string()));
    }
}
