//! The real `archie serve --http` as a child process, for tests that kill, restart or
//! run several of them: spawned over the fixture knowledge with its store given, its log
//! appended to a file, and a wait until `/healthz` answers.

use super::{archie_in, public_key_hex};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Child;

/// How long a process may take to answer `/healthz` (a loaded machine builds the index).
pub const START: Duration = Duration::from_secs(90);

/// The `ARCHIE_DATABASE` value of a store.
pub fn database_env(db: &archie::store::Database) -> OsString {
    match db {
        archie::store::Database::Sqlite(p) => p.clone().into_os_string(),
        archie::store::Database::Postgres(url) => url.into(),
    }
}

/// A served process: its port and its log.
pub struct Served {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Served {
    /// `archie serve --http` on a free port, run in `dir` (data in `dir/data`), with the
    /// store `db`, its log appended to `dir/<name>.log`. Fair-use limits are off: these
    /// tests send bursts far over them (tests/integration/http/fair_use.rs covers them).
    pub fn spawn(dir: &Path, name: &str, db: &archie::store::Database) -> Served {
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        Served::spawn_with(dir, db, Stdio::from(file), log, |c| {
            c.env("RUST_LOG", "warn");
        })
    }

    /// Like [`Served::spawn`], logging at the binary's own default level to `stderr`, with
    /// `configure` applied last; `log` is the file `stderr` writes, read by
    /// [`Served::log_text`] (a path that does not exist when it writes none).
    pub fn spawn_with(
        dir: &Path,
        db: &archie::store::Database,
        stderr: Stdio,
        log: PathBuf,
        configure: impl FnOnce(&mut super::Archie),
    ) -> Served {
        let port = super::free_port();
        let mut c = archie_in(dir);
        c.fixture_knowledge()
            .database(database_env(db))
            .args(["serve", "--http", &format!("127.0.0.1:{port}")])
            .env("DISCORD_PUBLIC_KEY", public_key_hex())
            .env("ARCHIE_KB_COOLDOWN", "off")
            .env("ARCHIE_ASK_COOLDOWN", "off")
            .env("ARCHIE_REPEAT_WINDOW", "off");
        configure(&mut c);
        c.stdout(Stdio::null()).stderr(stderr);
        let child = c.into_tokio().spawn().expect("archie starts");
        Served { child, port, log }
    }

    /// The interactions endpoint.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/interactions", self.port)
    }

    /// Waits until `/healthz` answers; panics with the log after [`START`].
    pub async fn ready(&self, client: &reqwest::Client) {
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        let deadline = tokio::time::Instant::now() + START;
        while tokio::time::Instant::now() < deadline {
            if let Ok(r) = client.get(&url).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "archie did not start within {START:?}:\n{}",
            self.log_text()
        );
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Sends SIGTERM and expects the process to stop within 10 s; its exit status.
pub async fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill -TERM");
    assert!(sent.success());
    match tokio::time::timeout(Duration::from_secs(10), child.wait()).await {
        Ok(status) => status.expect("exit status"),
        Err(_) => {
            let _ = child.kill().await;
            panic!("archie did not stop within 10 s of SIGTERM");
        }
    }
}
