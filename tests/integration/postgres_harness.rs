//! The throwaway PostgreSQL of `support::postgres`: it answers, gives each test its own
//! database, listens on 127.0.0.1 only, never runs as root, keeps `fsync` on, and is gone
//! once the test process is (the child here is SIGKILLed: no destructor, no exit handler).

use crate::support::postgres::cluster;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "ARCHIE_PG_HARNESS_CHILD";

#[test]
fn select_1_answers_in_the_default_database_and_a_new_one() {
    let pg = cluster();
    assert_eq!(pg.psql("postgres", "SELECT 1"), "1\n");
    assert_eq!(pg.psql(&pg.url(), "SELECT 1, 'two'"), "1|two\n");
    let url = pg.database("select one");
    assert_eq!(pg.psql(&url, "SELECT 1"), "1\n");
    assert_eq!(
        pg.psql(&url, "SELECT current_database(), current_user"),
        format!("{}|postgres\n", url.rsplit('/').next().unwrap())
    );
    assert_eq!(
        url,
        format!("postgres://postgres@127.0.0.1:{}/select_one_", pg.port())
            + url.rsplit('_').next().unwrap()
    );
    assert!(std::ptr::eq(pg, cluster()), "one cluster per test process");
}

#[test]
fn two_databases_are_distinct() {
    let pg = cluster();
    let a = pg.database("distinct");
    let b = pg.database("distinct");
    assert_ne!(a, b);
    pg.psql(
        &a,
        "CREATE TABLE t (id int PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'only in a');",
    );
    assert_eq!(pg.psql(&a, "SELECT v FROM t"), "only in a\n");
    assert_eq!(
        pg.psql(&b, "SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
        "0\n"
    );
    let listed = pg.psql(
        "postgres",
        "SELECT datname FROM pg_database ORDER BY datname",
    );
    for url in [&a, &b] {
        let name = url.rsplit('/').next().unwrap();
        assert!(listed.lines().any(|l| l == name), "{name} in {listed}");
    }
}

#[test]
fn a_failing_statement_panics_with_postgres_message() {
    let pg = cluster();
    let url = pg.database("failing");
    let err = std::panic::catch_unwind(|| pg.psql(&url, "SELECT * FROM no_such_table"))
        .expect_err("an error fails the call");
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("no_such_table"), "{msg}");
}

#[test]
fn the_server_listens_on_127_0_0_1_only() {
    let pg = cluster();
    assert_eq!(pg.psql("postgres", "SHOW listen_addresses"), "127.0.0.1\n");
    let reach = |ip: &str| {
        let addr: SocketAddr = format!("{ip}:{}", pg.port()).parse().unwrap();
        TcpStream::connect_timeout(&addr, Duration::from_secs(2))
    };
    reach("127.0.0.1").expect("the server is on 127.0.0.1");
    // A server on 0.0.0.0 or :: would take these too (127.0.0.2 is loopback on Linux).
    assert!(
        reach("127.0.0.2").is_err(),
        "the server answers on 127.0.0.2"
    );
    assert!(reach("[::1]").is_err(), "the server answers on ::1");
    assert_eq!(
        pg.psql("postgres", "SHOW unix_socket_directories"),
        format!("{}\n", pg.socket_dir().display())
    );
}

#[test]
fn the_cluster_runs_with_fsync_on_and_small_settings() {
    let pg = cluster();
    let show = |name: &str| pg.psql("postgres", &format!("SHOW {name}"));
    assert_eq!(show("fsync"), "on\n");
    assert_eq!(show("synchronous_commit"), "on\n");
    assert_eq!(show("shared_buffers"), "16MB\n");
    assert_eq!(show("max_connections"), "100\n");
    assert_eq!(show("server_encoding"), "UTF8\n");
    assert_eq!(
        show("data_directory"),
        format!("{}\n", pg.data_dir().display())
    );
}

#[test]
fn the_data_folder_is_not_root_s_when_the_test_runs_as_root() {
    use std::os::unix::fs::MetadataExt;
    let pg = cluster();
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    let owner = std::fs::metadata(pg.data_dir()).unwrap().uid();
    if me == 0 {
        assert_ne!(owner, 0, "PostgreSQL refuses to run as root");
    } else {
        assert_eq!(owner, me);
    }
    // The server is whoever owns the data folder, and never a superuser of the machine:
    // the postmaster, whose pid opens `postmaster.pid` (a backend's pid would be gone
    // once psql disconnects).
    let pidfile = std::fs::read_to_string(pg.data_dir().join("postmaster.pid")).unwrap();
    let pid = pidfile.lines().next().unwrap().trim();
    let server = std::fs::metadata(format!("/proc/{pid}")).unwrap();
    assert_eq!(server.uid(), owner);
}

/// The child of the test below: starts a cluster, says where, and waits to be killed. A
/// no-op unless re-executed by that test.
#[test]
fn killed_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let pg = cluster();
    println!("CLUSTER {} {}", pg.port(), pg.socket_dir().display());
    std::thread::sleep(Duration::from_secs(600));
}

#[test]
fn the_cluster_is_stopped_and_removed_when_its_process_is_killed() {
    let mut child = crate::support::scrubbed(std::env::current_exe().unwrap())
        .args(["--exact", "postgres_harness::killed_child", "--nocapture"])
        .env(CHILD_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut found = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        // libtest may print `test killed_child ... ` on the same line first.
        if let Some((_, rest)) = line.split_once("CLUSTER ") {
            let (port, dir) = rest.split_once(' ').unwrap();
            found = Some((port.parse::<u16>().unwrap(), PathBuf::from(dir)));
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let (port, dir) = found.expect("the child started a cluster");
    assert!(dir.join("data").is_dir());
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();

    let start = Instant::now();
    while dir.exists() || TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{} still there or port {port} still answering a minute after the abort",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
