//! Property tests: hostile and damaged input never crashes Archie or leaves half a change.
//!
//! - Interaction payloads: the valid payloads the other tests send, damaged field by field
//!   (removed, null, wrong type, huge, negative, nested garbage), signed and sent to the
//!   real HTTP endpoint: the answer is a 400 or a 200 that Discord's schema accepts, never
//!   a 500, a dropped connection, or the apology for a panic caught on the blocking thread.
//! - `archie import` (awesome-md and qa-text) on random and damaged seed text: every line it
//!   cannot read is reported as `file:line:column`, and the folder afterwards is either
//!   unchanged (an error, or a dry run) or one that passes `archie check`.
//! - `/kb import` on random and damaged JSON: a syntax error names its line and column, an
//!   invalid item its position, the preview writes nothing, and a confirmed import writes
//!   exactly what the preview announced, or nothing at all.
//!
//! Each property runs a few hundred cases by default; `PROPTEST_CASES=N` runs N of each
//! (`custom_id`'s properties live beside it in `src/discord/custom_id.rs`).

use crate::support::*;
use archie::app::App;
use archie::commands::{execute, Caller as Ctx, Command, KbCommand};
use archie::knowledge::import::{run, Format, ImportOptions};
use archie::knowledge::load_dir;
use archie::reply::Status;
use archie::store::{Actor, Store};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

/// `cases` a property, or `PROPTEST_CASES` when it is set (a longer run).
fn config(cases: u32) -> ProptestConfig {
    let c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_some() {
        c
    } else {
        ProptestConfig { cases, ..c }
    }
}

// ---- damaging a JSON value ------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    At(usize),
}

/// Every path in `v`, the root (empty path) first.
fn paths(v: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        out.push(here.clone());
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    here.push(Seg::Key(k.clone()));
                    walk(child, here, out);
                    here.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    here.push(Seg::At(i));
                    walk(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// What to do to one field.
#[derive(Debug, Clone)]
enum Damage {
    Remove,
    Set(Value),
    /// A string of this many characters.
    Huge(usize),
    /// Arrays nested this deep around an object.
    Nested(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        3 => Just(Damage::Remove),
        2 => Just(Damage::Set(Value::Null)),
        1 => any::<bool>().prop_map(|b| Damage::Set(json!(b))),
        1 => any::<i64>().prop_map(|n| Damage::Set(json!(n))),
        1 => prop_oneof![Just(-1i64), Just(i64::MIN), Just(0)].prop_map(|n| Damage::Set(json!(n))),
        1 => Just(Damage::Set(json!(u64::MAX))),
        1 => Just(Damage::Set(json!(1e308))),
        1 => Just(Damage::Set(json!(-0.5))),
        2 => ".{0,12}".prop_map(|s| Damage::Set(json!(s))),
        1 => "-?[0-9]{1,30}".prop_map(|s| Damage::Set(json!(s))),
        1 => Just(Damage::Set(json!([]))),
        1 => Just(Damage::Set(json!({}))),
        1 => Just(Damage::Set(json!([1, "two", null, {"three": [4]}]))),
        1 => prop_oneof![Just(4_001usize), Just(100_000)].prop_map(Damage::Huge),
        1 => (1usize..200).prop_map(Damage::Nested),
    ]
}

/// `v` with the field at `path` damaged (`Remove` of the root leaves `null`).
fn damaged(v: &Value, path: &[Seg], d: &Damage) -> Value {
    let mut out = v.clone();
    let new = match d {
        Damage::Remove => None,
        Damage::Set(x) => Some(x.clone()),
        Damage::Huge(n) => Some(json!("é".repeat(*n))),
        Damage::Nested(depth) => {
            let mut x = json!({"type": 3, "custom_id": "ask:1:x"});
            for _ in 0..*depth {
                x = json!([x]);
            }
            Some(x)
        }
    };
    let Some((last, parent_path)) = path.split_last() else {
        return new.unwrap_or(Value::Null);
    };
    let mut parent = &mut out;
    for s in parent_path {
        parent = match s {
            Seg::Key(k) => &mut parent[k.as_str()],
            Seg::At(i) => &mut parent[*i],
        };
    }
    match (last, parent, new) {
        (Seg::Key(k), Value::Object(m), None) => {
            m.remove(k);
        }
        (Seg::Key(k), Value::Object(m), Some(x)) => {
            m.insert(k.clone(), x);
        }
        (Seg::At(i), Value::Array(a), None) => {
            a.remove(*i);
        }
        (Seg::At(i), Value::Array(a), Some(x)) => a[*i] = x,
        _ => {}
    }
    out
}

/// A footer as Archie writes it, so a page button finds its question.
fn paged_embeds() -> Value {
    json!([{"title": "What does Twitter use for backend?", "description": "…",
            "footer": {"text": "Page 1 of 3 · Asked: what does twitter use for backend"}}])
}

/// The valid payloads of the other tests: PING, slash commands (public, private, for a
/// member, in a DM), autocomplete, page buttons, `/kb` commands, a `/kb` form submission.
fn valid_payloads() -> Vec<Value> {
    let moderator = Who::moderator(GUILD);
    vec![
        ping(),
        command(
            1,
            "ask",
            json!([
                string_opt("question", "what does Twitter use for backend"),
                bool_opt("private", true),
                user_opt("for", "999999999999999999")
            ]),
        ),
        command(
            2,
            "compare",
            json!([
                string_opt("first", "instagram"),
                string_opt("second", "twitter")
            ]),
        ),
        by(
            command(3, "stack", json!([string_opt("company", "twitter")])),
            &Who::dm(),
        ),
        autocomplete(4, "stack", "company", "twi"),
        button(5, "ask:1:what does twitter use for backend", paged_embeds()),
        button(6, "ask:2", paged_embeds()),
        by(kb_autocomplete(7, "show", "id", "kb"), &moderator),
        by(kb(8, "history", json!([])), &Who::member(GUILD)),
        by(
            kb(9, "add", json!([string_opt("kind", "note")])),
            &moderator,
        ),
        by(button(10, "kbh:1:", json!([])), &moderator),
        by(
            modal_submit(
                11,
                "kbform:add:note",
                &entry_fields(
                    "Pods at Shopify",
                    "Shopify isolates shops into pods.",
                    "",
                    "",
                    "https://shopify.engineering/a-pods-architecture",
                ),
            ),
            &moderator,
        ),
    ]
}

struct Endpoint {
    rt: tokio::runtime::Runtime,
    server: TestServer,
}

/// One endpoint (with a community store) for every case of the binary.
static ENDPOINT: LazyLock<Endpoint> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let db = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("props-endpoint.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let server = rt.block_on(spawn_http(kb_app(&db)));
    Endpoint { rt, server }
});

const APOLOGY: &str = "Something went wrong on Archie's side";

/// Gives an interaction a fresh id (when it still has a string id): the endpoint refuses a
/// second delivery of an id with 401, and these tests send the same payloads many times.
fn fresh(mut body: Value) -> Value {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(900_000_000);
    if body.get("id").is_some_and(Value::is_string) {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        body["id"] = json!(n.to_string());
    }
    body
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn a_damaged_interaction_gets_a_400_or_a_valid_answer_never_a_crash(
        which in any::<Index>(),
        damages in proptest::collection::vec((any::<Index>(), damage()), 1..=3),
    ) {
        let payloads = valid_payloads();
        let mut body = which.get(&payloads).clone();
        for (at, d) in &damages {
            let all = paths(&body);
            let path: &Vec<Seg> = at.get(&all);
            body = damaged(&body, path, d);
        }
        let ep = &*ENDPOINT;
        // post_signed holds every 200 answer to Discord's schema (support::validate_answer).
        let body = fresh(body);
        let size = serde_json::to_vec(&body).map(|b| b.len()).unwrap_or(0);
        let (status, resp) = ep.rt.block_on(ep.server.post_signed(&body));
        if size > archie::discord::http::MAX_BODY {
            // Several huge strings together pass the body limit: refused before anything else.
            prop_assert_eq!(status, 413, "a {}-byte body", size);
            return Ok(());
        }
        prop_assert!(status == 200 || status == 400, "status {} for {}", status, body);
        if status == 200 {
            let text = visible_text(&resp);
            prop_assert!(!text.contains(APOLOGY), "a panic was caught: {} for {}", text, body);
        }
    }
}

#[test]
fn the_unharmed_payloads_are_answered_and_a_garbled_one_gets_400() {
    let ep = &*ENDPOINT;
    for body in valid_payloads() {
        let body = fresh(body);
        let (status, resp) = ep.rt.block_on(ep.server.post_signed(&body));
        assert_eq!(status, 200, "{body}");
        assert!(!visible_text(&resp).contains(APOLOGY), "{resp}");
    }
    let (status, _) = ep
        .rt
        .block_on(ep.server.post_signed(&json!({"type": "two"})));
    assert_eq!(status, 400);
}

// ---- archie import ----------------------------------------------------------------------

fn seed(prefix: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let rd = std::fs::read_dir(&dir).expect("tests/fixtures/seeds");
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(prefix) {
            return std::fs::read_to_string(e.path()).expect("a seed");
        }
    }
    panic!("no seed {prefix}");
}

/// The seeds' lines. The reading list (002) is one flattened 80 KB line: it is cut before
/// each heading and item, so a window holds a few links (the `Join` damage flattens again).
static SEEDS: LazyLock<[Vec<String>; 3]> = LazyLock::new(|| {
    ["000_", "001_", "002_"].map(|p| {
        seed(p)
            .replace(" ## ", "\n## ")
            .replace(" * [", "\n* [")
            .lines()
            .map(String::from)
            .collect()
    })
});

/// Damage done to a list of lines.
#[derive(Debug, Clone)]
enum LineDamage {
    Delete,
    Duplicate,
    Truncate(Index),
    Insert(String),
    Replace(Index, char),
    Join,
}

fn line_damage() -> impl Strategy<Value = LineDamage> {
    prop_oneof![
        Just(LineDamage::Delete),
        Just(LineDamage::Duplicate),
        any::<Index>().prop_map(LineDamage::Truncate),
        "[\\[\\]()*#:,<>`|\\\\ -]{1,6}|\\PC{1,8}|[0-9]{20,40}".prop_map(LineDamage::Insert),
        (any::<Index>(), any::<char>()).prop_map(|(i, c)| LineDamage::Replace(i, c)),
        Just(LineDamage::Join),
    ]
}

fn damage_lines(lines: &mut Vec<String>, at: &Index, d: &LineDamage) {
    if lines.is_empty() {
        return;
    }
    let i = at.index(lines.len());
    let chars: Vec<char> = lines[i].chars().collect();
    match d {
        LineDamage::Delete => {
            lines.remove(i);
        }
        LineDamage::Duplicate => lines.insert(i, lines[i].clone()),
        LineDamage::Truncate(k) => {
            lines[i] = chars[..k.index(chars.len() + 1)].iter().collect();
        }
        LineDamage::Insert(s) => {
            let k = at.index(chars.len() + 1);
            lines[i] = chars[..k]
                .iter()
                .chain(s.chars().collect::<Vec<_>>().iter())
                .chain(chars[k..].iter())
                .collect();
        }
        LineDamage::Replace(k, c) if !chars.is_empty() => {
            let mut chars = chars;
            let k = k.index(chars.len());
            chars[k] = *c;
            lines[i] = chars.into_iter().collect();
        }
        LineDamage::Replace(..) => {}
        LineDamage::Join if i + 1 < lines.len() => {
            let next = lines.remove(i + 1);
            lines[i].push(' ');
            lines[i].push_str(&next);
        }
        LineDamage::Join => {}
    }
}

/// Import input: a window of a seed (0: company page, 1: Q&A text, 2: reading list),
/// damaged line by line, or random text.
fn import_input(seed_index: usize) -> impl Strategy<Value = String> {
    let window = (
        any::<Index>(),
        1usize..60,
        proptest::collection::vec((any::<Index>(), line_damage()), 0..8),
    )
        .prop_map(move |(start, len, damages)| {
            let all = &SEEDS[seed_index];
            let s = start.index(all.len());
            let mut lines: Vec<String> = all[s..(s + len).min(all.len())].to_vec();
            for (at, d) in &damages {
                damage_lines(&mut lines, at, d);
            }
            lines.join("\n")
        });
    prop_oneof![
        4 => window,
        1 => "[\\[\\]()*#:,\\n a-zA-Z0-9/.@-]{0,400}",
        1 => any::<String>(),
    ]
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.insert(p.strip_prefix(root).unwrap().join(""), Vec::new());
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// Imports `input` into a copy of the store fixture's small knowledge folder and checks the
/// properties every import has.
fn import_holds(input: &str, format: Format, dry_run: bool) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-kb"),
        &dir,
    );
    let file = tmp.path().join("input.txt");
    std::fs::write(&file, input).unwrap();
    let before = snapshot(&dir);
    let result = run(&ImportOptions {
        file: file.clone(),
        format,
        knowledge: dir.clone(),
        dry_run,
    });
    let after = snapshot(&dir);
    match result {
        Err(e) => {
            prop_assert!(
                before == after,
                "a failed import ({e:#}) changed the folder"
            );
        }
        Ok(report) => {
            let name = file.display().to_string();
            let lines = input.lines().count().max(1);
            for u in &report.unparsed {
                let rest = u.strip_prefix(&format!("{name}:"));
                prop_assert!(rest.is_some(), "no file in {:?}", u);
                let mut parts = rest.unwrap_or_default().splitn(3, ':');
                let line: usize = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
                let col: usize = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
                prop_assert!(
                    (1..=lines + 1).contains(&line) && col >= 1,
                    "no line:column in {:?}",
                    u
                );
            }
            if dry_run {
                prop_assert!(before == after, "a dry run changed the folder");
            } else {
                let (_, problems) = load_dir(&dir);
                prop_assert!(
                    problems.is_empty(),
                    "the import left problems: {problems:?}"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn importing_a_damaged_company_page_or_reading_list_reports_lines_and_never_half_writes(
        seed in prop_oneof![Just(0usize), Just(2)].prop_flat_map(import_input),
        dry_run in proptest::bool::weighted(0.2),
    ) {
        import_holds(&seed, Format::AwesomeMd, dry_run)?;
    }

    #[test]
    fn importing_a_damaged_qa_text_reports_lines_and_never_half_writes(
        input in import_input(1),
        dry_run in proptest::bool::weighted(0.2),
    ) {
        import_holds(&input, Format::QaText, dry_run)?;
    }
}

// ---- /kb import ---------------------------------------------------------------------------

const KINDS: [&str; 6] = ["note", "qa", "article", "reading", "stack", "tech"];
const TECHS: [&str; 5] = ["cassandra", "mysql", "my-sql", "Cobol DB", "redis"];

/// An exported item, as `/kb export` writes it (some fields may name unknown things).
fn item() -> impl Strategy<Value = Value> {
    (
        proptest::option::of("kb-[a-z]{1,8}"),
        prop_oneof![4 => Just("note"), 1 => proptest::sample::select(KINDS.to_vec())],
        "[A-Za-z ]{1,30}",
        "[A-Za-z .,]{1,80}",
        proptest::option::of(prop_oneof![
            Just("Twitter"),
            Just("Shopify"),
            Just("Nobody Inc")
        ]),
        proptest::collection::vec(proptest::sample::select(TECHS.to_vec()), 0..3),
        proptest::collection::vec("https://[a-z]{1,8}\\.example/[a-z]{0,8}", 0..3),
    )
        .prop_map(|(id, kind, title, text, company, techs, sources)| {
            let mut v = json!({"kind": kind, "title": title, "text": text,
                               "company": company, "technologies": techs, "sources": sources});
            if let Some(id) = id {
                v["id"] = json!(id);
            }
            v
        })
}

/// Items damaged field by field, as JSON text.
fn damaged_items() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(item(), 0..6),
        proptest::collection::vec((any::<Index>(), damage()), 0..4),
    )
        .prop_map(|(items, damages)| {
            let mut v = Value::Array(items);
            for (at, d) in &damages {
                let all = paths(&v);
                let path: &Vec<Seg> = at.get(&all);
                v = damaged(&v, path, d);
            }
            serde_json::to_string_pretty(&v).unwrap()
        })
}

/// An import file: damaged items, possibly with the text cut or garbled, or random text.
fn import_json() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => damaged_items(),
        2 => (damaged_items(), any::<Index>(), prop_oneof![Just(""), Just("}"), Just(",,"), Just("\u{0}"), Just("é")])
            .prop_map(|(text, at, insert)| {
                let mut cut = at.index(text.len() + 1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                format!("{}{insert}", &text[..cut])
            }),
        1 => any::<String>(),
    ]
}

struct KbStore {
    app: Arc<App>,
    store: Store,
}

static KB: LazyLock<KbStore> = LazyLock::new(|| {
    let db = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("props-kb.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    KbStore {
        app: kb_app(&db),
        store: Store::open(&db).expect("a second handle on the store"),
    }
});

/// A fresh guild per case, so cases do not see each other's entries.
fn next_guild() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(500_000_000_000_000_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// All the text of a reply's JSON form.
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn block_text(reply: &Value, heading: &str) -> String {
    let mut out = String::new();
    for b in reply["blocks"].as_array().into_iter().flatten() {
        if b["heading"] == heading {
            strings(&b["body"], &mut out);
        }
    }
    out
}

/// What a guild holds: its export and the length of its history.
fn state(store: &Store, guild: u64) -> (Vec<Value>, u64) {
    (
        store.export(guild).expect("export"),
        store.revision_count(guild, None).expect("revisions"),
    )
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn a_kb_import_names_where_it_is_wrong_and_writes_all_it_announced_or_nothing(json in import_json()) {
        let kb = &*KB;
        let guild = next_guild();
        let ctx = Ctx { guild: Some(guild), actor: Some(Actor::new(42, "mod-ana")), moderator: true };
        // Something to change or collide with.
        let seeded = execute(&kb.app, &ctx, &Command::Kb(KbCommand::Import {
            json: json!([{"id": "kb-seed", "kind": "note", "title": "Seed", "text": "Seed text.",
                          "sources": ["https://seed.example/a"]}]).to_string(),
        }));
        if let Some(confirm) = seeded.actions.first() {
            execute(&kb.app, &ctx, &confirm.run);
        }
        let before = state(&kb.store, guild);
        prop_assert_eq!(before.1, 1, "the seed entry was added");

        let preview = execute(&kb.app, &ctx, &Command::Kb(KbCommand::Import { json: json.clone() }));
        let shown = json!({"status": preview.status, "summary": preview.summary, "blocks": preview.blocks});
        prop_assert!(state(&kb.store, guild) == before, "a preview wrote");
        match serde_json::from_str::<Value>(&json) {
            Err(_) => {
                prop_assert_eq!(preview.status, Status::Invalid);
                let why = preview.summary.clone().unwrap_or_default();
                prop_assert!(why.contains(" line ") && why.contains(" column "), "no line and column: {}", why);
                return Ok(());
            }
            Ok(Value::Array(items)) => {
                prop_assert_eq!(preview.status, Status::Answer, "{}", shown);
                for line in block_text(&shown, "Invalid").lines().chain(block_text(&shown, "Skipped").lines()) {
                    if line == "none" || line.is_empty() {
                        continue;
                    }
                    let n: usize = line.strip_prefix('#').and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
                    prop_assert!((1..=items.len()).contains(&n), "no item position in {:?}", line);
                }
            }
            Ok(_) => {
                prop_assert_eq!(preview.status, Status::Invalid);
                return Ok(());
            }
        }
        let announced = archie::cli::reply_json(&preview)["add"].as_u64().unwrap_or(0) + archie::cli::reply_json(&preview)["change"].as_u64().unwrap_or(0);
        let Some(confirm) = preview.actions.first() else {
            prop_assert_eq!(announced, 0);
            return Ok(());
        };
        let done = execute(&kb.app, &ctx, &confirm.run);
        let after = state(&kb.store, guild);
        if done.status == Status::Answer {
            prop_assert_eq!(after.1, before.1 + announced, "{:?}", done);
        } else {
            prop_assert!(after == before, "a failed import wrote: {:?}", done);
        }
    }

    #[test]
    fn an_import_that_fails_half_way_writes_nothing(new in proptest::collection::vec(item(), 1..5)) {
        let kb = &*KB;
        let guild = next_guild();
        let k = kb.app.engine.knowledge();
        let who = Actor::new(42, "mod-ana");
        let first = json!({"id": "kb-doomed", "kind": "note", "title": "Doomed", "text": "Will go.",
                           "sources": ["https://doomed.example/a"]});
        let plan = kb.store.plan_import(guild, k, &[first]).unwrap();
        kb.store.apply_import(guild, &who, &plan).unwrap();
        // New items first, then a change of the entry that is removed before the plan runs.
        let mut items = new.clone();
        items.push(json!({"id": "kb-doomed", "kind": "note", "title": "Doomed", "text": "Changed.",
                          "sources": ["https://doomed.example/a"]}));
        let plan = kb.store.plan_import(guild, k, &items).unwrap();
        prop_assume!(plan.change.iter().any(|c| c.id == "kb-doomed"));
        kb.store.remove(guild, &who, "kb-doomed", None).unwrap();
        let before = state(&kb.store, guild);
        let result = kb.store.apply_import(guild, &who, &plan);
        prop_assert!(result.is_err(), "applying a change to a removed entry fails");
        prop_assert!(state(&kb.store, guild) == before, "the adds before the failure were kept");
    }
}
