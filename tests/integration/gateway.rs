//! The real `archie` binary against a local stand-in for Discord: gateway mode
//! (IDENTIFY, READY, command registration, interactions answered on the callback route),
//! HTTP mode end to end, `archie register`, graceful shutdown on SIGTERM, and settings
//! that fail at start with the variable's name.

use crate::support::fake_discord::{Event, FakeDiscord};
use crate::support::*;
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

const WAIT: Duration = Duration::from_secs(60);

/// `archie` with a clean environment: the fixture knowledge, a fresh data directory,
/// no Discord settings, and a working directory without a `.env`.
fn archie(tmp: &tempfile::TempDir) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_archie"));
    // Lexical answering: the encoder has its own tests; this one is about the rest.
    c.env("ARCHIE_SEMANTIC", "off");
    for v in [
        "DISCORD_TOKEN",
        "DISCORD_PUBLIC_KEY",
        "DISCORD_APPLICATION_ID",
        "ARCHIE_REGISTER_COMMANDS",
        "ARCHIE_DEV_GUILD",
        "ARCHIE_DISCORD_API_URL",
        "ARCHIE_DATABASE",
        "ARCHIE_MODERATOR_ROLES",
        "ARCHIE_ASK_COOLDOWN",
        "ARCHIE_LOOKUP_COOLDOWN",
        "ARCHIE_KB_COOLDOWN",
        "ARCHIE_REPEAT_WINDOW",
    ] {
        c.env_remove(v);
    }
    c.env("ARCHIE_KNOWLEDGE_DIR", fixture_dir())
        .env("ARCHIE_DATA_DIR", tmp.path().join("data"))
        .env("RUST_LOG", "info")
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    c
}

fn log_file(tmp: &tempfile::TempDir) -> (Stdio, std::path::PathBuf) {
    let path = tmp.path().join("archie.log");
    let f = std::fs::File::create(&path).expect("log file");
    (Stdio::from(f), path)
}

fn log(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Sends SIGTERM and expects a clean exit within 10 s.
async fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill -TERM");
    assert!(sent.success());
    match tokio::time::timeout(Duration::from_secs(10), child.wait()).await {
        Ok(status) => status.expect("exit status"),
        Err(_) => {
            let _ = child.kill().await;
            panic!("archie did not stop within 10 s of SIGTERM");
        }
    }
}

fn callback_for(id: u64) -> impl Fn(&Event) -> bool {
    let path = format!("/api/v10/interactions/{id}/tok{id}/callback");
    move |e| matches!(e, Event::Rest { method, path: p, .. } if method == "POST" && *p == path)
}

fn body(e: Option<Event>) -> Value {
    match e {
        Some(Event::Rest { body, .. }) => body,
        other => panic!("expected a REST call, got {other:?}"),
    }
}

#[tokio::test]
async fn archie_serve_answers_interactions_from_the_gateway_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeDiscord::start().await;
    let (stderr, log_path) = log_file(&tmp);
    let mut child = archie(&tmp)
        .args(["serve", "--register"])
        .env("DISCORD_TOKEN", "fake")
        .env("ARCHIE_DISCORD_API_URL", fake.api_url())
        .env("ARCHIE_DEV_GUILD", GUILD)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn archie serve");

    let identify = fake
        .wait_for(WAIT, |e| matches!(e, Event::Identify(_)))
        .await
        .unwrap_or_else(|| panic!("no IDENTIFY; log:\n{}", log(&log_path)));
    let Event::Identify(d) = identify else {
        unreachable!()
    };
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
        ["ask", "stack", "uses", "whatis", "compare", "read", "help", "kb"]
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
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
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
        "registered 8 commands"
    );
    let put = format!("/api/v10/applications/{APP_ID}/guilds/{GUILD}/commands");
    let defs = body(
        fake.wait_for(
            Duration::from_secs(5),
            |e| matches!(e, Event::Rest { path, .. } if *path == put),
        )
        .await,
    );
    assert_eq!(defs.as_array().map(|a| a.len()), Some(8));
}

async fn fails_at_start(args: &[&str], env: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = archie(&tmp);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = tokio::time::timeout(WAIT, c.output())
        .await
        .expect("archie exits")
        .expect("ran");
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn serve_without_a_token_fails_naming_discord_token() {
    let err = fails_at_start(&["serve"], &[]).await;
    assert!(err.contains("DISCORD_TOKEN is not set"), "{err}");
    assert!(err.contains("Bot page"), "says where to find it: {err}");
}

#[tokio::test]
async fn serve_http_with_a_malformed_public_key_names_the_variable() {
    let err = fails_at_start(
        &["serve", "--http", "127.0.0.1:0"],
        &[("DISCORD_PUBLIC_KEY", "not-a-key")],
    )
    .await;
    assert!(
        err.contains("DISCORD_PUBLIC_KEY is not 64 hex characters"),
        "{err}"
    );
    assert!(err.contains("General Information"), "{err}");
    let err = fails_at_start(&["serve", "--http", "127.0.0.1:0"], &[]).await;
    assert!(err.contains("DISCORD_PUBLIC_KEY is not set"), "{err}");
}

#[tokio::test]
async fn malformed_optional_settings_fail_with_their_names() {
    let err = fails_at_start(
        &["serve"],
        &[("DISCORD_TOKEN", "fake"), ("ARCHIE_DEV_GUILD", "my-server")],
    )
    .await;
    assert!(err.contains("ARCHIE_DEV_GUILD"), "{err}");
    let err = fails_at_start(
        &["serve"],
        &[
            ("DISCORD_TOKEN", "fake"),
            ("ARCHIE_DISCORD_API_URL", "localhost:1"),
        ],
    )
    .await;
    assert!(err.contains("ARCHIE_DISCORD_API_URL"), "{err}");
    for args in [&["serve"][..], &["serve", "--http", "127.0.0.1:0"][..]] {
        let err = fails_at_start(
            args,
            &[
                ("DISCORD_TOKEN", "fake"),
                ("DISCORD_PUBLIC_KEY", &public_key_hex()),
                ("ARCHIE_MODERATOR_ROLES", "123,mods"),
            ],
        )
        .await;
        assert!(
            err.contains("ARCHIE_MODERATOR_ROLES") && err.contains("'mods'"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn kb_works_over_the_gateway_forms_role_rights_and_the_export_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeDiscord::start().await;
    let (stderr, log_path) = log_file(&tmp);
    let mut child = archie(&tmp)
        .args(["serve"])
        .env("DISCORD_TOKEN", "fake")
        .env("ARCHIE_DISCORD_API_URL", fake.api_url())
        .env("ARCHIE_DATABASE", tmp.path().join("kb.db"))
        .env("ARCHIE_MODERATOR_ROLES", format!("123, {ROLE_MOD}"))
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn archie serve");
    fake.wait_for(WAIT, |e| matches!(e, Event::Identify(_)))
        .await
        .unwrap_or_else(|| panic!("no IDENTIFY; log:\n{}", log(&log_path)));

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
async fn malformed_cooldown_settings_fail_with_their_names() {
    for (var, value) in [
        ("ARCHIE_ASK_COOLDOWN", "lots"),
        ("ARCHIE_LOOKUP_COOLDOWN", "5/forever"),
        ("ARCHIE_KB_COOLDOWN", "0/1m"),
        ("ARCHIE_REPEAT_WINDOW", "1h"),
    ] {
        let err = fails_at_start(
            &["serve", "--http", "127.0.0.1:0"],
            &[("DISCORD_PUBLIC_KEY", &public_key_hex()), (var, value)],
        )
        .await;
        assert!(err.contains(var), "{var}: {err}");
        assert!(
            err.contains(&format!("'{value}'")),
            "quotes the value: {err}"
        );
        assert!(
            err.contains("5/30s") || err.contains("5m"),
            "says what a good value looks like: {err}"
        );
    }
}

// ---- Fair use and caught panics over the gateway (the real Handler, in process) -----

mod in_process {
    use super::*;
    use archie::discord::gateway::{Handler, Register};
    use archie::discord::Options;
    use serenity::all::{ClientBuilder, GatewayIntents, HttpBuilder};
    use std::sync::atomic::Ordering;

    const SOON: Duration = Duration::from_secs(20);

    /// Archie's gateway handler with `settings`, connected to the stand-in.
    async fn connect(fake: &mut FakeDiscord, options: Options) -> tokio::task::JoinHandle<()> {
        let http = HttpBuilder::new("fake")
            .proxy(fake.api_url())
            .ratelimiter_disabled(true)
            .build();
        let handler = Handler {
            app: fixture_app(),
            register: Register::No,
            options,
        };
        let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
            .event_handler(handler)
            .await
            .expect("a client");
        let run = tokio::spawn(async move {
            let _ = client.start().await;
        });
        fake.wait_for(SOON, |e| matches!(e, Event::Identify(_)))
            .await
            .expect("IDENTIFY");
        run
    }

    async fn answer_to(fake: &mut FakeDiscord, interaction: Value, id: u64) -> Value {
        fake.dispatch(interaction);
        body(fake.wait_for(SOON, callback_for(id)).await)
    }

    fn ask_as(id: u64, q: &str, who: &Who) -> Value {
        by(command(id, "ask", json!([string_opt("question", q)])), who)
    }

    fn content(resp: &Value) -> String {
        resp["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn answered(resp: &Value) -> bool {
        resp["type"] == 4
            && resp["data"]["embeds"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
    }

    #[tokio::test]
    async fn over_the_gateway_the_sixth_ask_waits_and_a_repeat_links_to_the_earlier_answer() {
        let mut fake = FakeDiscord::start().await;
        let (fair, clock) = fair_use_on_a_test_clock();
        let options = Options {
            fair_use: fair,
            ..Options::default()
        };
        let client = connect(&mut fake, options).await;
        let mel = Who::member(GUILD);
        let t0 = clock.load(Ordering::SeqCst);

        // The first answer is public; the same question again (by someone else, written
        // differently) links to it, using the message id of the original response.
        let first = answer_to(
            &mut fake,
            ask_as(3001, "what does Twitter use for backend", &mel),
            3001,
        )
        .await;
        assert!(
            answered(&first) && first["data"]["flags"].is_null(),
            "{first:#}"
        );
        let again = answer_to(
            &mut fake,
            ask_as(
                3002,
                "What does Twitter use for BACKEND?",
                &Who::moderator(GUILD),
            ),
            3002,
        )
        .await;
        assert_eq!(again["data"]["flags"], 64, "{again:#}");
        assert_eq!(again["data"]["embeds"], json!([]));
        let link = format!("https://discord.com/channels/{GUILD}/{CHANNEL}/777777777777777777");
        assert!(content(&again).contains(&link), "{again:#}");
        let original = format!("/api/v10/webhooks/{APP_ID}/tok3001/messages/@original");
        assert!(
            fake.wait_for(SOON, |e| matches!(e, Event::Rest { method, path, .. }
                if method == "GET" && *path == original))
                .await
                .is_some(),
            "GET {original}"
        );

        // Mel has asked once; four more are answered, the sixth is told when to retry.
        for (i, q) in [
            "caching lessons",
            "who uses mysql",
            "what does Netflix use",
            "what does Instagram use",
        ]
        .iter()
        .enumerate()
        {
            let id = 3010 + i as u64;
            let resp = answer_to(&mut fake, ask_as(id, q, &mel), id).await;
            assert!(answered(&resp), "{q}: {resp:#}");
        }
        let slow = answer_to(&mut fake, ask_as(3020, "who uses cassandra", &mel), 3020).await;
        assert_eq!(slow["data"]["flags"], 64);
        assert_eq!(slow["data"]["allowed_mentions"], json!({"parse": []}));
        let expected = format!("<t:{}:R>", (t0 + 30_000).div_ceil(1000));
        assert!(content(&slow).contains(&expected), "{expected} in {slow:#}");

        // Thirty seconds on, Mel is answered again.
        clock.fetch_add(30_000, Ordering::SeqCst);
        let later = answer_to(&mut fake, ask_as(3021, "who uses cassandra", &mel), 3021).await;
        assert!(answered(&later), "{later:#}");
        client.abort();
    }

    #[tokio::test]
    async fn over_the_gateway_a_panic_while_answering_is_caught_and_answered_with_an_apology() {
        let mut fake = FakeDiscord::start().await;
        let settings = Options {
            executor: panicking_executor,
            ..Options::default()
        };
        let client = connect(&mut fake, settings).await;
        for id in [3100, 3101] {
            let resp = answer_to(
                &mut fake,
                command(id, "ask", json!([string_opt("question", "kafka")])),
                id,
            )
            .await;
            assert_eq!(resp["type"], 4);
            assert_eq!(resp["data"]["flags"], 64);
            assert_eq!(resp["data"]["allowed_mentions"], json!({"parse": []}));
            assert!(
                content(&resp).starts_with("Sorry, something went wrong"),
                "{resp:#}"
            );
        }
        client.abort();
    }
}

#[tokio::test]
#[should_panic(expected = "Archie sent Discord a body it would reject")]
async fn the_stand_in_answers_a_body_discord_would_refuse_with_400_and_fails_the_test() {
    let mut fake = FakeDiscord::start().await;
    let url = format!("{}/api/v10/interactions/1/tok1/callback", fake.api_url());
    let client = reqwest::Client::new();
    let ok = client
        .post(&url)
        .json(&json!({"type": 4, "data": {"content": "fine", "allowed_mentions": {"parse": []}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 204);
    let r = client
        .post(&url)
        .json(&json!({"type": 4, "data": {"content": "x".repeat(2001)}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "Discord refuses content over 2000 characters"
    );
    fake.wait_for(Duration::from_secs(5), |_| false).await;
}
