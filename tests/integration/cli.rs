//! The README's commands, run as a user would: the real binary, offline, no configuration.

use crate::support::{archie_in, free_port, repo_path};

/// Runs the binary as the README does: default settings, so answering is hybrid (the
/// sentence encoder on). The index and its vectors live in one data folder for the whole
/// test binary, built by the first command (computing the vectors takes a while), as a
/// user's `data/` is built by their first question.
fn archie(args: &[&str]) -> (i32, String, String) {
    static DATA: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let data = DATA.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("semantic-data");
        let warm = run(&dir, &["ask", "warm up"]);
        assert_eq!(warm.0, 0, "the first run builds the index: {}", warm.2);
        dir
    });
    run(data, args)
}

fn run(data: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    crate::support::archie()
        .semantic()
        .data(data)
        .args(args)
        .run()
}

#[test]
fn the_first_command_of_the_readme_answers_with_manhattan_and_twitters_stack() {
    let (code, out, err) = archie(&["ask", "what does Twitter use for backend"]);
    assert_eq!(code, 0, "{err}");
    let manhattan = out.find("Manhattan").expect("the Manhattan answer");
    let stack = out
        .find("Twitter technology stack")
        .expect("Twitter's stack");
    assert!(manhattan < stack, "Manhattan first:\n{out}");
    // Technologies by their canonical names, not the seed's spellings ("my-sql").
    assert!(
        out.contains("MySQL") && out.contains("Cassandra") && !out.contains("[MySQL]"),
        "{out}"
    );
    assert!(
        out.contains("↳ https://blog.twitter.com/"),
        "with its source link:\n{out}"
    );
}

#[test]
fn ask_json_prints_the_shape_the_eval_expects() {
    let (code, out, _) = archie(&["ask", "--json", "--limit", "3", "who uses kafka"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["query"], "who uses kafka");
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 3);
    for r in results {
        for key in ["kind", "title", "excerpt", "company", "sources", "score"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert!(r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.as_str().unwrap().starts_with("http")));
    }
    assert!(results[0]["excerpt"].as_str().unwrap().contains("Tumblr"));
}

#[test]
fn an_off_topic_question_gets_no_results_and_a_helpful_message() {
    let (code, out, _) = archie(&["ask", "--json", "best pancake recipe"]);
    assert_eq!(code, 0, "an honest 'I don't know' is a successful run");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 0);
    let (_, text, _) = archie(&["ask", "best pancake recipe"]);
    assert!(
        text.contains("I don't know that yet") && text.contains("/stack"),
        "{text}"
    );
}

#[test]
fn an_empty_question_is_refused_with_a_clear_message() {
    let (code, out, _) = archie(&["ask", "   "]);
    assert_eq!(code, 1);
    assert!(out.contains("Ask a question"), "{out}");
}

#[test]
fn lookups_answer_and_unknown_names_suggest_the_closest() {
    let (code, out, _) = archie(&["stack", "Twiter"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("No company 'Twiter'") && out.contains("did you mean Twitter"),
        "{out}"
    );
    let (code, out, _) = archie(&["stack", "Stack Overflow", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["company"], "StackExchange");
    let (code, out, _) = archie(&["uses", "postgres", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let users: Vec<&str> = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["company"].as_str().unwrap())
        .collect();
    for c in ["Instagram", "StyleShare", "TripAdvisor", "GOV.UK"] {
        assert!(users.contains(&c), "{c} in {users:?}");
    }
    let (code, out, _) = archie(&["whatis", "gizzard"]);
    assert_eq!(code, 0);
    assert!(out.contains("sharding framework"), "{out}");
    let (code, out, _) = archie(&["compare", "Instagram", "Pinterest", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let shared: Vec<&str> = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| {
            l["shared"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
        })
        .collect();
    assert!(
        shared.contains(&"Django") && shared.contains(&"Redis"),
        "{shared:?}"
    );
    let (code, out, _) = archie(&["read", "consistent hashing", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["results"][0]["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("consistent hashing"),
        "{v}"
    );
}

#[test]
fn eval_prints_the_four_figures_like_the_shared_scorer() {
    let (code, out, _) = archie(&[
        "eval",
        repo_path("tests/eval/questions.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("hit@1 ")
            && last.contains(" hit@3 ")
            && last.contains(" mrr@5 ")
            && last.contains(" none-ok 6/6"),
        "{last}"
    );
}

#[test]
fn help_lists_every_subcommand() {
    let (code, out, _) = archie(&["--help"]);
    assert_eq!(code, 0);
    for sub in [
        "ask", "stack", "uses", "whatis", "compare", "read", "eval", "check", "export", "import",
        "serve", "register", "commands",
    ] {
        assert!(out.contains(&format!("  {sub} ")), "{sub} missing:\n{out}");
    }
}

/// The real binary in an empty working folder `tmp`, with the fixture knowledge, its data
/// in `tmp/data` and `ARCHIE_DATABASE` set to `db` (as given, even empty).
fn archie_with_database(tmp: &std::path::Path, db: &str, args: &[&str]) -> (i32, String) {
    let (code, _, err) = archie_in(tmp)
        .fixture_knowledge()
        .database(db)
        .env(
            "DISCORD_PUBLIC_KEY",
            "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c",
        )
        .args(args)
        .run();
    (code, err)
}

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_unusable_archie_database_stops_the_start_naming_it_and_writes_nothing() {
    let commands: [&[&str]; 2] = [
        &["serve", "--http", "127.0.0.1:0"],
        &["kb", "history", "--guild", "1"],
    ];
    for args in commands {
        for (value, says) in [
            ("postgres://archie:hunter2@db.internal", "names no database"),
            (
                "postgresql://archie:hunter2@db.internal:port/archie",
                "does not parse",
            ),
            ("mysql://archie:hunter2@db.internal/archie", "mysql:// URL"),
            ("redis://cache", "cannot open"),
            ("mysql:archie:hunter2@db.internal/archie", "mysql: URL"),
            ("", "set but empty"),
            ("sqlite://", "names no file"),
            ("file.txt/archie.db", "cannot be created"),
            (
                "folder",
                "is a folder: name the file inside it, e.g. folder/archie.db",
            ),
        ] {
            let tmp = tempfile::tempdir().unwrap();
            std::fs::write(tmp.path().join("file.txt"), "not a folder").unwrap();
            std::fs::create_dir(tmp.path().join("folder")).unwrap();
            let before = entries(tmp.path());
            let (code, err) = archie_with_database(tmp.path(), value, args);
            assert_eq!(code, 2, "{args:?} {value:?}: {err}");
            assert!(err.contains("ARCHIE_DATABASE"), "{value:?}: {err}");
            assert!(err.contains(says), "{value:?}: {err}");
            assert!(
                err.contains("data/archie.db")
                    || err.contains("folder/archie.db")
                    || err.contains("postgres://USER@HOST:5432/DB"),
                "{value:?}: says what a good value looks like: {err}"
            );
            assert!(!err.contains("hunter2"), "never shows a password: {err}");
            assert_eq!(
                entries(tmp.path()),
                before,
                "{args:?} {value:?} wrote nothing (no postgres: folder, no index)"
            );
            assert!(entries(&tmp.path().join("folder")).is_empty());
        }
    }
}

#[test]
fn an_unreachable_postgresql_stops_the_start_naming_it_without_its_password() {
    let port = free_port();
    let url = format!("postgres://archie:hunter2@127.0.0.1:{port}/archie?connect_timeout=2");
    let commands: [&[&str]; 2] = [
        &["serve", "--http", "127.0.0.1:0"],
        &["kb", "history", "--guild", "1"],
    ];
    for args in commands {
        let tmp = tempfile::tempdir().unwrap();
        let (code, err) = archie_with_database(tmp.path(), &url, args);
        assert_ne!(code, 0, "{args:?}: {err}");
        assert!(err.contains("ARCHIE_DATABASE"), "{err}");
        assert!(
            err.contains(&format!("postgres://archie@127.0.0.1:{port}/archie")),
            "names the server: {err}"
        );
        assert!(!err.contains("hunter2"), "never shows a password: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(entries(tmp.path()).is_empty(), "{args:?} wrote nothing");
    }
}

#[test]
fn archie_database_takes_a_path_or_a_sqlite_url() {
    for (value, file) in [
        ("store/a.db", "store/a.db"),
        ("sqlite://store/b.db", "store/b.db"),
        ("sqlite:c.db", "c.db"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (code, err) =
            archie_with_database(tmp.path(), value, &["kb", "history", "--guild", "1"]);
        assert_eq!(code, 0, "{value}: {err}");
        assert!(tmp.path().join(file).is_file(), "{value} → {file}");
        assert!(!tmp.path().join("sqlite:").exists());
    }
}

#[test]
fn export_lists_entries_and_export_json_prints_them_in_full() {
    let (code, text, err) = archie(&["export"]);
    assert_eq!(code, 0, "{err}");
    let first = text.lines().next().unwrap_or_default();
    let cols: Vec<&str> = first.split('\t').collect();
    assert_eq!(cols.len(), 3, "id, kind, title: {first}");
    assert!(
        ["stack", "tech", "qa", "reading", "note", "article"].contains(&cols[1]),
        "{first}"
    );
    assert!(err.contains("archie export --json"), "{err}");
    let (code, json, _) = archie(&["export", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), text.lines().count(), "one line per entry");
    assert_eq!(all[0]["id"], cols[0]);
    assert_eq!(all[0]["title"], cols[2]);
}

#[test]
fn a_question_may_start_with_a_dash() {
    let (code, out, err) = archie(&["ask", "--json", "-memcached at facebook"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["query"], "-memcached at facebook");
    assert!(!v["results"].as_array().unwrap().is_empty(), "{v}");
    let (code, out, err) = archie(&["ask", "--json", "--", "--limit"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["query"], "--limit",
        "after -- even a flag's name is the question"
    );
    // Flags after a dash-led question are still flags.
    let (code, out, err) = archie(&["ask", "-x", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["query"], "-x");
}

#[test]
fn a_binary_run_outside_the_project_names_the_knowledge_setting_instead_of_guessing() {
    // A temporary folder without knowledge/, and no ARCHIE_KNOWLEDGE_DIR: the binary must
    // not fall back to the folder it was built in.
    let (code, out, err) = crate::support::archie()
        .no_knowledge_dir()
        .args(["ask", "what does Twitter use"])
        .run();
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("ARCHIE_KNOWLEDGE_DIR") && err.contains("--knowledge"),
        "{err}"
    );
    // Told where the knowledge is, it answers.
    let (code, out, _) = crate::support::archie()
        .no_knowledge_dir()
        .args(["stack", "Twitter", "--knowledge"])
        .arg(crate::support::shipped_dir())
        .run();
    assert_eq!(code, 0);
    assert!(out.contains("Scala"), "{out}");
}

#[test]
fn stack_and_compare_write_their_diagram_as_png() {
    let tmp = tempfile::tempdir().unwrap();
    let stack = tmp.path().join("stack.png");
    let (code, out, err) = archie(&["stack", "Instagram", "--png", stack.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Instagram"),
        "the answer is printed too: {out}"
    );
    assert!(err.contains("diagram written to"), "{err}");
    let compare = tmp.path().join("compare.png");
    let (code, _, err) = archie(&[
        "compare",
        "Instagram",
        "Pinterest",
        "--png",
        compare.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    for path in [&stack, &compare] {
        let png = std::fs::read(path).expect("written");
        let img = resvg::tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
        assert_eq!(img.width(), 760, "{}", path.display());
    }
    // Without a stack there is no picture, and nothing is written.
    let none = tmp.path().join("none.png");
    let (code, _, err) = archie(&["stack", "Twiter", "--png", none.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(!none.exists() && err.contains("was not written"), "{err}");
}
