//! The curation loop over the gateway (the real handler, in process, against the
//! stand-in): a 👎 becomes a gap a moderator answers, after which the question is
//! answered; a member's proposal is approved and becomes searchable; a member's forged
//! click on a moderator button is refused.

use super::in_process::{answer_to, connect_app};
use super::*;
use archie::discord::Options;

fn button_id(r: &Value, label: &str) -> String {
    r["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"].as_str().is_some_and(|l| l.starts_with(label)))
        .and_then(|b| b["custom_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no '{label}' button in {r:#}"))
}

#[tokio::test]
async fn over_the_gateway_a_down_vote_becomes_an_answered_gap_and_a_proposal_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut fake = FakeDiscord::start().await;
    let client = connect_app(
        &mut fake,
        Options::default(),
        kb_app(&dir.path().join("kb.db")),
    )
    .await;
    let (mel, moira) = (Who::member(GUILD), Who::moderator(GUILD));
    let q = "how does twitter store direct messages";
    let mut n = 5000;
    let mut next = || {
        n += 1;
        n
    };

    let id = next();
    let first = answer_to(&mut fake, ask_as(id, q, &mel), id).await;
    let down = button_id(&first, "👎");
    let id = next();
    let voted = answer_to(&mut fake, by(button(id, &down, json!([])), &mel), id).await;
    assert_eq!(voted["data"]["flags"], 64, "{voted:#}");
    let id = next();
    let forged = answer_to(&mut fake, by(button(id, "kbgap:1", json!([])), &mel), id).await;
    assert!(visible_text(&forged).contains("Not allowed"), "{forged:#}");
    let id = next();
    let gaps = answer_to(&mut fake, by(kb(id, "gaps", json!([])), &moira), id).await;
    assert!(visible_text(&gaps).contains(q), "{gaps:#}");
    let id = next();
    let form = answer_to(
        &mut fake,
        by(button(id, &button_id(&gaps, "Answer #"), json!([])), &moira),
        id,
    )
    .await;
    assert_eq!(form["type"], 9, "{form:#}");
    let id = next();
    let fields = entry_fields(
        q,
        "Twitter keeps direct messages in Manhattan, sharded by conversation.",
        "Twitter",
        "manhattan",
        "https://blog.x.com/engineering/en_us/a/2014/manhattan",
    );
    let form_id = form["data"]["custom_id"].as_str().unwrap();
    let added = answer_to(
        &mut fake,
        by(modal_submit(id, form_id, &fields), &moira),
        id,
    )
    .await;
    assert!(
        visible_text(&added).contains("Gap #1 is closed"),
        "{added:#}"
    );
    let id = next();
    let again = answer_to(&mut fake, ask_as(id, q, &mel), id).await;
    assert_eq!(
        again["data"]["embeds"][0]["title"].as_str(),
        Some(q),
        "{again:#}"
    );

    // A member's proposal becomes searchable once a moderator approves it.
    let id = next();
    let form = answer_to(
        &mut fake,
        by(kb(id, "propose", json!([string_opt("kind", "note")])), &mel),
        id,
    )
    .await;
    let fields = entry_fields(
        "Discord's message store",
        "Discord moved its messages from Cassandra to ScyllaDB.",
        "Discord",
        "cassandra",
        "https://discord.com/blog/how-discord-stores-trillions-of-messages",
    );
    let id = next();
    let form_id = form["data"]["custom_id"].as_str().unwrap();
    answer_to(&mut fake, by(modal_submit(id, form_id, &fields), &mel), id).await;
    let id = next();
    let review = answer_to(&mut fake, by(kb(id, "review", json!([])), &moira), id).await;
    let id = next();
    let approved = answer_to(
        &mut fake,
        by(
            button(id, &button_id(&review, "Approve #"), json!([])),
            &moira,
        ),
        id,
    )
    .await;
    assert!(
        visible_text(&approved).contains("searchable now"),
        "{approved:#}"
    );
    let id = next();
    let found = answer_to(&mut fake, ask_as(id, "discord scylladb messages", &mel), id).await;
    assert!(visible_text(&found).contains("ScyllaDB"), "{found:#}");
    client.abort();
}

#[tokio::test]
async fn over_the_gateway_a_quiz_survives_a_restart_and_scores_two_members() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kb.db");
    let ana = Who::named(GUILD, "888888888888888801", "Ana");
    let bo = Who::named(GUILD, "888888888888888802", "Bo");
    let quiz_cmd =
        |id: u64, sub: &str| command(id, "quiz", json!([{"name": sub, "type": 1, "options": []}]));
    let mut fake = FakeDiscord::start().await;
    let app = kb_app(&db);
    let client = connect_app(&mut fake, Options::default(), app.clone()).await;
    let asked = answer_to(&mut fake, by(quiz_cmd(7001, "question"), &ana), 7001).await;
    let ids = quiz_buttons(&asked);
    assert_eq!(ids.len(), 4, "{asked:#}");
    let quiz = quiz_id(&ids[0]);
    let right = app
        .store
        .as_ref()
        .unwrap()
        .quiz(GUILD.parse().unwrap(), quiz)
        .unwrap()
        .unwrap()
        .answer;
    let r = answer_to(
        &mut fake,
        by(button(7002, &ids[right], json!([])), &ana),
        7002,
    )
    .await;
    assert!(visible_text(&r).contains("Right"), "{r:#}");
    client.abort();
    drop(app);

    // Restarted: a new process state on the same store.
    let mut fake = FakeDiscord::start().await;
    let client = connect_app(&mut fake, Options::default(), kb_app(&db)).await;
    let wrong = (right + 3) % 4;
    let r = answer_to(
        &mut fake,
        by(button(7003, &ids[wrong], json!([])), &bo),
        7003,
    )
    .await;
    assert!(
        visible_text(&r).contains("Not this time") && visible_text(&r).contains("1 of 2"),
        "{r:#}"
    );
    let board = answer_to(&mut fake, by(quiz_cmd(7004, "leaderboard"), &bo), 7004).await;
    assert!(
        visible_text(&board).contains("1. Ana — 1 right of 1"),
        "{board:#}"
    );
    client.abort();
}
