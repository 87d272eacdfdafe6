//! Follow-up questions over signed HTTP: every `/ask` and Find-an-answer answer carries a
//! Follow up button; it opens a form with one question; the question is answered in the
//! conversation's context and carries it on. A conversation expires after a day, and one
//! made in another server is not followed.

use super::*;
use archie::search::conversation::Context;
use std::sync::Arc;

/// The Follow up button's id on a response, if it has one.
pub(crate) fn follow_up_button(resp: &Value) -> Option<String> {
    resp["data"]["components"]
        .as_array()?
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"] == "Follow up")
        .and_then(|b| b["custom_id"].as_str().map(str::to_string))
}

/// A server with a store of its own (contexts too long for an id are kept there).
async fn stored() -> (tempfile::TempDir, Arc<archie::app::App>, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    let app = kb_app(&dir.path().join("archie.db"));
    let s = http_app(app.clone()).spawn().await;
    (dir, app, s)
}

fn first_title(resp: &Value) -> String {
    embed(resp)["title"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Clicks `button` as `who`, submits `question` in the form it opens: the answer.
async fn follow_up(s: &TestServer, n: u64, fu: &str, who: &Who, question: &str) -> Value {
    let (status, form) = s.post_signed(&by(button(n, fu, json!([])), who)).await;
    assert_eq!(status, 200);
    assert_eq!(form["type"], 9, "the button opens a form: {form:#}");
    let input = &form["data"]["components"][0]["components"][0];
    assert_eq!(input["custom_id"], "question", "{form:#}");
    assert_eq!(input["label"], "Your follow-up question");
    let id = form["data"]["custom_id"].as_str().expect("the form's id");
    let (status, answer) = s
        .post_signed(&by(modal_submit(n + 1, id, &[("question", question)]), who))
        .await;
    assert_eq!(status, 200);
    answer
}

#[tokio::test]
async fn a_public_and_a_private_answer_carry_a_follow_up_whose_form_asks_in_context() {
    let (_d, _app, s) = stored().await;
    let mel = Who::member(GUILD);
    let (_, first) = s
        .post_signed(&ask_as(
            7001,
            "what does instagram use for its database",
            &mel,
        ))
        .await;
    assert!(answered(&first), "{first:#}");
    let fu = follow_up_button(&first).expect("a Follow up button on the answer");
    assert_limits(&first, None);
    let private = by(
        command(
            7002,
            "ask",
            json!([
                string_opt("question", "what does instagram use for its database"),
                bool_opt("private", true)
            ]),
        ),
        &mel,
    );
    let (_, p) = s.post_signed(&private).await;
    assert_eq!(p["data"]["flags"], 64, "{p:#}");
    assert!(
        follow_up_button(&p).is_some(),
        "a private answer too: {p:#}"
    );

    let answer = follow_up(&s, 7003, &fu, &mel, "and for caching?").await;
    assert!(answered(&answer), "{answer:#}");
    let text = visible_text(&answer);
    assert!(
        text.contains("Read as: and for caching? Instagram"),
        "{text}"
    );
    assert!(first_title(&answer).contains("Instagram"), "{answer:#}");
    assert!(
        text.contains("memcached") || text.contains("Redis"),
        "{text}"
    );
    assert!(
        follow_up_button(&answer).is_some(),
        "the conversation goes on"
    );
    assert_limits(&answer, None);
    // Asked alone, the same words are not about Instagram.
    let (_, alone) = s.post_signed(&ask_as(7005, "and for caching?", &mel)).await;
    assert!(!first_title(&alone).contains("Instagram"), "{alone:#}");
}

#[tokio::test]
async fn find_an_answer_carries_a_follow_up_too() {
    let s = server().await;
    let (_, r) = s
        .post_signed(&find_answer(7101, "what does Twitter use for backend?"))
        .await;
    assert!(answered(&r), "{r:#}");
    let fu = follow_up_button(&r).expect("a Follow up button");
    let answer = follow_up(&s, 7102, &fu, &Who::member(GUILD), "and why?").await;
    assert!(answered(&answer), "{answer:#}");
    assert!(visible_text(&answer).contains("Twitter"), "{answer:#}");
}

#[tokio::test]
async fn a_conversation_a_day_old_or_from_another_server_is_not_followed() {
    let s = server().await;
    let mel = Who::member(GUILD);
    let (_, first) = s
        .post_signed(&ask_as(
            7201,
            "what does instagram use for its database",
            &mel,
        ))
        .await;
    let fu = follow_up_button(&first).expect("a Follow up button");
    // `fu:<minute>:<server>:<context>`: the same conversation, made a day and a minute ago.
    let mut f: Vec<String> = fu.splitn(4, ':').map(str::to_string).collect();
    let minute: i64 = f[1].parse().unwrap();
    f[1] = (minute - 24 * 60 - 1).to_string();
    let old = f.join(":");
    let (_, r) = s
        .post_signed(&by(button(7202, &old, json!([])), &mel))
        .await;
    assert_eq!(r["data"]["flags"], 64, "{r:#}");
    assert!(content(&r).contains("expired"), "{r:#}");
    let other = Who::member("999999999999999999");
    let (_, r) = s
        .post_signed(&by(button(7203, &fu, json!([])), &other))
        .await;
    assert!(content(&r).contains("another server"), "{r:#}");
    // The form itself is checked the same way.
    let form_id = fu.replacen("fu:", "fuq:", 1);
    let (_, r) = s
        .post_signed(&by(
            modal_submit(7204, &form_id, &[("question", "and for caching?")]),
            &other,
        ))
        .await;
    assert!(content(&r).contains("another server"), "{r:#}");
}

#[tokio::test]
async fn a_context_too_long_for_the_id_is_kept_in_the_store_of_its_server_only() {
    let (_d, app, s) = stored().await;
    let long = Context {
        companies: vec!["Instagram".into(), "Pinterest".into()],
        techs: vec!["PostgreSQL".into(), "memcached".into()],
        subject: [
            "database",
            "sharding",
            "replication",
            "failover",
            "backups",
            "indexes",
        ]
        .map(String::from)
        .to_vec(),
        ..Context::default()
    };
    let g: u64 = GUILD.parse().unwrap();
    let id = archie::discord::conversation::button_id(&app, Some(g), &long).expect("kept");
    assert!(id.starts_with("fu~:"), "{id}");
    assert!(id.len() <= 100);
    let mel = Who::member(GUILD);
    let answer = follow_up(&s, 7301, &id, &mel, "why?").await;
    assert!(answered(&answer), "{answer:#}");
    assert!(
        visible_text(&answer).contains("Read as: why? Instagram"),
        "{answer:#}"
    );
    let (_, r) = s
        .post_signed(&by(
            button(7303, &id, json!([])),
            &Who::member("999999999999999999"),
        ))
        .await;
    assert!(
        content(&r).contains("expired"),
        "another server's key: {r:#}"
    );
}

#[tokio::test]
async fn a_declined_follow_up_reaches_the_gaps_with_its_context() {
    let (_d, app, s) = stored().await;
    // A conversation about a company the knowledge does not hold.
    let figma = Context {
        unknown: vec!["figma".into()],
        subject: vec!["database".into()],
        ..Context::default()
    };
    let g: u64 = GUILD.parse().unwrap();
    let id = archie::discord::conversation::button_id(&app, Some(g), &figma).expect("an id");
    let mel = Who::member(GUILD);
    let answer = follow_up(&s, 7401, &id, &mel, "and for caching?").await;
    assert!(
        !answered(&answer),
        "nothing about Figma is known: {answer:#}"
    );
    let (_, gaps) = s
        .post_signed(&by(kb(7403, "gaps", json!([])), &Who::moderator(GUILD)))
        .await;
    let text = visible_text(&gaps);
    assert!(
        text.contains("and for caching?") && text.contains("Figma"),
        "the follow-up is a gap, with its context: {text}"
    );
}

#[tokio::test]
async fn only_the_posts_author_can_mark_a_forum_answer_as_the_one() {
    let (_d, _app, s) = stored().await;
    let mel = Who::member(GUILD);
    let (_, first) = s
        .post_signed(&ask_as(
            7501,
            "what does instagram use for its database",
            &mel,
        ))
        .await;
    let vote = first["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find_map(|b| {
            b["custom_id"]
                .as_str()
                .filter(|c| c.starts_with("vote+:"))
                .map(String::from)
        })
        .expect("the answer's 👍");
    let ask: i64 = vote.trim_start_matches("vote+:").parse().unwrap();
    let solved = archie::discord::custom_id::solved(ask, MEMBER.parse().unwrap());
    let other = Who::named(GUILD, "888888888888888884", "Olli");
    let (_, r) = s
        .post_signed(&by(button(7502, &solved, json!([])), &other))
        .await;
    assert!(content(&r).contains("Only the post's author"), "{r:#}");
    let (_, r) = s
        .post_signed(&by(button(7503, &solved, json!([])), &mel))
        .await;
    assert_eq!(r["data"]["flags"], 64, "{r:#}");
    assert!(!content(&r).contains("Only the post's author"), "{r:#}");
    // It counts as the author's 👍 in the server's figures.
    let (_, stats) = s
        .post_signed(&by(kb(7504, "stats", json!([])), &Who::moderator(GUILD)))
        .await;
    assert!(
        visible_text(&stats).contains("👍 1"),
        "{}",
        visible_text(&stats)
    );
}
