//! The real binary against the stand-in: `archie serve` over the gateway and over HTTP,
//! `/kb` over the gateway, `archie register`, and SIGTERM.

use super::*;

/// `archie serve` over the gateway against `fake`, its log to `stderr`; the caller adds
/// its own settings and spawns it.
fn serving(tmp: &tempfile::TempDir, fake: &FakeDiscord, stderr: Stdio) -> Command {
    let mut c = archie(tmp);
    c.arg("serve")
        .env("DISCORD_TOKEN", "fake")
        .env("ARCHIE_DISCORD_API_URL", fake.api_url())
        .stdout(Stdio::null())
        .stderr(stderr);
    c
}

/// The IDENTIFY the served process sent the stand-in, or the process's log.
async fn identified(fake: &mut FakeDiscord, log_path: &std::path::Path) -> serde_json::Value {
    match fake
        .wait_for(WAIT, |e| matches!(e, Event::Identify(_)))
        .await
        .unwrap_or_else(|| panic!("no IDENTIFY; log:\n{}", log(log_path)))
    {
        Event::Identify(d) => d,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn archie_serve_answers_interactions_from_the_gateway_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeDiscord::start().await;
    let (stderr, log_path) = log_file(&tmp);
    let mut child = serving(&tmp, &fake, stderr)
        .arg("--register")
        .env("ARCHIE_DEV_GUILD", GUILD)
        .spawn()
        .expect("spawn archie serve");

    let d = identified(&mut fake, &log_path).await;
    assert!(d["token"].as_str().unwrap_or_default().contains("fake"));

    // READY carries the application id; --register then uploads the commands to the guild.
    let put = format!("/api/v10/applications/{APP_ID}/guilds/{GUILD}/commands");
    let defs = body(
        fake.wait_for(
            WAIT,
            |e| matches!(e, Event::Rest { method, path, .. } if method == "PUT" && *path == put),
        )
        .await,
    );
    let names: Vec<&str> = defs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "ask",
            "stack",
            "uses",
            "whatis",
            "compare",
            "read",
            "help",
            "quiz",
            "kb",
            "Find an answer"
        ]
    );

    fake.dispatch(command(
        1001,
        "ask",
        json!([string_opt("question", "what does Twitter use for backend")]),
    ));
    fake.dispatch(autocomplete(1002, "compare", "first", "twi"));
    fake.dispatch(command(
        1003,
        "ask",
        json!([
            string_opt("question", "caching lessons"),
            user_opt("for", "999999999999999999")
        ]),
    ));

    let ask = body(fake.wait_for(WAIT, callback_for(1001)).await);
    assert_eq!(ask["type"], 4);
    let desc = ask["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(desc.contains("Manhattan"), "{desc}");
    assert!(desc.contains("](https://blog.twitter.com/"), "{desc}");
    limits::check(&ask, None).unwrap();

    let ac = body(fake.wait_for(WAIT, callback_for(1002)).await);
    assert_eq!(ac["type"], 8);
    assert_eq!(ac["data"]["choices"][0]["value"], "twitter");

    let mention = body(fake.wait_for(WAIT, callback_for(1003)).await);
    assert_eq!(mention["data"]["content"], "<@999999999999999999>");
    limits::check(&mention, Some("999999999999999999")).unwrap();

    // A click on the next-page button, as the gateway delivers it.
    let next = mention["data"]["components"][0]["components"][1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    fake.dispatch(button(1004, &next, mention["data"]["embeds"].clone()));
    let page2 = body(fake.wait_for(WAIT, callback_for(1004)).await);
    assert_eq!(page2["type"], 7);
    let footer = page2["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap();
    assert!(footer.starts_with("Page 2 of "), "{footer}");

    let status = terminate(&mut child).await;
    assert!(
        status.success(),
        "exit {status:?}; log:\n{}",
        log(&log_path)
    );
    let logs = log(&log_path);
    assert!(logs.contains("connected to the Discord gateway"), "{logs}");
    assert!(
        !logs.contains("fake"),
        "the token must never be logged:\n{logs}"
    );
}

#[tokio::test]
async fn archie_serve_http_answers_signed_requests_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let (stderr, log_path) = log_file(&tmp);
    let mut child = archie(&tmp)
        .args(["serve", "--http", &format!("127.0.0.1:{port}")])
        .env("DISCORD_PUBLIC_KEY", public_key_hex())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn archie serve --http");
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            assert_eq!(r.status(), 200);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "endpoint never came up; log:\n{}",
            log(&log_path)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bytes = serde_json::to_vec(&ping()).unwrap();
    let ts = timestamp(0);
    let r = client
        .post(format!("{base}/interactions"))
        .header("x-signature-ed25519", sign(&ts, &bytes))
        .header("x-signature-timestamp", &ts)
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"type": 1}));
    let r = client
        .post(format!("{base}/interactions"))
        .header("x-signature-ed25519", "00".repeat(64))
        .header("x-signature-timestamp", &ts)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let status = terminate(&mut child).await;
    assert!(
        status.success(),
        "exit {status:?}; log:\n{}",
        log(&log_path)
    );
}

#[tokio::test]
async fn archie_register_uploads_the_definitions() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeDiscord::start().await;
    let out = archie(&tmp)
        .args(["register", "--guild", GUILD])
        .env("DISCORD_TOKEN", "fake")
        .env("DISCORD_APPLICATION_ID", APP_ID)
        .env("ARCHIE_DISCORD_API_URL", fake.api_url())
        .output();
    let out = tokio::time::timeout(WAIT, out)
        .await
        .expect("register finished")
        .expect("ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "registered 10 commands"
    );
    let put = format!("/api/v10/applications/{APP_ID}/guilds/{GUILD}/commands");
    let defs = body(
        fake.wait_for(
            Duration::from_secs(5),
            |e| matches!(e, Event::Rest { path, .. } if *path == put),
        )
        .await,
    );
    assert_eq!(defs.as_array().map(|a| a.len()), Some(10));
}

#[tokio::test]
async fn kb_works_over_the_gateway_forms_role_rights_and_the_export_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeDiscord::start().await;
    let (stderr, log_path) = log_file(&tmp);
    let mut child = serving(&tmp, &fake, stderr)
        .env("ARCHIE_DATABASE", tmp.path().join("kb.db"))
        .env("ARCHIE_MODERATOR_ROLES", format!("123, {ROLE_MOD}"))
        .spawn()
        .expect("spawn archie serve");
    identified(&mut fake, &log_path).await;

    // A member whose role is listed opens the form and submits it.
    let rolf = Who::with_role(GUILD, ROLE_MOD);
    fake.dispatch(by(
        kb(2001, "add", json!([string_opt("kind", "qa")])),
        &rolf,
    ));
    let form = body(fake.wait_for(WAIT, callback_for(2001)).await);
    assert_eq!(form["type"], 9, "{form:#}");
    assert_eq!(form["data"]["custom_id"], "kbform:add:qa");
    limits::check(&form, None).unwrap();

    let fields = entry_fields(
        "Why did Discord leave Cassandra?",
        "Hot partitions and garbage-collection pauses made latency unpredictable.",
        "Discord",
        "cassandra",
        "https://discord.com/blog/how-discord-stores-trillions-of-messages",
    );
    fake.dispatch(by(modal_submit(2002, "kbform:add:qa", &fields), &rolf));
    let added = body(fake.wait_for(WAIT, callback_for(2002)).await);
    let title = added["data"]["embeds"][0]["title"].as_str().unwrap_or("");
    assert!(title.starts_with("Added kb-"), "{added:#}");
    assert_eq!(added["data"]["flags"], 64);

    // Without the role or the permission, the same submission is refused.
    fake.dispatch(by(
        modal_submit(2003, "kbform:add:qa", &fields),
        &Who::member(GUILD),
    ));
    let refused = body(fake.wait_for(WAIT, callback_for(2003)).await);
    assert!(
        visible_text(&refused).contains("Not allowed"),
        "{refused:#}"
    );

    // Export: a deferral on the callback, then the file as a multipart followup.
    fake.dispatch(by(kb(2004, "export", json!([])), &Who::member(GUILD)));
    let deferred = body(fake.wait_for(WAIT, callback_for(2004)).await);
    assert_eq!(deferred["type"], 5, "{deferred:#}");
    assert_eq!(deferred["data"]["flags"], 64);
    let path = format!("/api/v10/webhooks/{APP_ID}/tok2004");
    let file = fake
        .wait_for(
            WAIT,
            |e| matches!(e, Event::Rest { method, path: p, .. } if method == "POST" && *p == path),
        )
        .await;
    let Some(Event::Rest {
        content_type, raw, ..
    }) = file
    else {
        panic!("no followup; log:\n{}", log(&log_path));
    };
    assert!(content_type.starts_with("multipart/form-data"));
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.contains(&format!("archie-kb-{GUILD}.json")), "{raw}");
    assert!(raw.contains("Why did Discord leave Cassandra?"), "{raw}");

    let status = terminate(&mut child).await;
    assert!(status.success(), "log:\n{}", log(&log_path));
    // The add was committed before it was acknowledged.
    let store = archie::store::Store::open(&tmp.path().join("kb.db")).unwrap();
    assert_eq!(
        store.revision_count(GUILD.parse().unwrap(), None).unwrap(),
        1
    );
}

#[tokio::test]
async fn in_gateway_mode_metrics_are_served_on_archie_metrics_addr_and_the_intents_are_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeDiscord::start().await;
    let (stderr, log_path) = log_file(&tmp);
    let port = crate::support::free_port();
    let mut child = serving(&tmp, &fake, stderr)
        .env("ARCHIE_METRICS_ADDR", format!("127.0.0.1:{port}"))
        .env("ARCHIE_MESSAGE_CONTENT", "1")
        .spawn()
        .expect("spawn archie serve");
    let d = identified(&mut fake, &log_path).await;
    // GUILDS (1), GUILD_MESSAGES (512), MESSAGE_CONTENT (32768).
    assert_eq!(d["intents"], 1 | 512 | 32768, "{d}");
    fake.dispatch(ask_as(
        51_001,
        "what does Twitter use for backend",
        &Who::member(GUILD),
    ));
    fake.wait_for(WAIT, callback_for(51_001))
        .await
        .unwrap_or_else(|| panic!("no answer; log:\n{}", log(&log_path)));
    let url = format!("http://127.0.0.1:{port}/metrics");
    let deadline = tokio::time::Instant::now() + WAIT;
    let text = loop {
        if let Ok(r) = reqwest::get(&url).await {
            let text = r.text().await.unwrap_or_default();
            if text.contains("archie_interactions_total{command=\"ask\",outcome=\"answered\"}") {
                break text;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no figures; log:\n{}",
            log(&log_path)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let m = crate::operations::parse(&text);
    assert_eq!(
        crate::operations::value(&m, "archie_gateway_shard_connected", &[("shard", "0")]),
        1.0,
        "{text}"
    );
    crate::support::served::terminate(&mut child).await;
}
