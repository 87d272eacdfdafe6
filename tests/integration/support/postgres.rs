//! A throwaway PostgreSQL server for the tests that need a real one: one cluster per test
//! process ([`cluster`]), started on first use in a fresh temporary folder, listening on
//! 127.0.0.1 only (a free port) and on a unix socket inside that folder, with `fsync` on and
//! small resource settings. Each test takes its own database ([`Cluster::database`]).
//!
//! The binaries are found in `pg_config --bindir`, else the newest
//! `/usr/lib/postgresql/*/bin`, else the `initdb` and `pg_ctl` on `PATH`; where none is
//! found the test fails naming the Debian package (`apt-get install postgresql`), as
//! `.ci/run` installs it. PostgreSQL refuses to run as root: a root test process runs
//! `initdb` and `pg_ctl` as the `postgres` system user (the Debian package creates it).
//!
//! Statics are never dropped, so a small detached watchdog (`sh`, in its own process
//! group) waits for the test process to end, however it ends (success, panic, abort, a
//! signal), then stops the server (`pg_ctl stop -m immediate`) and removes the folder.
//! Every `PG*` variable of the developer's shell is removed from the children.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The running server: see the module's documentation.
pub struct Cluster {
    bin: Binaries,
    /// The temporary folder: `data/` (the cluster), `log` (the server's log) and the unix
    /// socket; removed by the watchdog.
    dir: PathBuf,
    port: u16,
}

/// The cluster of this test process, started on first use. A failed start fails every
/// test that asks, with the same message, without trying again.
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    match CLUSTER.get_or_init(Cluster::start) {
        Ok(c) => c,
        Err(e) => panic!("the test PostgreSQL did not start: {e}"),
    }
}

impl Cluster {
    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of the `postgres` database (user `postgres`, no password).
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    /// The cluster's data folder (`PGDATA`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The folder holding the server's unix socket (`.s.PGSQL.<port>`).
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// A new, empty database named after `name_hint` (lower-cased, other characters than
    /// `[a-z0-9_]` replaced by `_`) and a number unique in this process; its URL.
    pub fn database(&self, name_hint: &str) -> String {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let mut hint: String = name_hint
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9' | '_') => c,
                _ => '_',
            })
            .take(40)
            .collect();
        if !hint.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
            hint.insert(0, 'd');
        }
        let name = format!("{hint}_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""));
        self.url_of(&name)
    }

    /// Runs `sql` (a script: one or more statements, each on its own) in `db`, a database
    /// name or a URL from [`Cluster::database`], with the cluster's `psql`: unaligned,
    /// tuples only (`-A -t`, fields joined by `|`, one row a line), no command tags, no
    /// `.psqlrc`. Returns stdout; panics with psql's stderr on the first error.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let mut cmd = clean(&self.bin.psql);
        cmd.args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"]);
        if db.contains("://") || db.contains('=') {
            cmd.arg("-d").arg(db);
        } else {
            cmd.args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .arg("-d")
            .arg(db);
        }
        cmd.args(["-f", "-"]).stdin(Stdio::piped());
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", self.bin.psql.display()));
        // Written from a thread: psql may fill its stdout before it has read all the SQL.
        // A write error is psql having stopped early, which its status and stderr tell.
        let mut stdin = child.stdin.take().expect("psql's stdin");
        let script = sql.to_owned();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(script.as_bytes());
        });
        let out = child.wait_with_output().expect("psql ran");
        writer.join().expect("the SQL writer");
        if !out.status.success() {
            panic!(
                "psql in {db} failed ({}): {}\nSQL: {sql}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        String::from_utf8(out.stdout).expect("psql prints UTF-8")
    }

    /// A cluster of the caller's own, for a test that stops or freezes its server (the
    /// shared [`cluster`] serves other tests meanwhile). Removed when the process ends.
    pub fn own() -> Cluster {
        Cluster::start().unwrap_or_else(|e| panic!("a test PostgreSQL did not start: {e}"))
    }

    /// Stops the server (`pg_ctl stop -m fast`: connections are closed).
    pub fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "fast", "-w"]);
    }

    /// Starts the stopped server again on the same port.
    pub fn start_again(&self) {
        let log = self.dir.join("log");
        let mut c = as_user(is_root().then_some("postgres"), &self.bin.pg_ctl);
        c.args(["start", "-w", "-t", "60", "-D"])
            .arg(self.data_dir())
            .arg("-l")
            .arg(&log)
            .current_dir(&self.dir);
        run(&mut c).unwrap_or_else(|e| panic!("pg_ctl start: {e}"));
    }

    /// Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the server and every process of it: it
    /// keeps its connections and answers nothing, like a machine that hangs.
    pub fn freeze(&self, frozen: bool) {
        let pid = std::fs::read_to_string(self.data_dir().join("postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<u32>().ok()))
            .expect("the postmaster's pid");
        let signal = if frozen { "-STOP" } else { "-CONT" };
        let send = |pids: &[u32]| {
            if pids.is_empty() {
                return;
            }
            let mut kill = Command::new("kill");
            kill.arg(signal).args(pids.iter().map(u32::to_string));
            run(&mut kill).unwrap_or_else(|e| panic!("kill {signal}: {e}"));
        };
        if frozen {
            // The postmaster first, so that it forks no new backend while its children
            // are found; then the children, twice, for one forked just before it stopped
            // (a connection opened then would otherwise be served right through the freeze).
            send(&[pid]);
            for _ in 0..2 {
                send(&children(pid));
            }
        } else {
            send(&children(pid));
            send(&[pid]);
        }
    }

    fn pg_ctl(&self, args: &[&str]) {
        let mut c = as_user(is_root().then_some("postgres"), &self.bin.pg_ctl);
        c.args(args)
            .arg("-D")
            .arg(self.data_dir())
            .current_dir(&self.dir);
        run(&mut c).unwrap_or_else(|e| panic!("pg_ctl {args:?}: {e}"));
    }

    fn url_of(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn start() -> Result<Cluster, String> {
        let bin = Binaries::find()?;
        let run_as = is_root().then_some("postgres");
        let dir = tempfile::Builder::new()
            .prefix("archie-pg-")
            .tempdir()
            .map_err(|e| format!("a temporary folder: {e}"))?
            .keep();
        // From here on the watchdog owns the folder: whatever fails below, it is removed
        // when the test process ends (and a server started, stopped).
        watchdog(&bin, &dir, run_as)?;
        if let Some(user) = run_as {
            run(Command::new("chown").arg(format!("{user}:")).arg(&dir))?;
        }
        let data = dir.join("data");
        run(as_user(run_as, &bin.initdb)
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
            // Skips only initdb's final flush of the new files to disk, which matters
            // for a machine crash; the server itself runs with fsync on.
            .arg("--no-sync")
            .arg("-D")
            .arg(&data)
            .current_dir(&dir))
        .map_err(|e| match run_as {
            Some(user) => format!(
                "{e}\n(as root, initdb runs as `{user}`, which must be able to reach {}: \
                 point TMPDIR at a folder it can enter)",
                dir.display()
            ),
            None => e,
        })?;
        let conf = data.join("postgresql.conf");
        append(
            &conf,
            &format!(
                "\n# tests/integration/support/postgres.rs\n\
                 listen_addresses = '127.0.0.1'\n\
                 unix_socket_directories = '{}'\n\
                 fsync = on\n\
                 synchronous_commit = on\n\
                 full_page_writes = on\n\
                 shared_buffers = 16MB\n\
                 max_connections = 100\n\
                 max_worker_processes = 4\n\
                 max_parallel_workers = 2\n\
                 huge_pages = off\n\
                 log_min_messages = warning\n",
                dir.display().to_string().replace('\'', "''")
            ),
        )?;
        // The free port is only free when asked: another process (another test run) may
        // take it before the server binds it, so a start that could not bind tries again.
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            append(&conf, &format!("port = {port}\n"))?;
            let log = dir.join("log");
            let started = run(as_user(run_as, &bin.pg_ctl)
                .args(["start", "-w", "-t", "120", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .current_dir(&dir));
            match started {
                Ok(_) => return Ok(Cluster { bin, dir, port }),
                Err(e) => {
                    let log = std::fs::read_to_string(&log).unwrap_or_default();
                    last = format!("{e}\nserver log:\n{log}");
                    if !log.contains("could not bind") {
                        break;
                    }
                }
            }
        }
        Err(last)
    }
}

/// Where `initdb`, `pg_ctl` and `psql` are.
struct Binaries {
    initdb: PathBuf,
    pg_ctl: PathBuf,
    psql: PathBuf,
}

impl Binaries {
    fn find() -> Result<Binaries, String> {
        let mut dirs = Vec::new();
        if let Ok(out) = clean("pg_config").arg("--bindir").output() {
            if out.status.success() {
                dirs.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
            }
        }
        let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                let version = name
                    .split('.')
                    .map(|p| p.parse().ok())
                    .collect::<Option<_>>()?;
                Some((version, e.path().join("bin")))
            })
            .collect();
        versions.sort();
        dirs.extend(versions.into_iter().rev().map(|(_, dir)| dir));
        // The ones on PATH, symbolic links resolved to the folder that holds the rest.
        if let (Some(initdb), Some(_)) = (on_path("initdb"), on_path("pg_ctl")) {
            if let Some(dir) = initdb
                .canonicalize()
                .ok()
                .and_then(|p| Some(p.parent()?.into()))
            {
                dirs.push(dir);
            }
        }
        let dir = dirs
            .into_iter()
            .find(|d| {
                ["initdb", "pg_ctl", "postgres"]
                    .iter()
                    .all(|b| d.join(b).is_file())
            })
            .ok_or(
                "no PostgreSQL server binaries (initdb, pg_ctl, postgres) in `pg_config \
                 --bindir`, /usr/lib/postgresql/*/bin or on PATH: install them with \
                 `apt-get install postgresql` (Debian's package; .ci/run does)",
            )?;
        let psql = match dir.join("psql") {
            p if p.is_file() => p,
            _ => on_path("psql").ok_or(format!(
                "no psql in {} or on PATH: install it with `apt-get install postgresql`",
                dir.display()
            ))?,
        };
        Ok(Binaries {
            initdb: dir.join("initdb"),
            pg_ctl: dir.join("pg_ctl"),
            psql,
        })
    }
}

/// Starts the watchdog: a `sh` outside this process's group (a Ctrl-C or a group kill
/// of the test run does not reach it, nor the server, which `pg_ctl` puts in a session
/// of its own) that polls this process every half second, then stops the server and
/// removes `dir`. The `sh` forks the loop and exits at once, so nothing is left to reap.
fn watchdog(bin: &Binaries, dir: &Path, run_as: Option<&str>) -> Result<(), String> {
    let script = r#"
        pid=$1 dir=$2 pg_ctl=$3 user=$4
        (
            while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
            if [ -f "$dir/data/postmaster.pid" ]; then
                if [ -n "$user" ]; then
                    runuser -u "$user" -- "$pg_ctl" stop -D "$dir/data" -m immediate
                else
                    "$pg_ctl" stop -D "$dir/data" -m immediate
                fi
            fi
            rm -rf "$dir"
        ) </dev/null >/dev/null 2>&1 &
    "#;
    let status = clean("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .arg(std::process::id().to_string())
        .arg(dir)
        .arg(&bin.pg_ctl)
        .arg(run_as.unwrap_or(""))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .status()
        .map_err(|e| format!("the watchdog (sh): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the watchdog (sh) failed: {status}"))
    }
}

/// `program` with no stdin and no `PG*` variable from the developer's shell.
fn clean(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PG") {
            c.env_remove(name);
        }
    }
    c.stdin(Stdio::null());
    c
}

/// `program` as `user` (through `runuser`), or as this process when `None`.
fn as_user(user: Option<&str>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut c = clean("runuser");
            c.args(["-u", user, "--"]).arg(program);
            c
        }
        None => clean(program),
    }
}

/// Runs `cmd` to completion; its output, or an error quoting it.
fn run(cmd: &mut Command) -> Result<Output, String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| format!("{shown}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn append(file: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(file)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{}: {e}", file.display()))
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("a free port on 127.0.0.1: {e}"))
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Whether this process runs as root: std has no `geteuid`, but `/proc/self` belongs to
/// the process's effective user (`id -u` where there is no `/proc`).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata("/proc/self") {
        Ok(m) => m.uid() == 0,
        Err(_) => Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0"),
    }
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // pid (comm) state ppid …: the parent is the second field after the comm.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            if let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() {
                out.push(child);
            }
        }
    }
    out
}
