//! Follow-up questions read in the context of the conversation so far (the first part of
//! issue 25: the context rule and its measure; no transport offers follow-ups yet).

use crate::answers::hybrid_app;
use crate::support::repo_path;
use archie::eval::{parse_conversations, Conversation, Part, Scores};
use archie::quality::{ask_results, score_conversations};

/// The question the last of `turns` asks in the context of the others.
fn in_context(app: &archie::app::App, turns: &[&str]) -> String {
    let (last, earlier) = turns.split_last().expect("a turn");
    let earlier: Vec<String> = earlier.iter().map(|t| t.to_string()).collect();
    archie::quality::in_context(app, &earlier, last)
}

/// A part's last turns scored with their context and without it, both printed.
fn with_and_without(part: &str, convs: &[Conversation]) -> (Scores, Scores) {
    let app = hybrid_app();
    let (with, without) = (
        score_conversations(app, convs, true),
        score_conversations(app, convs, false),
    );
    eprintln!(
        "{part} conversations ({}): with context {}; without {}",
        convs.len(),
        with.summary(),
        without.summary()
    );
    (with, without)
}

#[test]
fn a_follow_up_that_names_no_company_asks_about_the_earlier_ones() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &[
            "what does instagram use for its database",
            "and for caching?",
        ],
    );
    assert!(q.contains("Instagram"), "{q}");
    let top = ask_results(app, &q);
    assert!(
        top.iter()
            .take(3)
            .any(|r| r.company.as_deref() == Some("Instagram")),
        "{q}: {:?}",
        top.iter().map(|r| &r.title).collect::<Vec<_>>()
    );
}

#[test]
fn a_follow_up_naming_a_new_company_keeps_the_subject_and_a_standalone_question_stands_alone() {
    let app = hybrid_app();
    let first = "what does instagram use for its database";
    let swapped = in_context(app, &[first, "what about pinterest?"]);
    assert!(
        swapped.contains("database") && !swapped.contains("Instagram"),
        "{swapped}"
    );
    assert_eq!(
        in_context(app, &[first, "who uses kafka"]),
        "who uses kafka"
    );
}

#[test]
fn a_lowercase_word_the_knowledge_never_uses_after_and_or_about_is_read_as_a_new_company() {
    let app = hybrid_app();
    let first = "what does instagram use for its database";
    for follow in ["and figma?", "what about figma"] {
        let q = in_context(app, &[first, follow]);
        assert!(
            q.contains("Figma") && q.contains("database") && !q.contains("Instagram"),
            "{follow:?} read as {q:?}"
        );
    }
    // A word the knowledge uses is no name: "and sharding?" keeps Instagram.
    let q = in_context(app, &[first, "and sharding?"]);
    assert!(q.contains("Instagram"), "{q}");
}

#[test]
fn now_before_a_bare_name_asks_the_same_of_it_instead_of_echoing_it() {
    let app = hybrid_app();
    let q = in_context(app, &["which companies run redis", "now cassandra"]);
    assert!(q.contains("who uses"), "{q}");
    let top = ask_results(app, &q);
    assert_eq!(
        top.first().map(|r| r.title.as_str()),
        Some("Cassandra"),
        "{q}"
    );
}

#[test]
fn a_follow_up_that_sets_a_name_against_the_earlier_ones_keeps_them() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &["does pinterest really use mysql", "rather than nosql?"],
    );
    assert!(q.contains("Pinterest") && q.contains("MySQL"), "{q}");
    let q = in_context(app, &["what does instagram cache with", "vs redis?"]);
    assert!(q.contains("Instagram") && q.contains("redis"), "{q}");
}

#[test]
fn a_pronoun_after_a_companys_layer_points_at_what_the_answer_listed() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &[
            "pinterest's data stores?",
            "is there an article on combining them",
        ],
    );
    for name in ["Membase", "Redis", "MySQL"] {
        assert!(q.contains(name), "{q}");
    }
    let top = ask_results(app, &q);
    assert!(
        top.iter()
            .take(3)
            .any(|r| r.excerpt.contains("Polyglot persistence")),
        "{q}: {:?}",
        top.iter().map(|r| &r.title).collect::<Vec<_>>()
    );
}

#[test]
fn a_whole_field_asked_after_an_idea_within_it_is_asked_of_that_idea() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &[
            "explain the circuit breaker pattern",
            "any principles reading",
        ],
    );
    assert!(q.contains("circuit breaker"), "{q}");
    // Asking the same of another field replaces the idea.
    let q = in_context(
        app,
        &["explain the circuit breaker pattern", "and scalability?"],
    );
    assert!(!q.contains("circuit breaker"), "{q}");
}

#[test]
fn that_after_technologies_echoed_back_points_at_them() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &[
            "what do instagram's app servers run",
            "gunicorn huh",
            "why did they move to that",
        ],
    );
    assert!(q.contains("Gunicorn") && q.contains("Instagram"), "{q}");
}

#[test]
fn the_rest_of_their_stack_asks_for_the_companys_whole_stack() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &[
            "who uses redis for sessions",
            "instagram?",
            "and their tech stack",
        ],
    );
    assert!(q.contains("Instagram") && !q.contains("Redis"), "{q}");
    let top = ask_results(app, &q);
    assert_eq!(
        top.first().map(|r| r.title.as_str()),
        Some("Instagram technology stack")
    );
}

#[test]
fn who_built_their_own_asks_for_companies_own_systems_of_the_idea_not_the_example_named() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &[
            "explain object storage",
            "something like s3?",
            "which companies built their own",
        ],
    );
    assert!(q.contains("object store") && !q.contains("S3"), "{q}");
    let q = in_context(
        app,
        &[
            "what's a time series database",
            "like for monitoring?",
            "has anyone built their own",
        ],
    );
    assert!(q.contains("time series"), "{q}");
    let top = ask_results(app, &q);
    assert!(
        top.iter().take(3).all(|r| r.company.is_some()),
        "{q}: {:?}",
        top.iter().map(|r| &r.title).collect::<Vec<_>>()
    );
}

#[test]
fn a_first_question_describing_an_idea_sets_that_idea_as_the_topic() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &[
            "the pattern where a client stops calling a failing service for a while and then tries again",
            "any companies that wrote it up",
        ],
    );
    assert!(q.contains("circuit breaker"), "{q}");
    let top = ask_results(app, &q);
    assert!(
        top.iter()
            .take(3)
            .any(|r| r.company.is_some() && r.title.to_lowercase().contains("circuit breaker")),
        "{q}: {:?}",
        top.iter().map(|r| &r.title).collect::<Vec<_>>()
    );
}

#[test]
fn who_else_asks_who_uses_the_technology_without_the_company_named() {
    let app = hybrid_app();
    let q = in_context(app, &["does tumblr use kafka", "who else uses it"]);
    assert!(q.contains("Kafka") && !q.contains("Tumblr"), "{q}");
    let top = ask_results(app, &q);
    assert_eq!(top.first().map(|r| r.title.as_str()), Some("Apache Kafka"));
}

#[test]
fn a_what_question_that_asks_no_definition_is_still_a_follow_up() {
    let app = hybrid_app();
    let q = in_context(
        app,
        &[
            "which php framework does 99designs use",
            "what sits in front for caching",
        ],
    );
    assert!(q.contains("99designs"), "{q}");
    let first = "what does instagram use for its database";
    let q = in_context(app, &[first, "random question, what's consistent hashing"]);
    assert!(!q.contains("Instagram"), "{q}");
}

#[test]
fn which_companys_is_read_as_which_companies() {
    let app = hybrid_app();
    let top = ask_results(app, "which companys run kafka");
    assert_eq!(top.first().map(|r| r.title.as_str()), Some("Apache Kafka"));
}

#[test]
fn the_conversation_set_scores_far_better_with_context_than_without_on_its_fit_part() {
    let text = std::fs::read_to_string(repo_path("tests/eval/conversations/conversations.jsonl"))
        .expect("the conversation set");
    let fit: Vec<Conversation> = parse_conversations(&text)
        .unwrap()
        .into_iter()
        .filter(|c| Part::of(&c.id) == Part::Fit)
        .collect();
    assert!(
        fit.len() >= 60,
        "{} conversations in the fit part",
        fit.len()
    );
    let (with, without) = with_and_without("fit", &fit);
    let (with, without) = (with.hit_at_3(), without.hit_at_3());
    assert!(
        with >= without + 0.4,
        "hit@3 {with:.3} with context, {without:.3} without"
    );
}

#[test]
fn archie_ask_after_reads_the_question_as_a_follow_up() {
    let out = crate::support::archie()
        .args([
            "ask",
            "--after",
            "what does instagram use for its database",
            "and for caching?",
        ])
        .output();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("and for caching? Instagram"), "{text}");
    assert!(text.contains("memcached"), "{text}");
    let alone = crate::support::archie()
        .args(["ask", "and for caching?"])
        .output();
    assert!(
        !String::from_utf8_lossy(&alone.stdout).starts_with("and for caching? Instagram"),
        "without --after the question stands alone"
    );
}

#[test]
fn archie_chat_reads_each_line_in_the_context_of_the_ones_before() {
    use std::io::Write;
    let mut run = crate::support::archie();
    run.args(["chat"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = run.spawn().expect("archie chat starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"what does instagram use for its database\nand for caching?\n/new\nand for caching?\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("Read as: and for caching? Instagram").count(),
        1,
        "the second line is a follow-up, the fourth (after /new) is not: {text}"
    );
    assert!(!text.contains("raise --limit"), "{text}");
    // Three answers (a single result is shown without a number): the first two about
    // Instagram, the last about caching in general.
    assert!(!text.contains("I don't know"), "three answers: {text}");
    assert_eq!(
        text.matches("Instagram technology stack").count(),
        2,
        "{text}"
    );
    let last = text.rsplit("and for caching?").next().unwrap();
    assert!(last.to_lowercase().contains("cach"), "{text}");
}

/// The held-out part, which no rule was shaped on: the figures the README reports, with
/// the no-context baseline beside them. The bar is 0.90; this holds the ground
/// reached (0.865 over 141 answerable last turns of five batches) so that a change to the
/// rules cannot lose it unseen.
#[test]
fn the_conversation_sets_held_out_part_keeps_its_score_and_its_baseline() {
    let text = std::fs::read_to_string(repo_path("tests/eval/conversations/conversations.jsonl"))
        .expect("the conversation set");
    let all = parse_conversations(&text).unwrap();
    assert!(all.len() >= 80, "{} conversations", all.len());
    let held: Vec<Conversation> = all
        .into_iter()
        .filter(|c| Part::of(&c.id) == Part::Held)
        .collect();
    let (with, without) = with_and_without("held-out", &held);
    assert!(with.hit_at_3() >= 0.85, "{}", with.summary());
    assert!(
        with.hit_at_3() >= without.hit_at_3() + 0.4,
        "{}",
        without.summary()
    );
}
