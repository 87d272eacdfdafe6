//! The README's commands, run as a user would: the real binary, offline, no configuration.

use std::process::Command;

fn archie(args: &[&str]) -> (i32, String, String) {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_archie"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ARCHIE_DATA_DIR", data.path())
        .env_remove("ARCHIE_KNOWLEDGE_DIR")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_first_command_of_the_readme_answers_with_manhattan_and_twitters_stack() {
    let (code, out, err) = archie(&["ask", "what does Twitter use for backend"]);
    assert_eq!(code, 0, "{err}");
    let manhattan = out.find("Manhattan").expect("the Manhattan answer");
    let stack = out
        .find("Twitter technology stack")
        .expect("Twitter's stack");
    assert!(manhattan < stack, "Manhattan first:\n{out}");
    assert!(
        out.contains("my-sql [MySQL]") && out.contains("cassandra"),
        "{out}"
    );
    assert!(
        out.contains("↳ https://blog.twitter.com/"),
        "with its source link:\n{out}"
    );
}

#[test]
fn ask_json_prints_the_shape_the_eval_expects() {
    let (code, out, _) = archie(&["ask", "--json", "--limit", "3", "who uses kafka"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["query"], "who uses kafka");
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 3);
    for r in results {
        for key in ["kind", "title", "excerpt", "company", "sources", "score"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert!(r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.as_str().unwrap().starts_with("http")));
    }
    assert!(results[0]["excerpt"].as_str().unwrap().contains("Tumblr"));
}

#[test]
fn an_off_topic_question_gets_no_results_and_a_helpful_message() {
    let (code, out, _) = archie(&["ask", "--json", "best pancake recipe"]);
    assert_eq!(code, 0, "an honest 'I don't know' is a successful run");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 0);
    let (_, text, _) = archie(&["ask", "best pancake recipe"]);
    assert!(
        text.contains("I don't know that yet") && text.contains("/stack"),
        "{text}"
    );
}

#[test]
fn an_empty_question_is_refused_with_a_clear_message() {
    let (code, out, _) = archie(&["ask", "   "]);
    assert_eq!(code, 1);
    assert!(out.contains("Ask a question"), "{out}");
}

#[test]
fn lookups_answer_and_unknown_names_suggest_the_closest() {
    let (code, out, _) = archie(&["stack", "Twiter"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("No company 'Twiter'") && out.contains("did you mean Twitter"),
        "{out}"
    );
    let (code, out, _) = archie(&["stack", "Stack Overflow", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["company"], "StackExchange");
    let (code, out, _) = archie(&["uses", "postgres", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let users: Vec<&str> = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["company"].as_str().unwrap())
        .collect();
    for c in ["Instagram", "StyleShare", "TripAdvisor", "GOV.UK"] {
        assert!(users.contains(&c), "{c} in {users:?}");
    }
    let (code, out, _) = archie(&["whatis", "gizzard"]);
    assert_eq!(code, 0);
    assert!(out.contains("sharding framework"), "{out}");
    let (code, out, _) = archie(&["compare", "Instagram", "Pinterest", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let shared: Vec<&str> = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| {
            l["shared"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
        })
        .collect();
    assert!(
        shared.contains(&"Django") && shared.contains(&"Redis"),
        "{shared:?}"
    );
    let (code, out, _) = archie(&["read", "consistent hashing", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["results"][0]["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("consistent hashing"),
        "{v}"
    );
}

#[test]
fn eval_prints_the_four_figures_like_the_shared_scorer() {
    let (code, out, _) = archie(&["eval", "tests/eval/questions.jsonl"]);
    assert_eq!(code, 0);
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("hit@1 ")
            && last.contains(" hit@3 ")
            && last.contains(" mrr@5 ")
            && last.contains(" none-ok 6/6"),
        "{last}"
    );
}

#[test]
fn help_lists_every_subcommand() {
    let (code, out, _) = archie(&["--help"]);
    assert_eq!(code, 0);
    for sub in [
        "ask", "stack", "uses", "whatis", "compare", "read", "eval", "check", "export", "import",
        "serve", "register", "commands",
    ] {
        assert!(out.contains(&format!("  {sub} ")), "{sub} missing:\n{out}");
    }
}
