//! `archie kb …`: the operator's moderator commands against the store file.

use crate::support::archie_in;

/// A working folder with the store file `kb.db` and the data in `data/`.
struct Env {
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    Env {
        db: dir.path().join("kb.db"),
        dir,
    }
}

/// `archie kb <args>` run by the operator `ops`.
fn kb(env: &Env, args: &[&str]) -> (i32, String, String) {
    archie_in(env.dir.path())
        .database(&env.db)
        .env("USER", "ops")
        .arg("kb")
        .args(args)
        .run()
}

/// `archie kb add` of a note titled `title` in guild 5, with `more` flags.
fn add_note(env: &Env, title: &str, text: &str, more: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "add", "--guild", "5", "--kind", "note", "--title", title, "--text", text,
    ];
    args.extend_from_slice(more);
    kb(env, &args)
}

#[test]
fn the_operator_adds_edits_removes_and_reverts_from_the_command_line() {
    let e = env();
    let (code, out, err) = add_note(
        &e,
        "Shopify pods",
        "Shopify isolates shops into pods.",
        &[
            "--company",
            "Shopify",
            "--tech",
            "mysql, redis",
            "--source",
            "https://shopify.engineering/a-pods-architecture",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Added kb-shopify-pods"), "{out}");
    let (code, out, _) = kb(
        &e,
        &[
            "edit",
            "kb-shopify-pods",
            "--guild",
            "5",
            "--text",
            "Shopify isolates groups of shops into pods.",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = kb(&e, &["remove", "kb-shopify-pods", "--guild", "5"]);
    assert_eq!(code, 0, "{out}");
    let (_, out, _) = kb(
        &e,
        &["history", "kb-shopify-pods", "--guild", "5", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let revs = v["revisions"].as_array().unwrap();
    assert_eq!(
        revs.iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["remove", "edit", "add"]
    );
    assert_eq!(revs[0]["actor"], "ops (cli)");
    let edit_rev = revs[1]["revision"].as_i64().unwrap().to_string();
    let (code, out, _) = kb(
        &e,
        &["revert", "kb-shopify-pods", &edit_rev, "--guild", "5"],
    );
    assert_eq!(code, 0, "{out}");
    let (_, out, _) = kb(&e, &["export", "--guild", "5"]);
    let items: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        items[0]["text"],
        "Shopify isolates groups of shops into pods."
    );
    assert_eq!(
        items[0]["technologies"],
        serde_json::json!(["MySQL", "Redis"])
    );
    // Another server sees nothing of it.
    let (_, out, _) = kb(&e, &["export", "--guild", "6"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn import_shows_its_plan_and_a_dry_run_writes_nothing() {
    let e = env();
    let file = e.db.with_file_name("items.json");
    std::fs::write(&file, r#"[{"kind":"note","title":"Pods at Shopify","text":"Shops live in pods.","company":"Shopify","technologies":[],"sources":["https://shopify.engineering/pods"]}]"#).unwrap();
    let (code, out, _) = kb(
        &e,
        &[
            "import",
            file.to_str().unwrap(),
            "--guild",
            "5",
            "--dry-run",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 to add"), "{out}");
    let (_, out, _) = kb(&e, &["export", "--guild", "5"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!([])
    );
    let (code, _, _) = kb(&e, &["import", file.to_str().unwrap(), "--guild", "5"]);
    assert_eq!(code, 0);
    let (_, out, _) = kb(&e, &["export", "--guild", "5"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn without_a_guild_or_with_bad_input_it_says_what_to_fix() {
    let e = env();
    let (code, _, err) = kb(&e, &["export"]);
    assert_ne!(code, 0);
    assert!(err.contains("--guild is required"), "{err}");
    let (code, out, _) = add_note(&e, "x", "y", &["--source", "ftp://nope"]);
    assert_eq!(code, 1);
    assert!(out.contains("http"), "{out}");
}

#[test]
fn the_operator_reads_gaps_stats_and_curation_records_from_the_command_line() {
    use archie::store::{Actor, Draft, Signature, Store, Vote};
    let e = env();
    {
        let s = Store::open(&e.db).unwrap();
        let none = Signature::new(vec![], vec!["bloom".into(), "filter".into()]);
        for q in ["what is a bloom filter", "What is a Bloom filter?"] {
            s.record_ask(5, q, q, None, &[], || none.clone()).unwrap();
        }
        let other = Signature::new(vec!["uber".into()], vec!["geofenc".into()]);
        let shown = vec!["stack-uber".to_string()];
        let ask = s
            .record_ask(5, "uber geofencing", "u", Some("stack"), &shown, || {
                other.clone()
            })
            .unwrap();
        let key = s.member_key(77).unwrap();
        s.vote(5, ask, &key, Vote::Down, || other.clone()).unwrap();
        s.record_ask(6, "another server's question", "o", None, &[], || {
            other.clone()
        })
        .unwrap();
        let d = Draft {
            kind: archie::knowledge::Kind::Note,
            title: "Bloom filters".into(),
            text: "A Bloom filter answers maybe or no, never a false no.".into(),
            company: None,
            technologies: vec![],
            sources: vec!["https://example.com/bloom".into()],
        };
        s.propose(5, &Actor::new(77, "mel"), None, &d).unwrap();
    }
    let (code, out, err) = kb(&e, &["gaps", "--guild", "5", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let gaps = v["gaps"].as_array().unwrap();
    assert_eq!(v["total"], 2, "{v:#}");
    assert_eq!(gaps[0]["question"], "what is a bloom filter");
    assert_eq!(
        gaps[0]["asked"], 2,
        "most asked first, alike questions folded"
    );
    assert_eq!(gaps[1]["question"], "uber geofencing");
    let (code, text, _) = kb(&e, &["gaps", "--guild", "5"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("asked 2×") && text.contains("Gap #"),
        "{text}"
    );

    let (code, out, err) = kb(&e, &["stats", "--guild", "5", "--json"]);
    assert_eq!(code, 0, "{err}");
    let st: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (st["asked"].as_i64(), st["answered"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        st["votes"][0],
        serde_json::json!({"kind": "stack", "up": 0, "down": 1})
    );
    assert_eq!(
        (st["open_gaps"].as_i64(), st["pending_proposals"].as_i64()),
        (Some(2), Some(1))
    );
    let (_, text, _) = kb(&e, &["stats", "--guild", "5", "--days", "7"]);
    assert!(text.contains("3 asked, 1 answered (33%)"), "{text}");

    let (code, out, _) = kb(&e, &["export", "--curation", "--guild", "5"]);
    assert_eq!(code, 0);
    let ex: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(ex["proposals"][0]["draft"]["title"], "Bloom filters");
    assert_eq!(ex["votes"][0]["vote"], "down");
    assert!(!out.contains("another server"), "{out}");
}
