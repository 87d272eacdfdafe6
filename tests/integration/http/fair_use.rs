//! Fair use and caught panics over HTTP: cooldowns, the `/kb` change limit, repeated
//! questions linking to the earlier answer, and an apology instead of a crash.

use super::*;

use crate::support::fake_discord::{Event, FakeDiscord};
use archie::discord::Options;

/// The `<t:UNIX:R>` a slow-down reply names.
fn retry_at(resp: &Value) -> u64 {
    let c = content(resp);
    let start = c
        .find("<t:")
        .unwrap_or_else(|| panic!("no timestamp in {c}"))
        + 3;
    let end = c[start..].find(":R>").expect(":R>") + start;
    c[start..end].parse().expect("unix seconds")
}

const FIVE_QUESTIONS: [&str; 5] = [
    "what does Twitter use for backend",
    "caching lessons",
    "who uses mysql",
    "what does Netflix use",
    "what does Instagram use",
];

#[tokio::test]
async fn a_member_over_the_ask_cooldown_is_told_when_to_try_again_and_others_are_not_slowed() {
    let (settings, clock) = settings_on_a_test_clock();
    let s = http_app(fixture_app()).settings(settings).spawn().await;
    let asker = Who::member(GUILD);
    let t0 = clock.load(Ordering::SeqCst);
    for (i, q) in FIVE_QUESTIONS.iter().enumerate() {
        let (status, resp) = s.post_signed(&ask_as(500 + i as u64, q, &asker)).await;
        assert_eq!(status, 200);
        assert!(answered(&resp), "{q}: {resp:#}");
        clock.fetch_add(1_000, Ordering::SeqCst);
    }
    let (_, slow) = s
        .post_signed(&ask_as(510, "who uses cassandra", &asker))
        .await;
    assert_eq!(slow["type"], 4);
    assert_eq!(slow["data"]["flags"], 64, "only the member sees it");
    assert_eq!(slow["data"]["embeds"], json!([]));
    assert_eq!(slow["data"]["allowed_mentions"], json!({"parse": []}));
    assert!(content(&slow).contains("/ask again"), "{slow:#}");
    // Free again 30 s after the first of the five.
    assert_eq!(retry_at(&slow), (t0 + 30_000).div_ceil(1000));
    // Another member, and the same member in another server, are answered.
    let (_, other) = s
        .post_signed(&ask_as(511, "who uses cassandra", &Who::moderator(GUILD)))
        .await;
    assert!(answered(&other), "{other:#}");
    let (_, elsewhere) = s
        .post_signed(&ask_as(512, "who uses cassandra", &Who::member(GUILD_B)))
        .await;
    assert!(answered(&elsewhere), "{elsewhere:#}");
    // Once the window has passed, the member is answered again.
    clock.store(t0 + 30_000, Ordering::SeqCst);
    let (_, later) = s
        .post_signed(&ask_as(513, "who uses cassandra", &asker))
        .await;
    assert!(answered(&later), "{later:#}");
}

#[tokio::test]
async fn the_eleventh_kb_change_in_a_minute_is_refused_and_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let app = kb_app(&dir.path().join("kb.db"));
    let (settings, clock) = settings_on_a_test_clock();
    let s = http_app(app.clone()).settings(settings).spawn().await;
    let moira = Who::moderator(GUILD);
    let submit = |n: u64| note_submission(600 + n, n, &moira);
    let revisions = || revisions_in_guild(&app);
    for n in 0..10 {
        let (_, resp) = s.post_signed(&submit(n)).await;
        assert!(added(&resp), "{n}: {resp:#}");
    }
    assert_eq!(revisions(), 10);
    let (_, slow) = s.post_signed(&submit(10)).await;
    assert_eq!(slow["data"]["flags"], 64);
    assert!(
        content(&slow).contains("change entries again <t:"),
        "{slow:#}"
    );
    assert_eq!(revisions(), 10, "nothing written");
    // Reading is not a change: /kb history still answers.
    let (_, shown) = s
        .post_signed(&by(kb(620, "history", json!([])), &moira))
        .await;
    assert!(!content(&shown).contains("<t:"), "{shown:#}");
    clock.fetch_add(60_000, Ordering::SeqCst);
    let (_, resp) = s.post_signed(&submit(11)).await;
    assert!(added(&resp), "{resp:#}");
    assert_eq!(revisions(), 11);
}

#[tokio::test]
async fn a_question_repeated_in_the_channel_links_to_the_earlier_answer() {
    let mut fake = FakeDiscord::start().await;
    let (settings, clock) = settings_on_a_test_clock();
    let s = http_app(fixture_app())
        .settings(settings)
        .webhooks(&fake.api_url())
        .spawn()
        .await;
    let (_, first) = s
        .post_signed(&ask_as(
            700,
            "what does Twitter use for backend",
            &Who::member(GUILD),
        ))
        .await;
    assert!(first["data"]["flags"].is_null(), "a public answer");
    assert!(visible_text(&first).contains("Manhattan"));
    // Someone else asks the same, written differently, a minute later.
    clock.fetch_add(60_000, Ordering::SeqCst);
    let (_, again) = s
        .post_signed(&ask_as(
            701,
            "  What does TWITTER use for backend? ",
            &Who::moderator(GUILD),
        ))
        .await;
    assert_eq!(again["type"], 4);
    assert_eq!(again["data"]["flags"], 64, "{again:#}");
    assert_eq!(again["data"]["embeds"], json!([]), "not posted again");
    assert_eq!(again["data"]["allowed_mentions"], json!({"parse": []}));
    let link = format!("https://discord.com/channels/{GUILD}/{CHANNEL}/777777777777777777");
    assert!(content(&again).contains(&link), "{again:#}");
    // The link came from the earlier response's message, fetched with its token.
    let original = format!("/api/v10/webhooks/{APP_ID}/tok700/messages/@original");
    let fetched = fake
        .wait_for(std::time::Duration::from_secs(5), |e| {
            matches!(e, Event::Rest { method, path, .. } if method == "GET" && *path == original)
        })
        .await;
    assert!(fetched.is_some(), "GET {original}");
    // In another channel, privately, or after the window, it is answered anew.
    let mut other_channel = ask_as(
        702,
        "what does Twitter use for backend",
        &Who::member(GUILD),
    );
    other_channel["channel_id"] = json!("444444444444444445");
    other_channel["channel"]["id"] = json!("444444444444444445");
    let (_, resp) = s.post_signed(&other_channel).await;
    assert!(visible_text(&resp).contains("Manhattan"), "{resp:#}");
    let private = by(
        command(
            703,
            "ask",
            json!([
                string_opt("question", "what does Twitter use for backend"),
                bool_opt("private", true)
            ]),
        ),
        &Who::member(GUILD),
    );
    let (_, resp) = s.post_signed(&private).await;
    assert!(visible_text(&resp).contains("Manhattan"), "{resp:#}");
    clock.fetch_add(5 * 60_000, Ordering::SeqCst);
    let (_, resp) = s
        .post_signed(&ask_as(
            704,
            "what does Twitter use for backend",
            &Who::member(GUILD_B),
        ))
        .await;
    assert!(visible_text(&resp).contains("Manhattan"), "{resp:#}");
    let (_, resp) = s
        .post_signed(&ask_as(
            705,
            "what does Twitter use for backend",
            &Who::with_role(GUILD, "1"),
        ))
        .await;
    assert!(
        visible_text(&resp).contains("Manhattan"),
        "the window has passed: {resp:#}"
    );
}

#[tokio::test]
async fn a_repeat_whose_earlier_answer_cannot_be_fetched_is_answered_normally() {
    // A stand-in address nobody listens on.
    let api = format!("http://127.0.0.1:{}", free_port());
    let (settings, _) = settings_on_a_test_clock();
    let s = http_app(fixture_app())
        .settings(settings)
        .webhooks(&api)
        .spawn()
        .await;
    for id in [710, 711] {
        let (_, resp) = s
            .post_signed(&ask_as(
                id,
                "what does Twitter use for backend",
                &Who::member(GUILD),
            ))
            .await;
        assert!(visible_text(&resp).contains("Manhattan"), "{id}: {resp:#}");
        assert!(resp["data"]["flags"].is_null());
    }
}

#[tokio::test]
async fn a_panic_while_answering_is_caught_and_answered_with_an_apology() {
    let settings = Options {
        executor: panicking_executor,
        ..Options::default()
    };
    let s = http_app(fixture_app()).settings(settings).spawn().await;
    for id in [720, 721] {
        let (status, resp) = s
            .post_signed(&command(
                id,
                "ask",
                json!([string_opt("question", "kafka")]),
            ))
            .await;
        assert_eq!(status, 200);
        assert_apology(&resp);
    }
    // The endpoint is still up.
    let r = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

/// A log line written to a buffer the test reads back.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_caught_panic_is_logged_with_the_interaction_id_and_nothing_of_the_token() {
    let settings = Options {
        executor: panicking_executor,
        ..Options::default()
    };
    let payload = command(7_340_001, "ask", json!([string_opt("question", "kafka")]));
    let i: serenity::all::Interaction = serde_json::from_value(payload.clone()).unwrap();
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let out = tracing::subscriber::with_default(subscriber, || {
        archie::discord::respond_with(&fixture_app(), &settings, &i, false)
    });
    let resp = serde_json::to_value(out.response).unwrap();
    assert_apology(&resp);
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("ERROR"), "{log}");
    assert!(
        log.contains("7340001"),
        "the interaction id is logged: {log}"
    );
    assert!(
        log.contains("panicked on purpose"),
        "the panic is logged: {log}"
    );
    let token = payload["token"].as_str().unwrap();
    assert!(!log.contains(token), "the interaction token is not: {log}");
}
