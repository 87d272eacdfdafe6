//! `/kb import` and `/kb export` with attached files, and concurrent writes.

use super::*;

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
    assert!(
        token.starts_with("kbimp~:"),
        "a whole file is stashed: {token}"
    );
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

/// The stand-in, and an endpoint with a bot client (`DISCORD_TOKEN`) pointed at it.
async fn with_bot_client() -> (FakeDiscord, Kb) {
    let fake = FakeDiscord::start().await;
    let http = serenity::all::HttpBuilder::new("test-token")
        .proxy(fake.api_url())
        .ratelimiter_disabled(true)
        .build();
    let kb = Kb::start_with(Options::default(), Some(Arc::new(http))).await;
    (fake, kb)
}

#[tokio::test]
async fn export_defers_then_sends_the_servers_entries_as_a_file() {
    let (mut fake, kb) = with_bot_client().await;
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
        let (content_type, raw, _) = fake
            .followup(WAIT, id)
            .await
            .expect("a followup reached the stand-in");
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

#[tokio::test]
async fn export_what_curation_sends_the_servers_gaps_and_proposals() {
    let (mut fake, kb) = with_bot_client().await;
    let mel = Who::member(GUILD);
    kb.ask(QUESTION, &mel).await;
    let form = kb
        .kb("propose", json!([string_opt("kind", "note")]), &mel)
        .await;
    let form_id = form["data"]["custom_id"].as_str().unwrap().to_string();
    kb.submit(
        &form_id,
        &entry_fields(TITLE, TEXT, "Discord", "cassandra", SOURCE),
        &mel,
    )
    .await;
    let id = kb.id();
    let r = kb
        .send(
            crate::support::kb(id, "export", json!([string_opt("what", "curation")])),
            &mel,
        )
        .await;
    assert_eq!(r["type"], 5, "a deferral: {r:#}");
    let (_, raw, _) = fake.followup(WAIT, id).await.expect("a followup");
    let body = String::from_utf8_lossy(&raw);
    assert!(
        body.contains(&format!("archie-curation-{GUILD}.json")),
        "{body}"
    );
    assert!(
        body.contains(QUESTION) && body.contains(TITLE),
        "the gap and the proposal: {body}"
    );
}
