//! The one way tests run a process: the `archie` binary ([`archie`], [`archie_in`]) or this
//! test binary re-executed ([`scrubbed`]), with the environment scrubbed by one list.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Every variable the binary reads (`src/config.rs`, `src/discord/run.rs`,
/// `src/search/semantic.rs`, `src/cli.rs`, `src/kb_cli.rs`), removed from every child so
/// the developer's shell cannot change a test. An entry ending in `_` is a prefix: every
/// variable starting with it goes, including ones added to `src/` later.
pub const SCRUBBED: &[&str] = &[
    "ARCHIE_",
    "DISCORD_",
    "RUST_LOG",
    "USER",
    "RAYON_NUM_THREADS",
];

fn is_scrubbed(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    SCRUBBED.iter().any(|s| {
        if s.ends_with('_') {
            name.starts_with(s)
        } else {
            name == *s
        }
    })
}

/// `program` with every [`SCRUBBED`] variable removed and no stdin.
pub fn scrubbed(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if is_scrubbed(&name) {
            c.env_remove(name);
        }
    }
    c.stdin(Stdio::null());
    c
}

/// The `archie` binary in a fresh temporary working folder (no `.env` to read), its data in
/// `<folder>/data`, lexical answering (`ARCHIE_SEMANTIC=off`; [`Archie::semantic`] turns the
/// encoder back on) and the shipped `knowledge/` named by `ARCHIE_KNOWLEDGE_DIR` (the
/// binary guesses no folder: [`Archie::no_knowledge_dir`] shows what it says instead).
/// Derefs to [`Command`] for arguments and further variables.
pub fn archie() -> Archie {
    let tmp = tempfile::tempdir().expect("a temporary working folder");
    let mut run = archie_in(tmp.path());
    run.tmp = Some(tmp);
    run
}

/// [`archie`] with `dir` (which the test owns and may inspect) as the working folder.
pub fn archie_in(dir: &Path) -> Archie {
    let mut cmd = scrubbed(env!("CARGO_BIN_EXE_archie"));
    cmd.env("ARCHIE_SEMANTIC", "off")
        .env("ARCHIE_DATA_DIR", dir.join("data"))
        .env("ARCHIE_KNOWLEDGE_DIR", super::shipped_dir())
        .current_dir(dir);
    Archie { cmd, tmp: None }
}

pub struct Archie {
    cmd: Command,
    tmp: Option<tempfile::TempDir>,
}

impl Archie {
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Archie {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Archie {
        self.cmd.args(args);
        self
    }

    pub fn env(&mut self, name: &str, value: impl AsRef<OsStr>) -> &mut Archie {
        self.cmd.env(name, value);
        self
    }

    /// `ARCHIE_KNOWLEDGE_DIR`.
    pub fn knowledge(&mut self, dir: impl AsRef<OsStr>) -> &mut Archie {
        self.cmd.env("ARCHIE_KNOWLEDGE_DIR", dir);
        self
    }

    /// No `ARCHIE_KNOWLEDGE_DIR`: the binary must find `./knowledge` or be told.
    pub fn no_knowledge_dir(&mut self) -> &mut Archie {
        self.cmd.env_remove("ARCHIE_KNOWLEDGE_DIR");
        self
    }

    /// The small fixture knowledge (`tests/fixtures/discord-kb`).
    pub fn fixture_knowledge(&mut self) -> &mut Archie {
        self.knowledge(super::fixture_dir())
    }

    /// `ARCHIE_DATABASE`, as given (even empty or malformed).
    pub fn database(&mut self, db: impl AsRef<OsStr>) -> &mut Archie {
        self.cmd.env("ARCHIE_DATABASE", db);
        self
    }

    /// `ARCHIE_DATA_DIR` somewhere else than `<folder>/data` (a data folder shared by runs).
    pub fn data(&mut self, dir: impl AsRef<OsStr>) -> &mut Archie {
        self.cmd.env("ARCHIE_DATA_DIR", dir);
        self
    }

    /// Hybrid answering, as a user's default: the sentence encoder on.
    pub fn semantic(&mut self) -> &mut Archie {
        self.cmd.env_remove("ARCHIE_SEMANTIC");
        self
    }

    /// Runs to the end: exit code (-1 when killed by a signal), stdout, stderr.
    pub fn run(&mut self) -> (i32, String, String) {
        let out = self.output();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs to the end and returns what it printed.
    pub fn output(&mut self) -> Output {
        self.cmd.output().expect("archie runs")
    }

    /// A long-running child (a server) the test stops itself: killed when dropped. Only
    /// for [`archie_in`], whose folder outlives the child.
    pub fn into_tokio(self) -> tokio::process::Command {
        assert!(
            self.tmp.is_none(),
            "a long-running archie needs a folder the test owns: use archie_in"
        );
        let mut c = tokio::process::Command::from(self.cmd);
        c.kill_on_drop(true);
        c
    }
}

impl std::ops::Deref for Archie {
    type Target = Command;
    fn deref(&self) -> &Command {
        &self.cmd
    }
}

impl std::ops::DerefMut for Archie {
    fn deref_mut(&mut self) -> &mut Command {
        &mut self.cmd
    }
}

/// A port that was free a moment ago (for a child that binds it itself).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// The names `src/` and `crates/` read from the environment: the first argument of every call to
/// `var`, `var_os` and config's `env_path`, `env_value`, `snowflake` and `rate_var`.
fn variables_read_by_src() -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for dir in ["src", "crates"] {
        for p in super::rust_files(&super::repo_path(dir)) {
            let text = std::fs::read_to_string(&p).expect("a source file");
            for call in [
                "var(",
                "var_os(",
                "env_path(",
                "env_value(",
                "snowflake(",
                "rate_var(",
            ] {
                for (at, _) in text.match_indices(call) {
                    let rest = text[at + call.len()..].trim_start();
                    if let Some(name) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                        out.insert(name.to_string());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_scrub_covers_every_variable_the_binary_reads() {
    let read = variables_read_by_src();
    assert!(
        read.contains("ARCHIE_KNOWLEDGE_DIR") && read.contains("DISCORD_TOKEN"),
        "the scan finds the variables in src/: {read:?}"
    );
    // `RUST_LOG` is read by tracing's EnvFilter, not by a call the scan sees.
    assert!(is_scrubbed(OsStr::new("RUST_LOG")));
    let missed: Vec<&String> = read
        .iter()
        // Read only by custom_id's unit-test properties, never by the binary.
        .filter(|v| *v != "PROPTEST_CASES")
        .filter(|v| !is_scrubbed(OsStr::new(v.as_str())))
        .collect();
    assert!(
        missed.is_empty(),
        "add these to support::run::SCRUBBED: {missed:?}"
    );
}
