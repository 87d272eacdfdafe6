//! The HTTP interactions endpoint, driven the way Discord drives it: signed requests with
//! the documented payloads against the real router on 127.0.0.1:0.

use crate::support::*;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

async fn server() -> TestServer {
    spawn_http(fixture_app()).await
}

fn embed(resp: &Value) -> &Value {
    &resp["data"]["embeds"][0]
}

fn buttons(resp: &Value) -> Vec<Value> {
    resp["data"]["components"][0]["components"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn assert_limits(resp: &Value, mention: Option<&str>) {
    if let Err(e) = limits::check(resp, mention) {
        panic!("{e}\nresponse: {resp:#}");
    }
}

async fn ask(s: &TestServer, q: &str) -> Value {
    let (status, resp) = s
        .post_signed(&command(10, "ask", json!([string_opt("question", q)])))
        .await;
    assert_eq!(status, 200);
    resp
}

#[tokio::test]
async fn healthz_answers_200() {
    let s = server().await;
    let r = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ok"], true);
}

#[tokio::test]
async fn a_ping_is_answered_with_a_pong() {
    let s = server().await;
    let (status, resp) = s.post_signed(&ping()).await;
    assert_eq!(status, 200);
    assert_eq!(resp, json!({"type": 1}));
}

#[tokio::test]
async fn ask_answers_with_an_embed_that_names_manhattan_bolds_matches_and_links_its_source() {
    let s = server().await;
    let resp = ask(&s, "what does Twitter use for backend").await;
    assert_eq!(resp["type"], 4);
    let e = embed(&resp);
    let desc = e["description"].as_str().unwrap();
    assert!(desc.contains("Manhattan"), "{desc}");
    assert!(
        desc.contains("**backend**"),
        "matched words are bold: {desc}"
    );
    assert!(
        desc.contains("](https://blog.twitter.com/engineering/"),
        "a source link: {desc}"
    );
    assert_eq!(e["title"], "What does Twitter use for backend?");
    assert!(e["url"]
        .as_str()
        .unwrap()
        .starts_with("https://blog.twitter.com/"));
    // Related entries follow the best answer.
    assert!(!e["fields"].as_array().unwrap().is_empty());
    // Public, pings nobody.
    assert!(resp["data"]["flags"].is_null());
    assert_eq!(resp["data"]["allowed_mentions"], json!({"parse": []}));
    assert_limits(&resp, None);
}

#[tokio::test]
async fn private_true_makes_the_answer_ephemeral() {
    let s = server().await;
    let body = command(
        11,
        "ask",
        json!([
            string_opt("question", "what does Twitter use for backend"),
            bool_opt("private", true)
        ]),
    );
    let (_, resp) = s.post_signed(&body).await;
    assert_eq!(resp["type"], 4);
    assert_eq!(resp["data"]["flags"], 64);
    assert!(embed(&resp)["description"]
        .as_str()
        .unwrap()
        .contains("Manhattan"));
}

#[tokio::test]
async fn for_a_member_mentions_that_member_and_nobody_else() {
    let s = server().await;
    let body = command(
        12,
        "stack",
        json!([
            string_opt("company", "twitter"),
            user_opt("for", "999999999999999999")
        ]),
    );
    let (_, resp) = s.post_signed(&body).await;
    assert_eq!(resp["data"]["content"], "<@999999999999999999>");
    assert_eq!(
        resp["data"]["allowed_mentions"],
        json!({"parse": [], "users": ["999999999999999999"]})
    );
    assert_limits(&resp, Some("999999999999999999"));
}

#[tokio::test]
async fn autocomplete_offers_twitter_by_its_id_for_twi() {
    let s = server().await;
    let (status, resp) = s
        .post_signed(&autocomplete(13, "stack", "company", "twi"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(resp["type"], 8);
    let choices = resp["data"]["choices"].as_array().unwrap();
    assert_eq!(choices[0], json!({"name": "Twitter", "value": "twitter"}));
    assert_limits(&resp, None);
}

#[tokio::test]
async fn autocomplete_completes_technologies_through_their_aliases() {
    let s = server().await;
    let (_, resp) = s
        .post_signed(&autocomplete(14, "whatis", "technology", "postgres"))
        .await;
    let choices = resp["data"]["choices"].as_array().unwrap();
    assert_eq!(choices[0]["value"], "tech-postgresql");
    assert!(choices[0]["name"]
        .as_str()
        .unwrap()
        .starts_with("PostgreSQL"));
    // Nothing typed yet: the first 25 names, never more.
    let (_, resp) = s
        .post_signed(&autocomplete(15, "compare", "second", ""))
        .await;
    assert_eq!(resp["data"]["choices"].as_array().unwrap().len(), 25);
    assert_limits(&resp, None);
}

#[tokio::test]
async fn autocomplete_on_an_option_without_names_answers_an_empty_list() {
    let s = server().await;
    let (_, resp) = s
        .post_signed(&autocomplete(30, "ask", "question", "what"))
        .await;
    assert_eq!(resp, json!({"type": 8, "data": {"choices": []}}));
}

#[tokio::test]
async fn names_typed_freely_work_as_well_as_picked_ids() {
    let s = server().await;
    for (i, company) in ["twitter", "Twitter", " TWITTER ", "X"].iter().enumerate() {
        let (_, resp) = s
            .post_signed(&command(
                160 + i as u64,
                "stack",
                json!([string_opt("company", company)]),
            ))
            .await;
        assert_eq!(
            embed(&resp)["title"],
            "Twitter technology stack",
            "{company}"
        );
    }
    for (i, tech) in ["tech-postgresql", "postgres", "postgre-sql"]
        .iter()
        .enumerate()
    {
        let (_, resp) = s
            .post_signed(&command(
                170 + i as u64,
                "whatis",
                json!([string_opt("technology", tech)]),
            ))
            .await;
        assert_eq!(embed(&resp)["title"], "PostgreSQL", "{tech}");
    }
}

#[tokio::test]
async fn the_next_button_updates_the_message_to_page_2() {
    let s = server().await;
    let first = ask(&s, "caching lessons").await;
    let b = buttons(&first);
    assert_eq!(b.len(), 2);
    assert_eq!(b[0]["disabled"], true, "no previous page on page 1");
    assert_eq!(b[1]["custom_id"], "ask:1:caching lessons");
    let footer = embed(&first)["footer"]["text"].as_str().unwrap();
    assert_eq!(footer, "Page 1 of 5 · Asked: caching lessons");
    let next = b[1]["custom_id"].as_str().unwrap().to_string();
    let click = button(18, &next, json!([embed(&first)]));
    let (status, resp) = s.post_signed(&click).await;
    assert_eq!(status, 200);
    assert_eq!(resp["type"], 7, "UPDATE_MESSAGE");
    let footer = embed(&resp)["footer"]["text"].as_str().unwrap();
    assert!(footer.starts_with("Page 2 of "), "{footer}");
    assert_ne!(embed(&resp)["title"], embed(&first)["title"]);
    let b = buttons(&resp);
    assert_eq!(b[0]["custom_id"], "ask:0:caching lessons");
    assert_eq!(b[0]["disabled"], false);
    assert!(
        resp["data"]["content"].is_null(),
        "an update keeps the content"
    );
    assert_limits(&resp, None);
}

#[tokio::test]
async fn a_question_too_long_for_the_button_id_is_kept_by_the_server_not_read_from_the_message() {
    let s = server().await;
    let q = "what does Twitter use for backend storage of tweets and direct messages, \
             and which database clusters serve heavy read and heavy write traffic?";
    let first = ask(&s, q).await;
    assert_eq!(first["type"], 4, "{first:#}");
    let next = buttons(&first)[1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(next.starts_with("ask~:1:") && next.len() <= 100, "{next}");
    // The click carries no copy of the message: nothing is read from what a member sees.
    let (_, resp) = s.post_signed(&button(19, &next, json!([]))).await;
    assert_eq!(resp["type"], 7, "{resp:#}");
    let footer = embed(&resp)["footer"]["text"].as_str().unwrap();
    assert!(footer.starts_with("Page 2 of "), "{footer}");
    assert!(footer.contains("heavy read"), "the same question: {footer}");
    // A process that never saw the question (another replica, a restart) refuses briefly.
    let fresh = archie::app::App::in_memory(
        archie::knowledge::Knowledge::load(&fixture_dir()).expect("the fixture loads"),
    )
    .expect("the fixture index builds");
    let other = spawn_http(std::sync::Arc::new(fresh)).await;
    let (_, resp) = other.post_signed(&button(20, &next, json!([]))).await;
    assert_eq!(resp["type"], 4);
    assert_eq!(resp["data"]["flags"], 64);
    assert!(
        resp["data"]["content"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{resp:#}"
    );
}

#[tokio::test]
async fn a_long_list_is_split_into_screens_with_buttons() {
    let s = server().await;
    let (_, first) = s
        .post_signed(&command(
            21,
            "uses",
            json!([string_opt("technology", "mysql")]),
        ))
        .await;
    assert_limits(&first, None);
    let names = |r: &Value| -> Vec<String> {
        embed(r)["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let page1 = names(&first);
    assert!(page1.contains(&"Facebook".to_string()));
    let next = buttons(&first)[1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(next, "uses:1:mysql");
    let (_, second) = s
        .post_signed(&button(22, &next, json!([embed(&first)])))
        .await;
    assert_eq!(second["type"], 7);
    let page2 = names(&second);
    assert!(page2.contains(&"Twitter".to_string()), "{page2:?}");
    assert!(page1.iter().all(|n| !page2.contains(n) || n == "Sources"));
    assert_limits(&second, None);
}

#[tokio::test]
async fn an_unknown_name_is_a_short_ephemeral_sentence_with_did_you_mean() {
    let s = server().await;
    let (_, resp) = s
        .post_signed(&command(
            23,
            "stack",
            json!([string_opt("company", "Twiter")]),
        ))
        .await;
    assert_eq!(resp["type"], 4);
    assert_eq!(resp["data"]["flags"], 64);
    assert_eq!(resp["data"]["embeds"], json!([]));
    let content = resp["data"]["content"].as_str().unwrap();
    assert!(content.contains("did you mean Twitter"), "{content}");
    assert_limits(&resp, None);
}

#[tokio::test]
async fn a_question_archie_cannot_answer_gets_suggestions_not_a_guess() {
    let s = server().await;
    let resp = ask(&s, "best pancake recipe").await;
    assert_eq!(resp["data"]["flags"], 64);
    assert_eq!(resp["data"]["embeds"], json!([]));
    let content = resp["data"]["content"].as_str().unwrap();
    assert!(content.contains("I don't know that yet"), "{content}");
    assert!(content.contains("/stack"), "{content}");
}

#[tokio::test]
async fn an_unknown_command_is_refused_politely() {
    let s = server().await;
    let (_, resp) = s.post_signed(&command(24, "deploy", json!([]))).await;
    assert_eq!(resp["data"]["flags"], 64);
    assert!(resp["data"]["content"].as_str().unwrap().contains("/help"));
}

#[tokio::test]
async fn requests_without_a_valid_signature_get_401_and_are_never_handled() {
    let s = server().await;
    let body = serde_json::to_vec(&command(25, "help", json!([]))).unwrap();
    let other = serde_json::to_vec(&command(26, "ask", json!([]))).unwrap();
    let ts = timestamp(0);
    let good = sign(&ts, &body);
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("no headers", vec![]),
        ("no timestamp", vec![("x-signature-ed25519", good.clone())]),
        ("no signature", vec![("x-signature-timestamp", ts.clone())]),
        (
            "signature of another body",
            vec![
                ("x-signature-ed25519", sign(&ts, &other)),
                ("x-signature-timestamp", ts.clone()),
            ],
        ),
        (
            "another timestamp",
            vec![
                ("x-signature-ed25519", good.clone()),
                ("x-signature-timestamp", timestamp(1)),
            ],
        ),
        (
            "garbage signature",
            vec![
                ("x-signature-ed25519", "zz".repeat(64)),
                ("x-signature-timestamp", ts.clone()),
            ],
        ),
        (
            "one flipped bit",
            vec![
                ("x-signature-ed25519", {
                    let mut g = good.clone().into_bytes();
                    g[0] = if g[0] == b'0' { b'1' } else { b'0' };
                    String::from_utf8(g).unwrap()
                }),
                ("x-signature-timestamp", ts.clone()),
            ],
        ),
    ];
    let n = cases.len() as u64;
    for (what, headers) in cases {
        let (status, _) = s.post_raw(body.clone(), &headers).await;
        assert_eq!(status, 401, "{what}");
    }
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 0);
    assert_eq!(s.endpoint.rejected.load(Ordering::Relaxed), n);
    // The same body, correctly signed, is handled.
    let (status, _) = s
        .post_raw(
            body,
            &[("x-signature-ed25519", good), ("x-signature-timestamp", ts)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn malformed_json_with_a_valid_signature_gets_400() {
    let s = server().await;
    for body in [&b"{not json"[..], b"{\"type\": 99}", b"[]"] {
        let (status, _) = s.post_raw(body.to_vec(), &signed_headers(body, 0)).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(body));
    }
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 0);
}

// ---- Hardening: replay window, replays, body cap ------------------------------------

#[tokio::test]
async fn a_signed_request_stamped_a_day_ago_or_an_hour_ahead_gets_401_and_a_fresh_one_200() {
    let s = server().await;
    let body = serde_json::to_vec(&command(40, "help", json!([]))).unwrap();
    for (what, offset) in [("a day old", -86_400), ("an hour ahead", 3_600)] {
        let (status, text) = s
            .post_raw(body.clone(), &signed_headers(&body, offset))
            .await;
        assert_eq!(status, 401, "{what}");
        assert!(text.contains("5-minute window"), "{what}: {text}");
    }
    // A timestamp that is no number, correctly signed, is refused too.
    let (status, _) = s
        .post_raw(
            body.clone(),
            &[
                ("x-signature-ed25519", sign("yesterday", &body)),
                ("x-signature-timestamp", "yesterday".into()),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 0);
    assert_eq!(s.endpoint.rejected.load(Ordering::Relaxed), 3);
    // Within the window (a little clock skew either way) the same body is answered.
    let (status, text) = s.post_raw(body.clone(), &signed_headers(&body, -60)).await;
    assert_eq!(status, 200, "{text}");
    let resp: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(resp["type"], 4);
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn the_same_signed_interaction_delivered_twice_is_refused_the_second_time() {
    let s = server().await;
    let body = serde_json::to_vec(&command(
        41,
        "ask",
        json!([string_opt("question", "what does Twitter use for backend")]),
    ))
    .unwrap();
    let headers = signed_headers(&body, 0);
    let (first, text) = s.post_raw(body.clone(), &headers).await;
    assert_eq!(first, 200);
    assert!(text.contains("Manhattan"), "{text}");
    let (again, text) = s.post_raw(body.clone(), &headers).await;
    assert_eq!(again, 401, "{text}");
    assert_eq!(text, "interaction already delivered");
    // Re-signed with a new timestamp it is still the same interaction.
    let resigned_headers = signed_headers(&body, 1);
    let (resigned, _) = s.post_raw(body, &resigned_headers).await;
    assert_eq!(resigned, 401);
    // PINGs are keyed by their id as well.
    let ping = serde_json::to_vec(&ping()).unwrap();
    let (status, text) = s.post_raw(ping.clone(), &signed_headers(&ping, 0)).await;
    assert_eq!((status, text.as_str()), (200, r#"{"type":1}"#));
    let (status, _) = s.post_raw(ping.clone(), &signed_headers(&ping, 0)).await;
    assert_eq!(status, 401);
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 2);
    // Another interaction is answered as usual.
    let (status, _) = s.post_signed(&command(42, "help", json!([]))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_body_over_the_cap_gets_413_saying_the_limit_and_a_full_modal_submit_fits() {
    use archie::discord::http::MAX_BODY;
    let s = server().await;
    let mut big = command(43, "ask", json!([string_opt("question", "x")]));
    big["padding"] = json!("a".repeat(MAX_BODY));
    let bytes = serde_json::to_vec(&big).unwrap();
    assert!(bytes.len() > MAX_BODY);
    let (status, text) = s.post_raw(bytes.clone(), &signed_headers(&bytes, 0)).await;
    assert_eq!(status, 413);
    assert!(
        text.contains(&MAX_BODY.to_string()) && text.contains("256 KiB"),
        "{text}"
    );
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 0);
    // The largest form Discord can send — five inputs of 4,000 four-byte characters —
    // is well under the cap and is answered (here: no store, so a polite refusal).
    let long = "😀".repeat(4000);
    let fields = entry_fields(&long, &long, &long, &long, &long);
    let submit = by(
        modal_submit(44, "kbform:add:note", &fields),
        &Who::moderator(GUILD),
    );
    let bytes = serde_json::to_vec(&submit).unwrap();
    assert!(bytes.len() > 80_000 && bytes.len() < MAX_BODY);
    let (status, text) = s.post_raw(bytes.clone(), &signed_headers(&bytes, 0)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 1);
}

// ---- Fair use and caught panics over HTTP -------------------------------------------

use crate::support::fake_discord::{Event, FakeDiscord};
use archie::discord::Options;

/// An answer with embeds (not a refusal or a slow-down sentence).
fn answered(resp: &Value) -> bool {
    resp["type"] == 4
        && resp["data"]["embeds"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
}

fn content(resp: &Value) -> String {
    resp["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

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

fn ask_as(id: u64, q: &str, who: &Who) -> Value {
    by(command(id, "ask", json!([string_opt("question", q)])), who)
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
    let (fair, clock) = fair_use_on_a_test_clock();
    let settings = Options {
        fair_use: fair,
        ..Options::default()
    };
    let s = spawn_http_with(fixture_app(), settings, None).await;
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
    let (fair, clock) = fair_use_on_a_test_clock();
    let settings = Options {
        fair_use: fair,
        ..Options::default()
    };
    let s = spawn_http_with(app.clone(), settings, None).await;
    let moira = Who::moderator(GUILD);
    let submit = |n: u64| {
        let title = format!("Lesson number {n} from the outage review");
        let source = format!("https://example.com/lessons/{n}");
        by(
            modal_submit(
                600 + n,
                "kbform:add:note",
                &entry_fields(
                    &title,
                    "Write the postmortem within a week.",
                    "",
                    "",
                    &source,
                ),
            ),
            &moira,
        )
    };
    let revisions = || {
        app.store
            .as_ref()
            .unwrap()
            .revision_count(GUILD.parse().unwrap(), None)
            .unwrap()
    };
    for n in 0..10 {
        let (_, resp) = s.post_signed(&submit(n)).await;
        let title = resp["data"]["embeds"][0]["title"].as_str().unwrap_or("");
        assert!(title.starts_with("Added kb-"), "{n}: {resp:#}");
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
    assert!(
        resp["data"]["embeds"][0]["title"]
            .as_str()
            .unwrap_or("")
            .starts_with("Added kb-"),
        "{resp:#}"
    );
    assert_eq!(revisions(), 11);
}

#[tokio::test]
async fn a_question_repeated_in_the_channel_links_to_the_earlier_answer() {
    let mut fake = FakeDiscord::start().await;
    let (fair, clock) = fair_use_on_a_test_clock();
    let settings = Options {
        fair_use: fair,
        ..Options::default()
    };
    let s = spawn_http_webhooks(fixture_app(), settings, &fake.api_url()).await;
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
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (fair, _) = fair_use_on_a_test_clock();
    let settings = Options {
        fair_use: fair,
        ..Options::default()
    };
    let s = spawn_http_webhooks(fixture_app(), settings, &api).await;
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
    let s = spawn_http_with(fixture_app(), settings, None).await;
    for id in [720, 721] {
        let (status, resp) = s
            .post_signed(&command(
                id,
                "ask",
                json!([string_opt("question", "kafka")]),
            ))
            .await;
        assert_eq!(status, 200);
        assert_eq!(resp["type"], 4);
        assert_eq!(resp["data"]["flags"], 64);
        assert_eq!(resp["data"]["allowed_mentions"], json!({"parse": []}));
        assert!(
            content(&resp).starts_with("Sorry, something went wrong"),
            "{resp:#}"
        );
    }
    // The endpoint is still up.
    let r = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
