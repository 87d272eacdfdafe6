//! `/kb` over the signed HTTP interactions endpoint, the way Discord sends it: forms
//! (modals) and their submissions, confirm buttons, history pages, rights checked on
//! every interaction, one server's entries never showing in another's, DMs that cannot
//! write, export as a file after a deferral, import from an attached file, and many
//! concurrent writes that all survive.

use crate::support::fake_discord::{Event, FakeDiscord};
use crate::support::*;
use archie::discord::Options;
use axum::routing::get;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

const TITLE: &str = "How Discord stores trillions of messages";
const TEXT: &str = "Discord moved its message store from Cassandra to ScyllaDB and put \
                    data services written in Rust in front of it to coalesce hot reads.";
const SOURCE: &str = "https://discord.com/blog/how-discord-stores-trillions-of-messages";
const QUESTION: &str = "how does discord store trillions of messages";

fn gid(g: &str) -> u64 {
    g.parse().expect("a numeric guild id")
}

struct Kb {
    server: TestServer,
    app: Arc<archie::app::App>,
    _dir: tempfile::TempDir,
    next: std::sync::atomic::AtomicU64,
}

impl Kb {
    async fn start() -> Kb {
        Kb::start_with(Options::default(), None).await
    }

    async fn start_with(settings: Options, rest: Option<Arc<serenity::all::Http>>) -> Kb {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = kb_app(&dir.path().join("kb.db"));
        let server = spawn_http_with(app.clone(), settings, rest).await;
        Kb {
            server,
            app,
            _dir: dir,
            next: std::sync::atomic::AtomicU64::new(10_000),
        }
    }

    fn id(&self) -> u64 {
        self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends `payload` as `who`; the answer must be 200 and obey Discord's limits.
    async fn send(&self, payload: Value, who: &Who) -> Value {
        let (status, resp) = self.server.post_signed(&by(payload, who)).await;
        assert_eq!(status, 200, "{resp}");
        if let Err(e) = limits::check(&resp, None) {
            panic!("{e}\n{resp:#}");
        }
        resp
    }

    async fn kb(&self, sub: &str, options: Value, who: &Who) -> Value {
        self.send(kb(self.id(), sub, options), who).await
    }

    async fn submit(&self, custom_id: &str, fields: &[(&str, &str)], who: &Who) -> Value {
        self.send(modal_submit(self.id(), custom_id, fields), who)
            .await
    }

    async fn click(&self, custom_id: &str, who: &Who) -> Value {
        self.send(button(self.id(), custom_id, json!([])), who)
            .await
    }

    async fn ask(&self, question: &str, who: &Who) -> String {
        let r = self
            .send(
                command(self.id(), "ask", json!([string_opt("question", question)])),
                who,
            )
            .await;
        visible_text(&r)
    }

    /// Adds the Discord note as `who`; its id.
    async fn add(&self, who: &Who) -> String {
        let r = self
            .submit(
                "kbform:add:note",
                &entry_fields(TITLE, TEXT, "Discord", "cassandra", SOURCE),
                who,
            )
            .await;
        added_id(&r)
    }

    fn revisions(&self, guild: &str) -> u64 {
        self.app
            .store
            .as_ref()
            .expect("a store")
            .revision_count(gid(guild), None)
            .expect("count")
    }
}

/// The id in an "Added kb-…" (or "Saved", "Removed") reply, unescaped.
fn added_id(r: &Value) -> String {
    let title = r["data"]["embeds"][0]["title"].as_str().unwrap_or_default();
    let id = title
        .split_once(' ')
        .map(|(_, id)| id.replace('\\', ""))
        .unwrap_or_default();
    assert!(
        title.starts_with("Added kb-") && id.starts_with("kb-"),
        "{r:#}"
    );
    id
}

fn is_ephemeral(r: &Value) -> bool {
    r["data"]["flags"].as_u64() == Some(64)
}

fn inputs(modal: &Value) -> Vec<Value> {
    modal["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row["components"][0].as_object().cloned().map(Value::Object))
        .collect()
}

fn buttons_of(r: &Value) -> Vec<Value> {
    r["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn choices(r: &Value) -> Vec<(String, String)> {
    r["data"]["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["value"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// "#12 edit kb-… by Moira" headings of a history reply, in order.
fn history_lines(r: &Value) -> Vec<String> {
    r["data"]["embeds"][0]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .map(|n| n.replace('\\', ""))
        .filter(|n| n.starts_with('#'))
        .map(|n| n.split(" · ").next().unwrap_or_default().to_string())
        .collect()
}

fn revision_of(lines: &[String], action: &str) -> i64 {
    lines
        .iter()
        .find(|l| l.split_whitespace().nth(1) == Some(action))
        .and_then(|l| l.trim_start_matches('#').split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {action} in {lines:?}"))
}

#[tokio::test]
async fn a_moderator_adds_edits_removes_and_reverts_an_entry_from_discord() {
    let kb = Kb::start().await;
    let moira = Who::moderator(GUILD);

    // /kb add kind:note opens an empty form with five inputs.
    let form = kb
        .kb("add", json!([string_opt("kind", "note")]), &moira)
        .await;
    assert_eq!(form["type"], 9, "{form:#}");
    assert_eq!(form["data"]["custom_id"], "kbform:add:note");
    let fields = inputs(&form);
    let ids: Vec<&str> = fields
        .iter()
        .map(|f| f["custom_id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["title", "text", "company", "technologies", "sources"]);
    assert_eq!(fields[1]["style"], 2, "the text is a paragraph");
    assert_eq!(fields[0]["style"], 1, "the title is one line");

    // Submitting it adds the entry, ephemerally, and /ask finds it at once.
    let added = kb
        .submit(
            "kbform:add:note",
            &entry_fields(TITLE, TEXT, "Discord", "cassandra", SOURCE),
            &moira,
        )
        .await;
    assert!(is_ephemeral(&added), "{added:#}");
    let id = added_id(&added);
    assert!(kb.ask(QUESTION, &Who::member(GUILD)).await.contains(TITLE));

    // /kb edit opens the form pre-filled; submitting it saves the change.
    let edit = kb.kb("edit", json!([string_opt("id", &id)]), &moira).await;
    assert_eq!(edit["type"], 9, "{edit:#}");
    assert_eq!(edit["data"]["custom_id"], format!("kbform:edit:{id}"));
    let pre = inputs(&edit);
    assert_eq!(pre[0]["value"], TITLE);
    assert_eq!(pre[1]["value"], TEXT);
    assert!(pre[4]["value"].as_str().unwrap_or("").contains(SOURCE));
    let edited_title = "How Discord stores trillions of messages with ScyllaDB";
    let saved = kb
        .submit(
            &format!("kbform:edit:{id}"),
            &entry_fields(edited_title, TEXT, "Discord", "cassandra", SOURCE),
            &moira,
        )
        .await;
    assert!(
        visible_text(&saved)
            .replace('\\', "")
            .contains(&format!("Saved {id}")),
        "{saved:#}"
    );
    assert!(kb
        .ask(QUESTION, &Who::member(GUILD))
        .await
        .contains(edited_title));

    // /kb remove asks first, with a Danger button; clicking it removes.
    let confirm = kb
        .kb("remove", json!([string_opt("id", &id)]), &moira)
        .await;
    assert!(is_ephemeral(&confirm));
    let b = buttons_of(&confirm);
    assert_eq!(b.len(), 1, "{confirm:#}");
    assert_eq!(b[0]["custom_id"], format!("kbrm:{id}"));
    assert_eq!(b[0]["style"], 4, "a Danger button");
    let removed = kb.click(&format!("kbrm:{id}"), &moira).await;
    assert_eq!(
        removed["type"], 7,
        "the confirmation is replaced: {removed:#}"
    );
    assert!(visible_text(&removed).contains("Removed"), "{removed:#}");
    assert!(buttons_of(&removed).is_empty(), "no second click");
    assert!(!kb
        .ask(QUESTION, &Who::member(GUILD))
        .await
        .contains(edited_title));

    // History: remove, edit, add, newest first, by the moderator.
    let hist = kb
        .kb("history", json!([string_opt("id", &id)]), &moira)
        .await;
    let lines = history_lines(&hist);
    let actions: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(actions, ["remove", "edit", "add"], "{lines:?}");
    assert!(lines.iter().all(|l| l.ends_with("by Moira")), "{lines:?}");

    // Revert to the edit brings the entry back.
    let to = revision_of(&lines, "edit");
    let reverted = kb
        .kb(
            "revert",
            json!([string_opt("id", &id), int_opt("revision", to)]),
            &moira,
        )
        .await;
    assert!(visible_text(&reverted).contains("Reverted"), "{reverted:#}");
    assert!(kb
        .ask(QUESTION, &Who::member(GUILD))
        .await
        .contains(edited_title));
    assert_eq!(kb.revisions(GUILD), 4);
}

#[tokio::test]
async fn a_member_without_rights_is_refused_every_write_and_nothing_changes() {
    let kb = Kb::start().await;
    let id = kb.add(&Who::moderator(GUILD)).await;
    let before = kb.revisions(GUILD);
    let mel = Who::member(GUILD);
    let fields = entry_fields("Another note", TEXT, "", "", SOURCE);
    let refused = [
        kb.kb("add", json!([string_opt("kind", "note")]), &mel)
            .await,
        kb.submit("kbform:add:note", &fields, &mel).await,
        kb.kb("edit", json!([string_opt("id", &id)]), &mel).await,
        kb.submit(&format!("kbform:edit:{id}"), &fields, &mel).await,
        kb.kb("remove", json!([string_opt("id", &id)]), &mel).await,
        kb.click(&format!("kbrm:{id}"), &mel).await,
        kb.kb(
            "revert",
            json!([string_opt("id", &id), int_opt("revision", 1)]),
            &mel,
        )
        .await,
        kb.click("kbimp:0123456789abcdef01234567", &mel).await,
    ];
    for r in &refused {
        assert_eq!(r["type"], 4, "a message, never a form: {r:#}");
        assert!(is_ephemeral(r), "{r:#}");
        assert!(
            visible_text(r).contains("Manage Server"),
            "says what is missing: {r:#}"
        );
    }
    assert_eq!(kb.revisions(GUILD), before, "the store is unchanged");
    assert!(kb.ask(QUESTION, &mel).await.contains(TITLE), "still there");
    // Reading is for everyone.
    let shown = kb.kb("show", json!([string_opt("id", &id)]), &mel).await;
    assert!(visible_text(&shown).contains(TITLE), "{shown:#}");
}

#[tokio::test]
async fn a_member_with_a_moderator_role_can_write_and_other_roles_cannot() {
    let roles = Options {
        moderator_roles: vec![ROLE_MOD.parse().expect("role id")],
        ..Options::default()
    };
    let kb = Kb::start_with(roles, None).await;
    let id = kb.add(&Who::with_role(GUILD, ROLE_MOD)).await;
    let hist = kb
        .kb(
            "history",
            json!([string_opt("id", &id)]),
            &Who::member(GUILD),
        )
        .await;
    assert!(
        history_lines(&hist)[0].ends_with("by Rolf"),
        "{:?}",
        history_lines(&hist)
    );
    let other = kb
        .submit(
            "kbform:add:note",
            &entry_fields("A different note", TEXT, "", "", SOURCE),
            &Who::with_role(GUILD, "999999999999999999"),
        )
        .await;
    assert!(visible_text(&other).contains("Not allowed"), "{other:#}");
    assert_eq!(kb.revisions(GUILD), 1);
}

#[tokio::test]
async fn entries_added_in_one_server_are_invisible_in_another() {
    let kb = Kb::start().await;
    let id = kb.add(&Who::moderator(GUILD)).await;
    let a = Who::member(GUILD);
    let b = Who::moderator(GUILD_B);

    assert!(kb.ask(QUESTION, &a).await.contains(TITLE));
    assert!(!kb.ask(QUESTION, &b).await.contains(TITLE));

    // Autocomplete of /kb ids: label the title, value the id, in A only.
    let in_a = choices(
        &kb.send(kb_autocomplete(kb.id(), "edit", "id", "trillions"), &a)
            .await,
    );
    assert!(
        in_a.iter().any(|(n, v)| *v == id && n.contains(TITLE)),
        "{in_a:?}"
    );
    for sub in ["edit", "remove", "show", "history", "revert"] {
        let in_b = choices(
            &kb.send(kb_autocomplete(kb.id(), sub, "id", "trillions"), &b)
                .await,
        );
        assert!(in_b.iter().all(|(_, v)| *v != id), "{sub}: {in_b:?}");
    }
    let everything_b = choices(
        &kb.send(kb_autocomplete(kb.id(), "show", "id", ""), &b)
            .await,
    );
    assert!(everything_b.iter().all(|(_, v)| *v != id));
    // Other commands' autocomplete never offers A's entry in B either.
    for (cmd, opt) in [
        ("stack", "company"),
        ("uses", "technology"),
        ("whatis", "technology"),
    ] {
        let r = kb.send(autocomplete(kb.id(), cmd, opt, "disc"), &b).await;
        assert!(
            choices(&r)
                .iter()
                .all(|(n, v)| *v != id && !n.contains(TITLE)),
            "{cmd}: {r}"
        );
    }

    // /kb show and /kb history in B know nothing of it; B cannot edit or remove it.
    let show = kb.kb("show", json!([string_opt("id", &id)]), &b).await;
    assert!(!visible_text(&show).contains(TITLE), "{show:#}");
    assert!(visible_text(&show).contains("No entry"), "{show:#}");
    let hist = kb.kb("history", json!([]), &b).await;
    assert!(history_lines(&hist).is_empty(), "{hist:#}");
    assert!(visible_text(&hist).contains("No changes yet"));
    let edit = kb.kb("edit", json!([string_opt("id", &id)]), &b).await;
    assert_eq!(edit["type"], 4, "no form for another server's entry");
    let rm = kb.click(&format!("kbrm:{id}"), &b).await;
    assert!(!visible_text(&rm).contains("Removed"), "{rm:#}");
    assert!(kb.ask(QUESTION, &a).await.contains(TITLE), "A keeps it");
    assert_eq!(kb.revisions(GUILD_B), 0);
}

#[tokio::test]
async fn a_direct_message_cannot_write() {
    let kb = Kb::start().await;
    let dm = Who::dm();
    let form = kb.kb("add", json!([string_opt("kind", "note")]), &dm).await;
    assert_eq!(form["type"], 4, "{form:#}");
    assert!(visible_text(&form).contains("Direct messages"), "{form:#}");
    let submitted = kb
        .submit(
            "kbform:add:note",
            &entry_fields(TITLE, TEXT, "", "", SOURCE),
            &dm,
        )
        .await;
    assert!(visible_text(&submitted).contains("Direct messages"));
    let store = kb.app.store.as_ref().expect("store");
    assert!(
        store.guild_ids().expect("guilds").is_empty(),
        "nothing written"
    );
    // Reading in a DM still works, over the shared knowledge only.
    assert!(!kb.ask(QUESTION, &dm).await.is_empty());
}

#[tokio::test]
async fn a_long_history_pages_with_buttons_that_carry_the_page() {
    let kb = Kb::start().await;
    let moira = Who::moderator(GUILD);
    for n in 0..7 {
        let title = format!("Sharding note number {n}");
        let source = format!("https://example.com/sharding/{n}");
        kb.submit(
            "kbform:add:note",
            &entry_fields(&title, TEXT, "", "", &source),
            &moira,
        )
        .await;
    }
    let first = kb.kb("history", json!([]), &moira).await;
    assert_eq!(history_lines(&first).len(), 5);
    assert_eq!(first["data"]["embeds"][0]["footer"]["text"], "Page 1 of 2");
    let next = buttons_of(&first)
        .into_iter()
        .find(|b| b["label"].as_str().unwrap_or("").contains("Older"))
        .expect("an Older button");
    assert_eq!(next["custom_id"], "kbh:1:");
    let second = kb.click("kbh:1:", &Who::member(GUILD)).await;
    assert_eq!(second["type"], 7, "{second:#}");
    assert_eq!(history_lines(&second).len(), 2);
    assert_eq!(second["data"]["embeds"][0]["footer"]["text"], "Page 2 of 2");
    assert!(history_lines(&second)
        .iter()
        .all(|l| !history_lines(&first).contains(l)));
}

#[tokio::test]
async fn kb_replies_obey_discords_limits_even_for_long_hostile_entries() {
    let kb = Kb::start().await;
    let moira = Who::moderator(GUILD);
    let hostile = "@everyone <@123> **bold** `code` ".repeat(8);
    let title = format!("{hostile}{}", "x".repeat(200))
        .chars()
        .take(200)
        .collect::<String>();
    let text = format!("{hostile}\n")
        .repeat(200)
        .chars()
        .take(4000)
        .collect::<String>();
    let sources: Vec<String> = (0..10)
        .map(|n| format!("https://example.com/{n}/{}", "p".repeat(170)))
        .collect();
    let sources = sources.join("\n");
    let added = kb
        .submit(
            "kbform:add:note",
            &entry_fields(&title, &text, &"c".repeat(100), "cassandra", &sources),
            &moira,
        )
        .await;
    let id = added_id(&added);
    for _ in 0..6 {
        let edit = kb.kb("edit", json!([string_opt("id", &id)]), &moira).await;
        limits::check_modal(&edit["data"]).expect("the edit form fits");
        assert!(edit["data"]["title"].as_str().unwrap_or("").chars().count() <= 45);
        let text = format!("{text}!")
            .chars()
            .rev()
            .take(4000)
            .collect::<String>();
        kb.submit(
            &format!("kbform:edit:{id}"),
            &entry_fields(&title, &text, "", "", &sources),
            &moira,
        )
        .await;
    }
    // Every reply passed limits::check in `send`; these are the big ones.
    for r in [
        kb.kb("show", json!([string_opt("id", &id)]), &moira).await,
        kb.kb("history", json!([string_opt("id", &id)]), &moira)
            .await,
        kb.kb("history", json!([]), &moira).await,
        kb.click(&format!("kbh:1:{id}"), &moira).await,
        kb.kb("remove", json!([string_opt("id", &id)]), &moira)
            .await,
    ] {
        assert_eq!(r["data"]["allowed_mentions"], json!({"parse": []}), "{r:#}");
        let t = visible_text(&r);
        assert!(!t.contains("@everyone"), "{t}");
    }
}

/// Serves `body` at a local URL (the stand-in for Discord's attachment CDN).
async fn serve_file(body: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = axum::Router::new().route(
        "/attachments/kb.json",
        get(move || {
            let body = body.clone();
            async move { body }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}/attachments/kb.json")
}

#[tokio::test]
async fn import_previews_an_attached_file_then_applies_it_on_confirm() {
    let kb = Kb::start().await;
    // The file: server B's export.
    kb.add(&Who::moderator(GUILD_B)).await;
    let items = kb
        .app
        .store
        .as_ref()
        .expect("store")
        .export(gid(GUILD_B))
        .expect("export");
    let json = serde_json::to_string(&items).expect("json");
    let url = serve_file(json.clone()).await;
    let moira = Who::moderator(GUILD);

    let preview = kb.send(kb_import(kb.id(), &url, json.len()), &moira).await;
    assert!(
        visible_text(&preview).contains("Import preview"),
        "{preview:#}"
    );
    assert!(visible_text(&preview).contains(TITLE), "lists what it adds");
    let confirm = buttons_of(&preview);
    assert_eq!(confirm.len(), 1, "{preview:#}");
    let token = confirm[0]["custom_id"].as_str().unwrap_or("").to_string();
    assert!(token.starts_with("kbimp:"));
    assert_eq!(kb.revisions(GUILD), 0, "a preview writes nothing");
    assert!(!kb.ask(QUESTION, &moira).await.contains(TITLE));

    // Someone else cannot confirm it; the moderator can.
    let other = kb.click(&token, &Who::member(GUILD)).await;
    assert!(!visible_text(&other).contains("Imported"));
    let done = kb.click(&token, &moira).await;
    assert!(visible_text(&done).contains("Imported"), "{done:#}");
    assert_eq!(kb.revisions(GUILD), 1);
    assert!(kb.ask(QUESTION, &moira).await.contains(TITLE));

    // A member without rights cannot even start an import; too large a file is refused.
    let refused = kb
        .send(kb_import(kb.id(), &url, json.len()), &Who::member(GUILD))
        .await;
    assert!(
        visible_text(&refused).contains("Not allowed"),
        "{refused:#}"
    );
    let big = kb
        .send(kb_import(kb.id(), &url, 3 * 1024 * 1024), &moira)
        .await;
    assert!(visible_text(&big).contains("too large"), "{big:#}");
    let gone = kb
        .send(
            kb_import(kb.id(), "http://127.0.0.1:9/attachments/none.json", 10),
            &moira,
        )
        .await;
    assert!(visible_text(&gone).contains("could not fetch"), "{gone:#}");
}

#[tokio::test]
async fn export_without_a_bot_token_says_it_needs_discord_token() {
    let kb = Kb::start().await;
    kb.add(&Who::moderator(GUILD)).await;
    let r = kb.kb("export", json!([]), &Who::moderator(GUILD)).await;
    assert_eq!(r["type"], 4);
    assert!(is_ephemeral(&r));
    assert!(
        visible_text(&r).replace('\\', "").contains("DISCORD_TOKEN"),
        "{r:#}"
    );
}

#[tokio::test]
async fn export_defers_then_sends_the_servers_entries_as_a_file() {
    let mut fake = FakeDiscord::start().await;
    let http = serenity::all::HttpBuilder::new("test-token")
        .proxy(fake.api_url())
        .ratelimiter_disabled(true)
        .build();
    let kb = Kb::start_with(Options::default(), Some(Arc::new(http))).await;
    kb.add(&Who::moderator(GUILD)).await;

    for (guild, has_entry) in [(GUILD, true), (GUILD_B, false)] {
        let id = kb.id();
        let r = kb
            .send(
                crate::support::kb(id, "export", json!([])),
                &Who::member(guild),
            )
            .await;
        assert_eq!(r["type"], 5, "a deferral: {r:#}");
        assert_eq!(r["data"]["flags"], 64);
        let path = format!("/api/v10/webhooks/{APP_ID}/tok{id}");
        let sent = fake
            .wait_for(WAIT, |e| {
                matches!(e, Event::Rest { method, path: p, .. } if method == "POST" && *p == path)
            })
            .await;
        let Some(Event::Rest {
            content_type, raw, ..
        }) = sent
        else {
            panic!("no followup reached the stand-in: {sent:?}");
        };
        assert!(
            content_type.starts_with("multipart/form-data"),
            "{content_type}"
        );
        let body = String::from_utf8_lossy(&raw);
        assert!(
            body.contains(&format!("archie-kb-{guild}.json")),
            "names the file: {body}"
        );
        assert!(body.contains("\"flags\":64"), "ephemeral: {body}");
        assert!(body.contains("\"parse\":[]"), "pings nobody: {body}");
        assert_eq!(body.contains(TITLE), has_entry, "{guild}: {body}");
    }
}

#[tokio::test]
async fn a_hundred_concurrent_writes_and_reads_lose_nothing() {
    let kb = Arc::new(Kb::start().await);
    let mut tasks = Vec::new();
    for n in 0..100u64 {
        let kb = kb.clone();
        tasks.push(tokio::spawn(async move {
            let moira = Who::moderator(GUILD);
            let title = format!("Concurrent note {n} on partitioning");
            let text = format!("Note {n}: partition keys spread writes evenly across shards.");
            let source = format!("https://example.com/concurrent/{n}");
            let added = kb
                .submit(
                    "kbform:add:note",
                    &entry_fields(&title, &text, "", "", &source),
                    &moira,
                )
                .await;
            added_id(&added);
            let read = kb.ask("partition keys across shards", &moira).await;
            assert!(!read.is_empty());
            let hist = kb.kb("history", json!([]), &Who::member(GUILD)).await;
            assert!(!history_lines(&hist).is_empty());
        }));
    }
    let all = tokio::time::timeout(
        Duration::from_secs(120),
        futures_util::future::join_all(tasks),
    )
    .await
    .expect("100 writers and readers finish within 2 minutes");
    for t in all {
        t.expect("no task failed");
    }
    let store = kb.app.store.as_ref().expect("store");
    assert_eq!(store.revision_count(gid(GUILD), None).expect("count"), 100);
    assert_eq!(store.live(gid(GUILD)).expect("live").len(), 100);
    assert_eq!(store.integrity_check().expect("check"), "ok");
    let hist = kb.kb("history", json!([]), &Who::member(GUILD)).await;
    assert_eq!(
        hist["data"]["embeds"][0]["footer"]["text"], "Page 1 of 20",
        "{hist:#}"
    );
}
