//! Fair use and caught panics over the gateway: the real Handler, in process, against
//! the stand-in.

use super::*;
use archie::discord::gateway::{Handler, Register};
use archie::discord::Options;
use serenity::all::{ClientBuilder, GatewayIntents, HttpBuilder};
use std::sync::atomic::Ordering;

const SOON: Duration = Duration::from_secs(20);

/// Archie's gateway handler with `settings`, connected to the stand-in.
async fn connect(fake: &mut FakeDiscord, settings: Options) -> tokio::task::JoinHandle<()> {
    connect_app(fake, settings, fixture_app()).await
}

/// Archie's gateway handler answering from `app`, connected to the stand-in.
pub(crate) async fn connect_app(
    fake: &mut FakeDiscord,
    settings: Options,
    app: std::sync::Arc<archie::app::App>,
) -> tokio::task::JoinHandle<()> {
    let http = HttpBuilder::new("fake")
        .proxy(fake.api_url())
        .ratelimiter_disabled(true)
        .build();
    let handler = Handler {
        app,
        register: Register::No,
        options: settings,
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

pub(crate) async fn answer_to(fake: &mut FakeDiscord, interaction: Value, id: u64) -> Value {
    fake.dispatch(interaction);
    body(fake.wait_for(SOON, callback_for(id)).await)
}

#[tokio::test]
async fn over_the_gateway_the_sixth_ask_waits_and_a_repeat_links_to_the_earlier_answer() {
    let mut fake = FakeDiscord::start().await;
    let (settings, clock) = settings_on_a_test_clock();
    let client = connect(&mut fake, settings).await;
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
async fn over_the_gateway_the_eleventh_kb_change_in_a_minute_is_refused_and_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let app = kb_app(&dir.path().join("kb.db"));
    let mut fake = FakeDiscord::start().await;
    let (settings, clock) = settings_on_a_test_clock();
    let client = connect_app(&mut fake, settings, app.clone()).await;
    let moira = Who::moderator(GUILD);
    let revisions = || revisions_in_guild(&app);
    for n in 0..10 {
        let id = 3200 + n;
        let resp = answer_to(&mut fake, note_submission(id, n, &moira), id).await;
        assert!(added(&resp), "{n}: {resp:#}");
    }
    assert_eq!(revisions(), 10);
    let slow = answer_to(&mut fake, note_submission(3210, 10, &moira), 3210).await;
    assert_eq!(slow["data"]["flags"], 64);
    assert_eq!(slow["data"]["allowed_mentions"], json!({"parse": []}));
    assert!(
        content(&slow).contains("change entries again <t:"),
        "{slow:#}"
    );
    assert_eq!(revisions(), 10, "nothing written");
    // A minute on, the change goes through.
    clock.fetch_add(60_000, Ordering::SeqCst);
    let resp = answer_to(&mut fake, note_submission(3211, 11, &moira), 3211).await;
    assert!(added(&resp), "{resp:#}");
    assert_eq!(revisions(), 11);
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
        assert_apology(&resp);
    }
    client.abort();
}
