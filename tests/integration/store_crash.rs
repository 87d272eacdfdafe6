//! Durability under a crash: a child process adds entries from several threads and prints
//! `ACK <id>` after each `add` returns; the test SIGKILLs it mid-burst, reopens the store
//! and checks that every acknowledged entry is there with its revision, and that the file
//! passes SQLite's integrity check.
//!
//! The child is this test binary re-executed with `ARCHIE_CRASH_CHILD` set, running only
//! `crash_writer_child`.

use archie::knowledge::Kind;
use archie::store::{Actor, Draft, State, Store};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "ARCHIE_CRASH_CHILD";
const GUILD: u64 = 987_654_321_012_345_678;
const WRITER_THREADS: u64 = 4;
/// Per thread: enough that the burst is still running when the parent kills it.
const ADDS_PER_THREAD: u64 = 100_000;
const ACKS_BEFORE_KILL: usize = 50;
const DEADLINE: Duration = Duration::from_secs(120);

fn draft(thread: u64, n: u64) -> Draft {
    Draft {
        kind: Kind::Note,
        title: format!("Crash entry {thread} {n}"),
        text: format!("Written by thread {thread}, number {n}, before the power went out."),
        company: None,
        technologies: vec![],
        sources: vec![format!("https://example.com/crash/{thread}/{n}")],
    }
}

/// The writer: a no-op unless re-executed by the crash test.
#[test]
fn crash_writer_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let store = Store::open(Path::new(&path)).unwrap();
    let out = std::io::stdout();
    std::thread::scope(|s| {
        for t in 0..WRITER_THREADS {
            let (store, out) = (&store, &out);
            s.spawn(move || {
                let who = Actor::new(t, format!("writer-{t}"));
                for n in 0..ADDS_PER_THREAD {
                    let e = store.add(GUILD, &who, &draft(t, n)).unwrap();
                    let mut lock = out.lock();
                    writeln!(lock, "ACK {}", e.id).unwrap();
                    lock.flush().unwrap();
                }
            });
        }
    });
}

#[test]
fn every_acknowledged_add_survives_a_sigkill_mid_burst() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut child = crate::support::scrubbed(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store_crash::crash_writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();

    // Read whole lines on a thread so the wait below can time out.
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        while r.read_line(&mut line).is_ok_and(|n| n > 0) {
            // A line cut by the kill has no newline: it was not acknowledged.
            // libtest may print `test crash_writer_child ... ` before the first ack.
            let ack = line.strip_suffix('\n').and_then(|l| l.split_once("ACK "));
            if let Some((_, id)) = ack {
                if tx.send(id.to_string()).is_err() {
                    break;
                }
            }
            line.clear();
        }
    });

    let start = Instant::now();
    let mut acked: Vec<String> = Vec::new();
    while acked.len() < ACKS_BEFORE_KILL {
        let left = DEADLINE.saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok(id) => acked.push(id),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the writer gave {} acks before {e:?}", acked.len());
            }
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no flush, no checkpoint.
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the writer was killed mid-burst, not finished"
    );
    // Every line the child wrote before dying is in the pipe; the reader ends at EOF.
    reader.join().unwrap();
    acked.extend(rx.try_iter());
    assert!(acked.len() >= ACKS_BEFORE_KILL);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    for id in &acked {
        let e = store
            .get(GUILD, id)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged {id} is lost"));
        assert_eq!(e.state, State::Live);
        assert_eq!(store.revision_count(GUILD, Some(id)).unwrap(), 1, "{id}");
    }
    let live = store.live(GUILD).unwrap().len();
    eprintln!("{} acknowledged, {live} stored", acked.len());
    assert!(live >= acked.len(), "{live} rows, {} acks", acked.len());
    assert!(
        (live as u64) < WRITER_THREADS * ADDS_PER_THREAD,
        "killed before the burst ended"
    );
    // The store still takes writes after the crash.
    store
        .add(GUILD, &Actor::new(1, "after"), &draft(99, 0))
        .unwrap();
}
