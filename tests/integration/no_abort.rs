//! No path aborts the process (issue 22), each tried against the real binary: a log
//! stream that cannot be written, SIGTERM with a PostgreSQL store, a data folder Archie
//! cannot write, and a PostgreSQL server that refuses the connection.

use crate::support::postgres::cluster;
use crate::support::*;
use archie::store::Database;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// `/dev/full`, opened for writing: every write fails with ENOSPC, as on a full disk.
fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

/// `/ask` on `on` as a member of [`GUILD`]; the status and the answer's JSON text.
async fn ask(client: &reqwest::Client, on: &Served, n: u64, question: &str) -> (u16, String) {
    let body = by(
        command(n, "ask", json!([string_opt("question", question)])),
        &Who::member(GUILD),
    );
    post_signed_to(client, &on.url(), &body)
        .await
        .expect("the server answers")
}

async fn healthz(client: &reqwest::Client, on: &Served) -> serde_json::Value {
    client
        .get(format!("http://127.0.0.1:{}/healthz", on.port))
        .send()
        .await
        .expect("/healthz answers")
        .json()
        .await
        .expect("/healthz is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_stderr_is_dev_full_keeps_answering_and_counts_the_lines_it_dropped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Database::Sqlite(tmp.path().join("store/archie.db"));
    // The binary's default level (info for Archie): the start alone logs several lines.
    let mut server = Served::spawn_with(
        tmp.path(),
        &db,
        dev_full(),
        tmp.path().join("no-log: stderr is /dev/full"),
        |_| {},
    );
    let client = client();
    server.ready(&client).await;
    for n in 1..=3 {
        let (status, text) = ask(&client, &server, n, "what does Twitter use for backend").await;
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("Twitter"), "answer {n}: {text}");
    }
    let health = healthz(&client, &server).await;
    assert_eq!(health["ok"], true, "{health}");
    assert_eq!(health["handled"], 3, "{health}");
    let dropped = health["log_lines_dropped"].as_u64().unwrap_or(0);
    assert!(
        dropped >= 1,
        "the start's log lines are counted as dropped: {health}"
    );
    assert!(
        server.child.try_wait().expect("child state").is_none(),
        "the server is still running"
    );
    // Shutting down logs too ("shutting down", "stopped"): still a clean exit.
    let status = terminate(&mut server.child).await;
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn a_start_refused_while_stderr_is_dev_full_exits_2_instead_of_aborting() {
    // No DISCORD_PUBLIC_KEY: the start is refused with one `error:` line, which cannot be
    // written either.
    let out = archie()
        .fixture_knowledge()
        .args(["serve", "--http", "127.0.0.1:0"])
        .stderr(dev_full())
        .output()
        .expect("archie runs");
    assert_eq!(out.status.code(), Some(2), "{:?}", out.status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_postgresql_store_exits_0_in_10_of_10_runs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Database::Postgres(cluster().database("sigterm"));
    let client = client();
    let mut failed = Vec::new();
    for run in 1..=10u64 {
        let mut server = Served::spawn(tmp.path(), &format!("run{run}"), &db);
        server.ready(&client).await;
        // A request that reads the store (the question log), so pooled connections are in
        // use when the signal comes.
        let (status, text) = ask(&client, &server, run, "what does Twitter use for backend").await;
        assert_eq!(status, 200, "run {run}: {text}");
        let status = terminate(&mut server.child).await;
        if status.code() != Some(0) {
            failed.push(format!("run {run}: {status}\n{}", server.log_text()));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of 10 runs did not exit 0:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// Builds the fixture's index in `data` (a first run), so a later start finds an index to
/// open there, as a restarted bot does.
fn build_index_in(tmp: &Path, data: &Path) {
    let (code, _, err) = archie_in(tmp)
        .fixture_knowledge()
        .data(data)
        .args(["ask", "what does Twitter use for backend"])
        .run();
    assert_eq!(code, 0, "{err}");
    let index = std::fs::read_dir(data)
        .expect("the data folder")
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("index-v"));
    assert!(index, "the first run left an index in {}", data.display());
}

/// Whether this process can create a file in `dir` (a root process can, whatever the mode).
fn can_write_in(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let wrote = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    wrote
}

/// `archie serve --http` over the fixture in `tmp` with `data` as the data folder and the
/// SQLite store elsewhere (`tmp/store`), the public key set.
fn serve_with_data(tmp: &Path, data: &Path) -> Archie {
    let mut run = archie_in(tmp);
    run.fixture_knowledge()
        .data(data)
        .database(tmp.join("store/archie.db"))
        .env("DISCORD_PUBLIC_KEY", public_key_hex())
        .args(["serve", "--http", "127.0.0.1:0"]);
    run
}

/// `cmd` inside a mount namespace of its own in which `dir` is bind-mounted read-only:
/// a read-only file system for this one process, gone when it ends.
fn with_read_only(dir: &Path, cmd: &std::process::Command) -> std::process::Command {
    let mut wrapped = std::process::Command::new("unshare");
    wrapped
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(r#"mount --bind -o ro "$1" "$1" && shift && exec "$@""#)
        .arg("sh")
        .arg(dir)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdin(Stdio::null());
    for (name, value) in cmd.get_envs() {
        match value {
            Some(v) => wrapped.env(name, v),
            None => wrapped.env_remove(name),
        };
    }
    if let Some(d) = cmd.get_current_dir() {
        wrapped.current_dir(d);
    }
    wrapped
}

/// Whether this machine lets a process make a mount namespace with a read-only bind mount
/// of `dir` (root on Linux, where namespaces are allowed).
fn read_only_mounts_work(dir: &Path) -> bool {
    let probe = dir.join(".ro-probe");
    let mut touch = std::process::Command::new("touch");
    touch.arg(&probe);
    let refused = match with_read_only(dir, &touch).output() {
        Ok(o) => !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("Read-only"),
        Err(_) => false,
    };
    let _ = std::fs::remove_file(&probe);
    refused
}

/// Sets the mode of `dir` and of every folder below it.
fn set_folder_modes(dir: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            set_folder_modes(&e.path(), mode);
        }
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Every path under `dir`, sorted.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        out.push(e.path());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(listing(&e.path()));
        }
    }
    out.sort();
    out
}

/// A refused start: exit 2, `ARCHIE_DATA_DIR` and the fix named, and no false "rebuilding"
/// (nor "unreadable") line before it.
fn assert_refused_naming_the_variable(out: &std::process::Output, data: &Path) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains(&data.display().to_string()),
        "{err}"
    );
    assert!(
        last.contains("ARCHIE_DATA_DIR"),
        "the variable is named: {err}"
    );
    assert!(last.contains("writable"), "the fix is given: {err}");
    assert!(
        !err.contains("rebuilding") && !err.contains("unreadable"),
        "no false rebuilding before the refusal: {err}"
    );
}

#[test]
fn a_read_only_data_folder_refuses_the_start_naming_archie_data_dir_without_rebuilding_first() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    build_index_in(tmp.path(), &data);
    let before = listing(&data);
    let serve = serve_with_data(tmp.path(), &data);
    set_folder_modes(&data, 0o555);
    let out = if !can_write_in(&data) {
        // An ordinary user: the folders' modes make the data read-only.
        let out = serve_with_data(tmp.path(), &data).output();
        set_folder_modes(&data, 0o755);
        out
    } else {
        // Root (as in CI) writes whatever the modes say. The folder is bind-mounted
        // read-only for the one process instead: the fault's own read-only file system.
        set_folder_modes(&data, 0o755);
        if !read_only_mounts_work(&data) {
            // Root without mount namespaces: nothing makes the folder read-only here, so
            // the nearest unusable folder is checked instead, a data folder that is a file
            // (as the next test does everywhere).
            eprintln!("root without mount namespaces: a data folder that is a file instead");
            let file = tmp.path().join("data-is-a-file");
            std::fs::write(&file, b"").expect("a file");
            let out = serve_with_data(tmp.path(), &file).output();
            assert_refused_naming_the_variable(&out, &file);
            return;
        }
        with_read_only(&data, &serve).output().expect("archie runs")
    };
    assert_refused_naming_the_variable(&out, &data);
    assert_eq!(listing(&data), before, "nothing in the data folder changed");
}

#[test]
fn a_data_folder_that_is_a_file_refuses_the_start_naming_archie_data_dir() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file: PathBuf = tmp.path().join("data");
    std::fs::write(&file, b"not a folder").expect("a file");
    let out = serve_with_data(tmp.path(), &file).output();
    assert_refused_naming_the_variable(&out, &file);
}

/// `archie serve --http` with `ARCHIE_DATABASE=url` (holding the password `secret`): the
/// start is refused at once (not after the pool's retries), with PostgreSQL's own `words`,
/// the variable named and the password nowhere.
fn assert_refused_with(url: &str, secret: &str, words: &str) {
    let t = Instant::now();
    let (code, _, err) = archie()
        .fixture_knowledge()
        .database(url)
        .env("DISCORD_PUBLIC_KEY", public_key_hex())
        .args(["serve", "--http", "127.0.0.1:0"])
        .run();
    let took = t.elapsed();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(words), "PostgreSQL's words ({words}): {err}");
    assert!(err.contains("ARCHIE_DATABASE"), "{err}");
    assert!(!err.contains(secret), "the password is never shown: {err}");
    assert!(took < Duration::from_secs(5), "refused at once: {took:?}");
}

#[test]
fn a_wrong_postgresql_password_fails_the_start_with_postgresqls_words_and_no_password() {
    let pg = cluster();
    let db = pg.database("wrong_password");
    let name = db.rsplit('/').next().expect("a database name");
    let role = "archie_pw_check";
    pg.psql(
        "postgres",
        &format!(
            "CREATE ROLE {role} LOGIN PASSWORD 'right-horse-battery';\n\
             ALTER DATABASE \"{name}\" OWNER TO {role}"
        ),
    );
    // The test cluster trusts every local user: this role alone must give a password.
    let hba = pg.data_dir().join("pg_hba.conf");
    let rules = std::fs::read_to_string(&hba).expect("pg_hba.conf");
    std::fs::write(
        &hba,
        format!("host all {role} 127.0.0.1/32 scram-sha-256\n{rules}"),
    )
    .expect("pg_hba.conf written");
    let loaded = pg.psql("postgres", "SELECT pg_conf_load_time()");
    pg.psql("postgres", "SELECT pg_reload_conf()");
    // The postmaster reloads on its own time; each psql is a new backend, forked with the
    // postmaster's load time.
    let t = Instant::now();
    while pg.psql("postgres", "SELECT pg_conf_load_time()") == loaded {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "PostgreSQL reloaded pg_hba.conf"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let at = db.split_once('@').expect("user@host").1;
    let wrong = "wrong-staple-9f3k";
    assert_refused_with(
        &format!("postgres://{role}:{wrong}@{at}"),
        wrong,
        &format!("password authentication failed for user \"{role}\""),
    );
    // The right password is let in: the refusal was the password's.
    let (code, _, err) = archie()
        .fixture_knowledge()
        .database(format!("postgres://{role}:right-horse-battery@{at}"))
        .args(["kb", "export", "--guild", GUILD])
        .run();
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_missing_postgresql_database_fails_the_start_with_postgresqls_words_and_no_password() {
    let pg = cluster();
    let secret = "never-shown-7q2";
    let url = format!(
        "postgres://postgres:{secret}@127.0.0.1:{}/archie_no_such_database",
        pg.port()
    );
    assert_refused_with(
        &url,
        secret,
        "database \"archie_no_such_database\" does not exist",
    );
}
