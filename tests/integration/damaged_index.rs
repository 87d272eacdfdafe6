//! Damaged index files: each one garbled in place (same size, a run of bytes in the middle
//! overwritten) is found, logged with its folder and rebuilt, at the next start or by the
//! first read that fails while serving; meanwhile search answers from what is intact, and
//! afterwards it answers as an undamaged index does. A moderator is never told an entry
//! is searchable when it is not.

use archie::app::App;
use archie::commands::{execute, Command, KbCommand};
use archie::knowledge::Knowledge;
use archie::search::Engine;
use archie::store::validate::RawDraft;
use archie::store::Store;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::support::{member_of as member, moderator_of as moderator};

const A: u64 = 5_001;
const B: u64 = 5_002;

/// Overwrites a run of bytes in the middle of `path` with other bytes (each one's
/// complement), in place: same size, same inode, as a bad disk or a stray write would.
fn garble(path: &Path) {
    let len = std::fs::metadata(path).unwrap().len() as usize;
    assert!(len > 64, "{} is too small to garble", path.display());
    let run = (len / 4).min(4096);
    let at = len / 2 - run / 2;
    let mut bytes = std::fs::read(path).unwrap();
    let garbled: Vec<u8> = bytes[at..at + run].iter().map(|b| !b).collect();
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(at as u64)).unwrap();
    f.write_all(&garbled).unwrap();
    f.sync_all().unwrap();
    bytes[at..at + run].copy_from_slice(&garbled);
    assert_eq!(std::fs::read(path).unwrap(), bytes);
}

/// The largest file in `dir` whose name ends with `ext` (the index's main segment).
fn largest(dir: &Path, ext: &str) -> PathBuf {
    largest_named(dir, "", ext)
}

/// The largest file in `dir` whose name starts with `prefix` and ends with `ext`.
fn largest_named(dir: &Path, prefix: &str, ext: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(ext)
        })
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .unwrap_or_else(|| panic!("no *{ext} file in {}", dir.display()))
}

/// What the log said while `f` ran on this thread.
fn logged<R>(f: impl FnOnce() -> R) -> (R, String) {
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let r = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8_lossy(&sink.0.lock().unwrap()).into_owned();
    (r, text)
}

/// The questions of the graded set (`tests/eval/questions.jsonl`).
fn eval_questions() -> Vec<String> {
    questions(&crate::support::repo_path("tests/eval/questions.jsonl"))
}

fn questions(path: &Path) -> Vec<String> {
    let qs: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["q"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(qs.len() > 30, "{}: {} questions", path.display(), qs.len());
    qs
}

/// Each question's result ids, best first.
fn answers(e: &Engine, qs: &[String]) -> Vec<Vec<String>> {
    qs.iter()
        .map(|q| {
            e.ask(q, 5)
                .unwrap()
                .results
                .into_iter()
                .map(|r| r.id)
                .collect()
        })
        .collect()
}

/// Asserts two answer lists match question by question, naming the first that differs.
fn assert_same(qs: &[String], got: &[Vec<String>], want: &[Vec<String>]) {
    for ((q, g), w) in qs.iter().zip(got).zip(want) {
        assert_eq!(g, w, "answers to {q:?} differ from an undamaged index's");
    }
    assert!(
        want.iter().filter(|a| !a.is_empty()).count() * 2 > want.len(),
        "most questions have answers, or the comparison says little"
    );
}

/// Asserts a failed read marked `what` damaged: logged once, naming its folder, which
/// holds the marker that makes the next start rebuild it.
fn assert_reported(what: &str, damage: Option<String>, log: &str, folder: &Path) {
    let damage = damage.unwrap_or_else(|| panic!("a failed read marked {what} damaged: {log}"));
    let said = format!("{what} is damaged");
    assert_eq!(log.matches(&said).count(), 1, "logged once: {log}");
    let named = log.contains(&folder.display().to_string());
    assert!(named, "with its folder: {log}");
    assert!(folder.join("DAMAGED").is_file(), "{damage}");
}

fn shipped() -> Knowledge {
    Knowledge::load(&crate::support::shipped_dir()).unwrap()
}

/// The base index folder under `data`.
fn base_dir(data: &Path) -> PathBuf {
    std::fs::read_dir(data)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("index-v"))
        })
        .expect("a base index folder")
}

#[test]
fn a_garbled_base_term_file_is_found_at_the_next_start_and_rebuilt_with_the_same_answers() {
    let data = tempfile::tempdir().unwrap();
    let qs = eval_questions();
    let want = answers(&Engine::new(shipped(), Some(data.path())).unwrap(), &qs);
    let term = largest(&base_dir(data.path()), ".term");
    garble(&term);
    let (again, log) = logged(|| Engine::new(shipped(), Some(data.path())).unwrap());
    assert!(again.index_was_built(), "the damaged index was rebuilt");
    assert!(log.contains("index damaged"), "{log}");
    let name = term.file_name().unwrap().to_string_lossy().into_owned();
    assert!(log.contains(&name), "the log names the garbled file: {log}");
    assert_same(&qs, &answers(&again, &qs), &want);
    assert_eq!(again.index_damage(), None);
}

#[test]
fn a_base_index_garbled_while_serving_is_found_by_the_first_failing_read_and_rebuilt() {
    let data = tempfile::tempdir().unwrap();
    let qs = eval_questions();
    let app = App::from_engine(Engine::new(shipped(), Some(data.path())).unwrap());
    let engine = &app.engine;
    let want = answers(engine, &qs);
    let dir = base_dir(data.path());
    archie::metrics::install().expect("the recorder");
    let state = |s: &str| {
        let m = crate::operations::parse(&archie::metrics::render(&app));
        crate::operations::value(&m, "archie_index_state", &[("state", s)])
    };
    assert_eq!(state("built"), 1.0);
    // The running engine reads the file through its memory map: it sees the garbling.
    garble(&largest(&dir, ".term"));
    let (meanwhile, log) = logged(|| {
        qs.iter()
            .map(|q| engine.ask(q, 5).map(|a| a.results.len()))
            .collect::<Vec<_>>()
    });
    assert!(
        meanwhile.iter().all(|r| r.is_ok()),
        "no question fails while the index is damaged: {meanwhile:?}"
    );
    assert!(
        meanwhile
            .iter()
            .filter(|r| matches!(r, Ok(n) if *n > 0))
            .count()
            > qs.len() / 3,
        "names, meaning and concepts still answer: {meanwhile:?}"
    );
    let damage = engine.index_damage();
    assert_reported("the index", damage, &log, &dir);
    assert_eq!(state("damaged"), 1.0, "/metrics says the index is damaged");
    // The serving process's follower calls sync, which rebuilds the index first.
    let (repaired, log) = logged(|| engine.repair().unwrap());
    assert!(repaired);
    assert!(log.contains("the index is rebuilt"), "{log}");
    assert_eq!(engine.index_damage(), None);
    assert_eq!((state("damaged"), state("built")), (0.0, 1.0));
    assert!(!base_dir(data.path()).join("DAMAGED").exists());
    assert_same(&qs, &answers(engine, &qs), &want);
    // And a restart finds a sound index.
    let again = Engine::new(shipped(), Some(data.path())).unwrap();
    assert!(!again.index_was_built());
}

#[test]
fn a_garbled_vectors_file_is_found_at_the_next_start_and_recomputed_with_the_same_answers() {
    let undamaged = crate::answers::hybrid();
    let shared = undamaged.index().dir.clone().expect("a persisted index");
    let data = tempfile::tempdir().unwrap();
    let copy = data.path().join(shared.file_name().unwrap());
    std::fs::create_dir_all(&copy).unwrap();
    for f in std::fs::read_dir(&shared).unwrap().flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), copy.join(f.file_name())).unwrap();
        }
    }
    // The entries' vectors (the glossary's are stored beside them, as `concepts-*.bin`).
    let vectors = largest_named(&copy, "vectors-", ".bin");
    garble(&vectors);
    let concepts = std::fs::read_dir(&copy)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("concepts-")
        })
        .expect("a concept vectors file");
    garble(&concepts);
    let encoder = archie::search::semantic::Encoder::load(&archie::search::semantic::model_dir(
        &crate::support::shipped_dir(),
    ))
    .unwrap();
    let (again, log) =
        logged(|| Engine::with_encoder(shipped(), Some(data.path()), Some(encoder)).unwrap());
    assert!(
        !again.index_was_built(),
        "the tantivy index itself was sound"
    );
    assert!(log.contains("entry vectors damaged"), "{log}");
    assert!(log.contains("concept vectors damaged"), "{log}");
    assert!(log.contains(&vectors.display().to_string()), "{log}");
    let qs = eval_questions();
    assert_same(&qs, &answers(&again, &qs), &answers(undamaged, &qs));
    assert!(
        archie::search::vectors::Vectors::read(&vectors, again.knowledge().entries.len()).is_ok(),
        "the recomputed vectors were stored again"
    );
}

/// A serving process's app: the fixture knowledge, indexes in `data`, the store `db`.
fn app(data: &Path, db: &Path) -> App {
    let mut app = App::from_engine(
        archie::search::Engine::new(crate::support::fixture_knowledge(), Some(data)).unwrap(),
    );
    app.attach_store(
        Store::open(db).unwrap(),
        archie::search::community::Views::Index,
    );
    app
}

fn note(app: &App, guild: u64, title: &str, text: &str) -> archie::reply::Reply {
    let source = format!("https://example.org/{}", title.replace(' ', "-"));
    execute(
        app,
        &moderator(guild),
        &Command::Kb(KbCommand::Submit {
            id: None,
            draft: RawDraft::from_fields("note", title, text, "", "", &source),
        }),
    )
}

/// Entries of two guilds, and the questions asked in each.
const NOTES: &[(u64, &str, &str)] = &[
    (A, "How Acme shards its ledger", "Acme splits the ledger by account across forty Postgres shards and moves hot accounts with a rebalancer."),
    (A, "Acme payroll runs nightly", "Acme batches payroll in a nightly Kafka job that posts to the ledger shards."),
    (A, "Acme caches sessions in Redis", "Sessions live in a Redis cluster with a one hour expiry; the login service refreshes them."),
    (A, "Acme search runs on Elasticsearch", "Product search is an Elasticsearch cluster fed from the catalogue by change data capture."),
    (B, "Globex renders maps at the edge", "Globex renders map tiles in edge workers and keeps them in a CDN cache for a day."),
    (B, "Globex queues orders in RabbitMQ", "Orders go through RabbitMQ queues with one consumer group per warehouse."),
];

const OWN_QUESTIONS: &[&str] = &[
    "how does acme shard its ledger",
    "acme nightly payroll kafka",
    "does acme cache sessions in redis",
    "acme product search on elasticsearch",
    "how does globex render map tiles at the edge",
    "how does globex queue its orders",
];

/// What `/ask` answers in each guild: the own questions and the fixture's questions.
fn community_answers(app: &App) -> Vec<Vec<String>> {
    let mut qs: Vec<String> = OWN_QUESTIONS.iter().map(|q| q.to_string()).collect();
    qs.extend(questions(&crate::support::repo_path(
        "tests/fixtures/questions-dev.jsonl",
    )));
    [A, B]
        .iter()
        .flat_map(|&g| {
            qs.iter()
                .map(move |q| crate::support::ask_ids(app, &member(g), q))
        })
        .collect()
}

/// The questions [`community_answers`] asks, in its order.
fn community_questions() -> Vec<String> {
    let mut qs: Vec<String> = OWN_QUESTIONS.iter().map(|q| q.to_string()).collect();
    qs.extend(questions(&crate::support::repo_path(
        "tests/fixtures/questions-dev.jsonl",
    )));
    [A, B]
        .iter()
        .flat_map(|g| qs.iter().map(move |q| format!("{q} (in guild {g})")))
        .collect()
}

/// An app with [`NOTES`] written; the answers it gives, and the first note's id.
fn written_app(data: &Path, db: &Path) -> (App, Vec<Vec<String>>, String) {
    let app = app(data, db);
    let mut ids = Vec::new();
    for (g, title, text) in NOTES {
        let r = note(&app, *g, title, text);
        assert_eq!(r.summary.as_deref(), Some("Searchable in this server now."));
        ids.push(r.title.trim_start_matches("Added ").to_string());
    }
    let want = community_answers(&app);
    for (i, q) in OWN_QUESTIONS.iter().enumerate() {
        let g = if q.contains("globex") { B } else { A };
        let row = if g == A { i } else { i + want.len() / 2 };
        assert!(want[row].contains(&ids[i]), "{q} finds the guild's entry");
    }
    (app, want, ids.swap_remove(0))
}

/// A data folder and store written by an app that is closed again: the answers it gave,
/// its community index folder and the id of its first note.
struct Closed {
    tmp: tempfile::TempDir,
    data: PathBuf,
    db: PathBuf,
    want: Vec<Vec<String>>,
    ledger: String,
    folder: PathBuf,
}

fn written_and_closed() -> Closed {
    let tmp = tempfile::tempdir().unwrap();
    let (data, db) = (tmp.path().join("data"), tmp.path().join("kb.db"));
    let (app, want, ledger) = written_app(&data, &db);
    let folder = community_folder(&app);
    drop(app);
    Closed {
        tmp,
        data,
        db,
        want,
        ledger,
        folder,
    }
}

/// A moderator of A adds one more note.
fn audit(app: &App) -> archie::reply::Reply {
    note(
        app,
        A,
        "Acme audits every payout",
        "Every payout is checked against the ledger by an audit job.",
    )
}

fn community_folder(app: &App) -> PathBuf {
    app.engine
        .community_status()
        .folder
        .expect("a community index on disk")
}

/// Garbles the community index's `ext` file with the app closed; the next start finds it
/// damaged, rebuilds it from the store and answers as before.
fn community_file_garbled_at_rest(ext: &str) {
    let Closed {
        tmp: _tmp,
        data,
        db,
        want,
        folder,
        ..
    } = written_and_closed();
    let file = largest(&folder, ext);
    garble(&file);
    let again = app(&data, &db);
    let (got, log) = logged(|| community_answers(&again));
    assert!(log.contains("the community index is damaged"), "{log}");
    assert!(log.contains("checksum mismatch"), "{log}");
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(log.contains(&name), "the log names the garbled file: {log}");
    let status = again.engine.community_status();
    assert!(status.rebuilt.unwrap().contains("checksum mismatch"));
    assert_eq!(status.damaged, None, "rebuilt before answering");
    assert_same(&community_questions(), &got, &want);
    let r = audit(&again);
    assert_eq!(r.summary.as_deref(), Some("Searchable in this server now."));
    let id = r.title.trim_start_matches("Added ").to_string();
    assert!(crate::support::ask_ids(&again, &member(A), "acme audits every payout").contains(&id));
}

#[test]
fn a_garbled_community_term_file_is_found_at_the_next_start_and_rebuilt_from_the_store() {
    community_file_garbled_at_rest(".term");
}

#[test]
fn a_garbled_community_store_file_is_found_at_the_next_start_and_rebuilt_from_the_store() {
    community_file_garbled_at_rest(".store");
}

/// Garbles the community index's `ext` file under a running app; the first read that
/// fails marks it damaged; meanwhile `/ask` answers from the base knowledge and the
/// store's rows, `/kb show` shows the entries, `/kb add` says the entry is not searchable
/// yet; the follower's sync rebuilds it, and answers are as before.
fn community_file_garbled_while_serving(ext: &str) {
    let Closed {
        tmp,
        data,
        db,
        ledger,
        folder,
        ..
    } = written_and_closed();
    // A fresh process on the same store and data: the same folder, no view read yet.
    let app = app_opened(&data, &db);
    assert_eq!(community_folder(&app), folder);
    garble(&largest(&folder, ext));
    let (meanwhile, log) = logged(|| community_answers(&app));
    let status = app.engine.community_status();
    assert_reported("the community index", status.damaged, &log, &folder);
    assert!(
        meanwhile.iter().filter(|a| !a.is_empty()).count() > meanwhile.len() / 3,
        "the base knowledge still answers"
    );
    // The entries are the store's: shown, not "removed or hidden".
    let shown = execute(
        &app,
        &member(A),
        &Command::Kb(KbCommand::Show { id: ledger }),
    );
    assert_eq!(shown.status, archie::reply::Status::Answer);
    assert!(shown.summary.is_none(), "{:?}", shown.summary);
    // A write is stored, and not called searchable.
    let r = audit(&app);
    assert_eq!(r.status, archie::reply::Status::Answer, "{:?}", r.summary);
    let said = r.summary.unwrap_or_default();
    assert!(said.starts_with("Saved, but not searchable yet"), "{said}");
    assert!(!said.contains("Searchable in this server now"), "{said}");
    let id = r.title.trim_start_matches("Added ").to_string();
    // The serving process's follower syncs: the index is rebuilt from the store.
    let (_, log) = logged(|| app.sync().unwrap());
    assert!(log.contains("the community index is rebuilt"), "{log}");
    let status = app.engine.community_status();
    assert_eq!(status.damaged, None);
    assert!(!folder.join("DAMAGED").exists());
    assert!(crate::support::ask_ids(&app, &member(A), "acme audits every payout").contains(&id));
    // As an undamaged index of the same store answers (built anew in other folders).
    let reference = self::app(&tmp.path().join("reference"), &db);
    assert_same(
        &community_questions(),
        &community_answers(&app),
        &community_answers(&reference),
    );
}

/// An app whose community index is open (by a search in a guild without entries), with
/// no guild's view read yet.
fn app_opened(data: &Path, db: &Path) -> App {
    let app = app(data, db);
    crate::support::ask_ids(&app, &member(9_999), "what is redis");
    assert!(app.engine.community_status().open);
    app
}

#[test]
fn a_community_store_file_garbled_while_serving_is_found_by_the_first_failing_read() {
    community_file_garbled_while_serving(".store");
}

#[test]
fn a_community_term_file_garbled_while_serving_is_found_by_the_first_failing_read() {
    community_file_garbled_while_serving(".term");
}
