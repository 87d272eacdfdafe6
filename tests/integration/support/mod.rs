//! The shared harness. Every test that needs one of these uses it from here:
//! - [`run`]: the `archie` binary (and this test binary re-executed) with the environment
//!   scrubbed by one list, [`run::SCRUBBED`];
//! - [`http`]: the HTTP interactions endpoint on port 0, built by [`http::http_app`], and the
//!   test keypair that signs requests;
//! - [`payloads`]: Discord's documented interaction payloads;
//! - [`limits`] and [`schema`]: independent checks of Discord's limits and OpenAPI schemas;
//! - [`fake_discord`]: a local stand-in for Discord (gateway and REST);
//! - [`postgres`]: a throwaway PostgreSQL server, one per test process, a database per test;
//! - the fixture paths and apps below (the policy is in `tests/integration/main.rs`).

pub mod fake_discord;
pub mod http;
pub mod limits;
pub mod payloads;
pub mod postgres;
pub mod run;
pub mod schema;
pub mod served;

pub use http::*;
pub use payloads::*;
pub use run::*;
pub use served::{terminate, Served};

use archie::app::App;
use archie::knowledge::Knowledge;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// `rel` inside this repository.
pub fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Every `.rs` file under `dir`, at any depth, in path order.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("a source folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The shipped knowledge (`knowledge/`): for answer quality and the data users get.
pub fn shipped_dir() -> PathBuf {
    repo_path("knowledge")
}

/// The one small fixture knowledge folder (`tests/fixtures/discord-kb`): for behaviour
/// that must not move when the shipped data grows.
pub fn fixture_dir() -> PathBuf {
    repo_path("tests/fixtures/discord-kb")
}

/// Where the seed documents are: `ARCHIE_SEEDS_DIR` when set (e.g. the project's full
/// `../shared/seeds`), else the in-repo samples `tests/fixtures/seeds`, the one default
/// source of seeds for the import tests.
pub fn seeds_dir() -> PathBuf {
    match std::env::var_os("ARCHIE_SEEDS_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => repo_path("tests/fixtures/seeds"),
    }
}

/// The seed `<prefix>…txt` in [`seeds_dir`]; a missing one fails saying what to set.
pub fn seed(prefix: &str) -> PathBuf {
    let dir = seeds_dir();
    let rd = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "seeds folder {}: {e} (unset ARCHIE_SEEDS_DIR to use tests/fixtures/seeds)",
            dir.display()
        )
    });
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(prefix) && name.ends_with(".txt") {
            return e.path();
        }
    }
    panic!(
        "no seed {prefix}*.txt in {}: copy it into tests/fixtures/seeds or point \
         ARCHIE_SEEDS_DIR at a folder that has it",
        dir.display()
    );
}

/// The fixture knowledge, loaded.
pub fn fixture_knowledge() -> Knowledge {
    Knowledge::load(&fixture_dir()).expect("the fixture knowledge loads")
}

/// The app over the fixture knowledge, built once per test binary.
pub fn fixture_app() -> Arc<App> {
    static APP: OnceLock<Arc<App>> = OnceLock::new();
    APP.get_or_init(|| {
        Arc::new(App::in_memory(fixture_knowledge()).expect("the fixture index builds"))
    })
    .clone()
}

/// The fixture knowledge with a community store in `db` (created).
pub fn kb_app(db: &std::path::Path) -> Arc<App> {
    let mut app = App::in_memory(fixture_knowledge()).expect("the fixture index builds");
    app.attach_store(
        archie::store::Store::open(db).expect("the store opens"),
        archie::search::community::Views::Index,
    );
    Arc::new(app)
}

/// Default settings whose fair use (default limits) runs on a clock the test moves (ms
/// since the epoch).
pub fn settings_on_a_test_clock() -> (archie::discord::Options, Arc<std::sync::atomic::AtomicU64>) {
    use archie::discord::fair_use::{FairUse, Limits};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64;
    let t = Arc::new(std::sync::atomic::AtomicU64::new(now));
    let c = t.clone();
    let clock = Arc::new(move || c.load(std::sync::atomic::Ordering::SeqCst));
    let settings = archie::discord::Options {
        fair_use: Arc::new(FairUse::new(Limits::DEFAULT, clock)),
        ..archie::discord::Options::default()
    };
    (settings, t)
}

/// An executor that panics while answering (the test hook for caught panics).
pub fn panicking_executor(
    _: &App,
    _: &archie::discord::stash::Stash,
    _: &archie::commands::Caller,
    _: archie::discord::interaction::Incoming,
    _: bool,
) -> archie::discord::Outgoing {
    panic!("a test executor panicked on purpose")
}

/// The response Discord would receive for `cmd` run by `caller`, as JSON: the one
/// renderer, a new message, one stash (for long button arguments) for the whole test run.
pub fn discord_response(
    app: &App,
    caller: &archie::commands::Caller,
    cmd: archie::commands::Command,
) -> serde_json::Value {
    let reply = archie::commands::execute(app, caller, &cmd);
    rendered(&reply, &cmd, None)
}

/// `reply` to `cmd` as Discord would receive it, as a new message, with the Follow up
/// button `follow_up` when given; one stash for the whole test run.
pub fn rendered(
    reply: &archie::reply::Reply,
    cmd: &archie::commands::Command,
    follow_up: Option<&str>,
) -> serde_json::Value {
    static STASH: std::sync::LazyLock<archie::discord::stash::Stash> =
        std::sync::LazyLock::new(Default::default);
    let delivery = archie::render::discord::Delivery {
        command: cmd,
        view: 0,
        mention: None,
        private: false,
        update: false,
        stash: &STASH,
        follow_up,
    };
    serde_json::to_value(archie::render::discord::reply(reply, &delivery))
        .expect("a response serializes")
}

/// The ids of the results `/ask` answers `q` with, as `caller` sees the knowledge.
pub fn ask_ids(app: &App, caller: &archie::commands::Caller, q: &str) -> Vec<String> {
    let r = archie::commands::execute(
        app,
        caller,
        &archie::commands::Command::Ask {
            question: q.into(),
            page: 0,
            per_page: 5,
        },
    );
    archie::terminal::reply_json(&r)["results"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["id"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A moderator of `guild` (id 42, "mod"), as the transports build the caller.
pub fn moderator_of(guild: u64) -> archie::commands::Caller {
    archie::commands::Caller {
        guild: Some(guild),
        actor: Some(archie::store::Actor::new(42, "mod")),
        moderator: true,
        typed: false,
    }
}

/// A member of `guild` without moderator rights (id 7, "member").
pub fn member_of(guild: u64) -> archie::commands::Caller {
    archie::commands::Caller {
        guild: Some(guild),
        actor: Some(archie::store::Actor::new(7, "member")),
        moderator: false,
        typed: false,
    }
}

/// Adds `draft` through `/kb`'s form submit as `caller`, which must succeed; the new id.
pub fn add_entry(
    app: &App,
    caller: &archie::commands::Caller,
    draft: archie::store::validate::RawDraft,
) -> String {
    let r = archie::commands::execute(
        app,
        caller,
        &archie::commands::Command::Kb(archie::commands::KbCommand::Submit { id: None, draft }),
    );
    assert_eq!(r.status, archie::reply::Status::Answer, "{:?}", r.summary);
    r.title.trim_start_matches("Added ").to_string()
}

/// A property's configuration: `cases` cases, or `PROPTEST_CASES` when it is set (a longer
/// run; proptest's default configuration reads it).
pub fn config(cases: u32) -> proptest::test_runner::Config {
    let c = proptest::test_runner::Config::default();
    if std::env::var_os("PROPTEST_CASES").is_some() {
        c
    } else {
        proptest::test_runner::Config { cases, ..c }
    }
}
