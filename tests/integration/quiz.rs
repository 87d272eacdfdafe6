//! `/quiz`: thousands of generated questions each have exactly one true choice by the
//! knowledge's own facts; over the signed endpoint and the gateway, a quiz is answered
//! right and wrong by two members, once each, with a restart in between, and the
//! leaderboard names them without pinging.

use crate::support::*;
use archie::knowledge::{Knowledge, Layer};
use archie::quiz::{About, Facts, QuizKind, CHOICES};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Value};

fn real_knowledge() -> Knowledge {
    Knowledge::load(&shipped_dir()).expect("the knowledge loads")
}

#[test]
fn every_generated_question_has_exactly_one_true_choice() {
    let k = real_knowledge();
    let facts = Facts::gather(&k, k.entries.iter());
    let companies: Vec<_> = k.companies.items.iter().take(40).collect();
    let techs: Vec<_> = k.techs.items.iter().take(60).collect();
    let mut made = 0;
    let mut kinds = [0usize; 3];
    for seed in 0..4000u64 {
        let about = match seed % 4 {
            0 => About::Anything,
            1 => About::Company(companies[(seed as usize / 4) % companies.len()]),
            2 => About::Tech(techs[(seed as usize / 4) % techs.len()]),
            _ => About::Layer(Layer::ALL[(seed as usize / 4) % Layer::ALL.len()]),
        };
        let mut rng = StdRng::seed_from_u64(seed);
        let Some(q) = facts.question(about, &mut rng) else {
            continue;
        };
        made += 1;
        kinds[match q.asked {
            QuizKind::WhichCompany { .. } => 0,
            QuizKind::CompanyLayer { .. } => 1,
            QuizKind::KindOf { .. } => 2,
        }] += 1;
        assert_eq!(q.choices.len(), CHOICES, "{q:?}");
        let truths: Vec<usize> = (0..CHOICES)
            .filter(|i| facts.is_true(&q.asked, &q.choices[*i]))
            .collect();
        assert_eq!(truths, vec![q.answer], "exactly the answer is true: {q:#?}");
        let mut distinct = q
            .choices
            .iter()
            .map(|c| c.to_lowercase())
            .collect::<Vec<_>>();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), CHOICES, "{q:?}");
        assert!(q.fact.contains(&q.choices[q.answer]), "{q:?}");
        assert!(q.source.starts_with("http"), "{q:?}");
    }
    assert!(made > 3000, "only {made} questions from 4000 draws");
    assert!(
        kinds.iter().all(|n| *n > 300),
        "every kind of question comes up: {kinds:?}"
    );
}

#[test]
fn a_question_about_something_is_about_it() {
    let k = real_knowledge();
    let facts = Facts::gather(&k, k.entries.iter());
    let instagram = k.companies.get("instagram").expect("Instagram");
    for seed in 0..200 {
        let q = facts
            .question(About::Company(instagram), &mut StdRng::seed_from_u64(seed))
            .expect("a question about Instagram");
        match &q.asked {
            QuizKind::WhichCompany { .. } => assert_eq!(q.choices[q.answer], "Instagram"),
            QuizKind::CompanyLayer { company, .. } => assert_eq!(company, "Instagram"),
            QuizKind::KindOf { .. } => panic!("not about Instagram: {q:?}"),
        }
    }
    let q = facts
        .question(About::Layer(Layer::Queue), &mut StdRng::seed_from_u64(1))
        .expect("a question on queues");
    assert!(
        q.prompt.contains("message queue") || q.prompt.contains("queue"),
        "{q:?}"
    );
}

/// The quiz id and the index of its right choice, from its message and the store.
fn quiz_of(app: &archie::app::App, r: &Value) -> (i64, usize, Vec<String>) {
    let ids = quiz_buttons(r);
    assert_eq!(ids.len(), 4, "{r:#}");
    let quiz = quiz_id(&ids[0]);
    let guild: u64 = GUILD.parse().unwrap();
    let q = app
        .store
        .as_ref()
        .unwrap()
        .quiz(guild, quiz)
        .unwrap()
        .expect("kept");
    (quiz, q.answer, ids)
}

#[tokio::test]
async fn over_http_two_members_answer_once_each_across_a_restart_and_lead_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kb.db");
    let ana = Who::named(GUILD, "888888888888888801", "Ana");
    let bo = Who::named(GUILD, "888888888888888802", "Bo @everyone");
    let app = kb_app(&db);
    let server = http_app(app.clone()).spawn().await;
    let (status, asked) = server
        .post_signed(&by(
            command(
                8001,
                "quiz",
                json!([{"name": "question", "type": 1, "options": [string_opt("company", "Instagram")]}]),
            ),
            &ana,
        ))
        .await;
    assert_eq!(status, 200);
    assert!(asked["data"]["flags"].is_null(), "public: {asked:#}");
    let (_, right, ids) = quiz_of(&app, &asked);
    let wrong = (right + 1) % 4;
    let (_, r) = server
        .post_signed(&by(button(8002, &ids[right], json!([])), &ana))
        .await;
    assert_eq!(r["data"]["flags"], 64, "{r:#}");
    assert!(
        visible_text(&r).contains("Right") && visible_text(&r).contains("1 of 1"),
        "{r:#}"
    );
    assert!(
        visible_text(&r).contains("http"),
        "the fact's source: {r:#}"
    );
    drop(server);
    drop(app);

    // A restart: the same buttons still work, and nobody answers twice.
    let app = kb_app(&db);
    let server = http_app(app.clone()).spawn().await;
    let (_, r) = server
        .post_signed(&by(button(8003, &ids[wrong], json!([])), &bo))
        .await;
    assert!(
        visible_text(&r).contains("Not this time") && visible_text(&r).contains("1 of 2"),
        "{r:#}"
    );
    let (_, r) = server
        .post_signed(&by(button(8004, &ids[wrong], json!([])), &ana))
        .await;
    assert!(visible_text(&r).contains("already answered"), "{r:#}");
    let (_, board) = server
        .post_signed(&by(
            command(
                8005,
                "quiz",
                json!([{"name": "leaderboard", "type": 1, "options": []}]),
            ),
            &bo,
        ))
        .await;
    let text = visible_text(&board);
    assert!(text.contains("1. Ana — 1 right of 1"), "{board:#}");
    assert_eq!(
        board["data"]["allowed_mentions"]["parse"],
        json!([]),
        "{board:#}"
    );
    limits::check(&board, None).unwrap();
    // Another server has its own scores.
    let (_, other) = server
        .post_signed(&by(
            command(
                8006,
                "quiz",
                json!([{"name": "leaderboard", "type": 1, "options": []}]),
            ),
            &Who::member(GUILD_B),
        ))
        .await;
    assert!(!visible_text(&other).contains("Ana"), "{other:#}");
}
