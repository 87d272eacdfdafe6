//! Discord's 3-second deadline: work that is not done in time is deferred at once, and the
//! original response is edited with the true answer when it is.

use super::*;

use crate::support::fake_discord::{Event, FakeDiscord};
use archie::discord::Options;
use std::time::{Duration, Instant};

/// The default executor, three seconds late (a store that stalls).
fn slow_executor(
    app: &archie::app::App,
    stash: &archie::discord::stash::Stash,
    caller: &archie::commands::Caller,
    incoming: archie::discord::interaction::Incoming,
    files: bool,
) -> archie::discord::Outgoing {
    std::thread::sleep(Duration::from_secs(3));
    archie::discord::answer_incoming(app, stash, caller, incoming, files)
}

/// The endpoint with [`slow_executor`], editing responses through `fake`.
async fn slow_server(fake: &FakeDiscord) -> TestServer {
    let settings = Options {
        executor: slow_executor,
        ..Options::default()
    };
    http_app(fixture_app())
        .settings(settings)
        .webhooks(&fake.api_url())
        .spawn()
        .await
}

#[tokio::test]
async fn a_slow_answer_is_deferred_within_the_deadline_then_the_original_is_edited() {
    let mut fake = FakeDiscord::start().await;
    let s = slow_server(&fake).await;
    let started = Instant::now();
    let (status, first) = s
        .post_signed(&ask_as(
            900,
            "what does Twitter use for backend",
            &Who::member(GUILD),
        ))
        .await;
    let took = started.elapsed();
    assert_eq!(status, 200);
    assert!(
        took < Duration::from_millis(2900),
        "first response after {took:?}"
    );
    assert_eq!(first["type"], 5, "deferred: {first:#}");
    assert!(
        first["data"].get("flags").is_none(),
        "a public answer defers publicly"
    );
    // The answer replaces "thinking…" once it exists: the whole answer, pinging nobody.
    let original = format!("/api/v10/webhooks/{APP_ID}/tok900/messages/@original");
    let edit = fake
        .wait_for(Duration::from_secs(10), |e| {
            matches!(e, Event::Rest { method, path, .. } if method == "PATCH" && *path == original)
        })
        .await
        .expect("PATCH of the original response");
    let Event::Rest { body, .. } = edit else {
        unreachable!()
    };
    assert!(
        body["embeds"].to_string().contains("Manhattan"),
        "the answer itself: {body:#}"
    );
    assert_eq!(body["allowed_mentions"], json!({"parse": []}));
    assert!(body.get("flags").is_none(), "{body:#}");
}

#[tokio::test]
async fn a_slow_moderator_command_defers_privately() {
    let fake = FakeDiscord::start().await;
    let s = slow_server(&fake).await;
    let kb = by(
        command(
            901,
            "kb",
            json!([{"type": 1, "name": "stats", "options": []}]),
        ),
        &Who::moderator(GUILD),
    );
    let (_, first) = s.post_signed(&kb).await;
    assert_eq!(first["type"], 5, "{first:#}");
    assert_eq!(first["data"]["flags"], 64, "only the moderator sees it");
}
