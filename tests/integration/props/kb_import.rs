//! `/kb import` on random and damaged JSON: errors name their place, the preview writes
//! nothing, and a confirmed import writes what it announced or nothing.

use super::*;

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
        let ctx = Caller { guild: Some(guild), actor: Some(Actor::new(42, "mod-ana")), moderator: true, typed: false };
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
        let plan = archie::terminal::reply_json(&preview);
        let announced = plan["add"].as_u64().unwrap_or(0) + plan["change"].as_u64().unwrap_or(0);
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
