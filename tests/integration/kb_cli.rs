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
