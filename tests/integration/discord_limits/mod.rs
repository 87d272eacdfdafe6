//! Every response Archie can send obeys Discord's limits and pings nobody by accident:
//! hundreds of inputs (the dev questions, every company and technology of the knowledge
//! through every command, compare pairs, reading topics, hostile text) rendered through
//! the same path both transports use, including every page behind the buttons.
//! Every one is also validated against Discord's OpenAPI schema (`support::schema`).
//! Also: the command definitions obey Discord's rules and its schema.

use crate::support::*;
use archie::app::App;
use archie::discord::respond;
use archie::knowledge::{Detail, Knowledge};
use serde_json::{json, Value};
use serenity::all::Interaction;
use std::collections::BTreeSet;

const MEMBER: &str = "999999999999999999";

mod definitions;

fn hostile() -> Vec<String> {
    let zalgo: String = "zalgo"
        .chars()
        .flat_map(|c| std::iter::once(c).chain("\u{0301}\u{0316}\u{0337}\u{035C}".chars()))
        .collect();
    vec![
        "a".repeat(10_000),
        "word ".repeat(2_000),
        "**bold** __under__ ~~strike~~ ||spoiler|| `code` > quote\n# heading\n- item".into(),
        "@everyone what does Twitter use".into(),
        "@here who uses redis".into(),
        "<@123> <@!123> <@&456> <#789> twitter".into(),
        zalgo,
        "\u{202E}twitter\u{202C} مرحبا بالعالم שלום".into(),
        "```rust\nfn main() { println!(\"hi\"); }\n``` twitter".into(),
        format!("```\n{}\n```", "x\n".repeat(3_000)),
        "[click](https://evil.example) twitter".into(),
        "😀".repeat(3_000),
        String::new(),
        "   \n\t ".into(),
        "\u{0}\u{7}\u{1b}[31m twitter".into(),
        "twitter:0:ask|%7C".into(),
        "레진코믹스".into(),
    ]
}

/// Renders one interaction through the shared path, as JSON that Discord's schema accepts.
fn run(app: &App, payload: &Value) -> Value {
    let i: Interaction = serde_json::from_value(payload.clone())
        .unwrap_or_else(|e| panic!("payload does not parse: {e}\n{payload:#}"));
    let resp = serde_json::to_value(respond(app, &i)).expect("response serializes");
    if let Err(e) = schema::check_interaction_response(&resp) {
        panic!("{e}\nrequest: {payload}");
    }
    resp
}

struct Checker<'a> {
    app: &'a App,
    checked: usize,
    answers: usize,
    next_id: u64,
}

impl Checker<'_> {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn check(&mut self, payload: &Value, resp: &Value, mention: Option<&str>) {
        if let Err(e) = limits::check(resp, mention) {
            panic!("{e}\nrequest: {payload}\nresponse: {resp:#}");
        }
        self.checked += 1;
    }

    /// A slash command in three deliveries (public, private, for a member), then every
    /// page behind its buttons. Returns the public response.
    fn command(&mut self, name: &str, options: Vec<Value>) -> Value {
        let id = self.id();
        let public = command(id, name, Value::Array(options.clone()));
        let resp = run(self.app, &public);
        self.check(&public, &resp, None);
        let answered = is_answer(&resp);
        if answered {
            self.answers += 1;
            assert!(
                resp["data"]["flags"].is_null(),
                "answers are public: {resp}"
            );
        } else {
            assert_eq!(resp["data"]["flags"], 64, "errors are ephemeral: {resp}");
            let c = resp["data"]["content"].as_str().unwrap_or_default();
            assert!(!c.is_empty() && c.chars().count() <= 1000, "short: {c}");
        }

        let mut private = options.clone();
        private.push(bool_opt("private", true));
        private.push(user_opt("for", MEMBER));
        let p = command(id, name, Value::Array(private));
        let r = run(self.app, &p);
        self.check(&p, &r, None);
        assert_eq!(r["data"]["flags"], 64, "private is ephemeral: {r}");

        let mut named = options;
        named.push(user_opt("for", MEMBER));
        let m = command(id, name, Value::Array(named));
        let r = run(self.app, &m);
        let expect = answered.then_some(MEMBER);
        self.check(&m, &r, expect);
        if answered {
            assert_eq!(r["data"]["content"], format!("<@{MEMBER}>"));
        }

        self.pages(&resp);
        resp
    }

    /// Clicks "next" until the last page, checking every update.
    fn pages(&mut self, first: &Value) {
        let mut cur = first.clone();
        for _ in 0..30 {
            let Some(next) = cur["data"]["components"][0]["components"][1]
                .as_object()
                .cloned()
            else {
                return;
            };
            if next["disabled"] == true {
                return;
            }
            let id = self.id();
            let click = button(
                id,
                next["custom_id"].as_str().unwrap_or_default(),
                cur["data"]["embeds"].clone(),
            );
            let r = run(self.app, &click);
            self.check(&click, &r, None);
            assert_eq!(r["type"], 7, "a page is an update: {r}");
            cur = r;
        }
        panic!("more than 30 pages: {first}");
    }

    fn autocomplete(&mut self, name: &str, option: &str, typed: &str) -> Value {
        let id = self.id();
        let p = autocomplete(id, name, option, typed);
        let r = run(self.app, &p);
        self.check(&p, &r, None);
        assert_eq!(r["type"], 8);
        r
    }
}

fn is_answer(resp: &Value) -> bool {
    resp["data"]["embeds"]
        .as_array()
        .is_some_and(|e| !e.is_empty())
}

fn s(name: &str, v: &str) -> Value {
    string_opt(name, v)
}

fn dev_questions() -> Vec<String> {
    let text = include_str!("../../fixtures/questions-dev.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            v["q"].as_str().expect("a question").to_string()
        })
        .collect()
}

/// Every input through every command against one knowledge base.
fn exercise(app: &App) -> (usize, usize) {
    let k = app.engine.knowledge();
    let mut c = Checker {
        app,
        checked: 0,
        answers: 0,
        next_id: 1000,
    };
    let questions = dev_questions();
    assert!(questions.len() >= 40);
    for q in &questions {
        c.command("ask", vec![s("question", q)]);
    }
    let companies: Vec<(String, String)> = k
        .companies
        .items
        .iter()
        .map(|x| (x.id.clone(), x.name.clone()))
        .collect();
    let with_stack: BTreeSet<String> = k
        .entries
        .iter()
        .filter_map(|e| match &e.detail {
            Detail::Stack { company_id, .. } => Some(company_id.clone()),
            _ => None,
        })
        .collect();
    for (i, (id, name)) in companies.iter().enumerate() {
        let r = c.command("stack", vec![s("company", id)]);
        if with_stack.contains(id) {
            assert!(is_answer(&r), "/stack {id} answers: {r}");
        }
        c.command("stack", vec![s("company", name)]);
        c.command("ask", vec![s("question", &format!("what does {name} use"))]);
        let (other, _) = &companies[(i + 1) % companies.len()];
        c.command("compare", vec![s("first", id), s("second", other)]);
        let prefix: String = name.chars().take(3).collect();
        let r = c.autocomplete("stack", "company", &prefix);
        assert!(
            r["data"]["choices"]
                .as_array()
                .is_some_and(|a| a.iter().any(|ch| ch["value"] == id.as_str()) || a.len() == 25),
            "autocomplete '{prefix}' offers {id}: {r}"
        );
    }
    for t in &k.techs.items {
        for cmd in ["uses", "whatis"] {
            let r = c.command(cmd, vec![s("technology", &t.id)]);
            if cmd == "whatis" {
                assert!(is_answer(&r), "/whatis {} answers: {r}", t.id);
            }
        }
        c.command("whatis", vec![s("technology", &t.name)]);
        c.command("ask", vec![s("question", &format!("who uses {}", t.name))]);
        c.autocomplete("uses", "technology", &t.name);
    }
    let mut topics: BTreeSet<String> = ["caching", "sharding", "microservices", "consistency"]
        .into_iter()
        .map(String::from)
        .collect();
    for e in &k.entries {
        if let Detail::Reading { topic: Some(t), .. } = &e.detail {
            topics.insert(t.clone());
        }
    }
    for t in topics.iter().take(60) {
        c.command("read", vec![s("topic", t)]);
    }
    c.command("help", vec![]);
    for h in hostile() {
        c.command("ask", vec![s("question", &h)]);
        c.command("stack", vec![s("company", &h)]);
        c.command("uses", vec![s("technology", &h)]);
        c.command("whatis", vec![s("technology", &h)]);
        c.command("compare", vec![s("first", &h), s("second", "twitter")]);
        c.command("read", vec![s("topic", &h)]);
        c.autocomplete("stack", "company", &h);
        c.autocomplete("whatis", "technology", &h);
        // A forged or stale button: refused, never a crash.
        let id = c.id();
        let p = button(id, &h, json!([]));
        let r = run(app, &p);
        c.check(&p, &r, None);
    }
    (c.checked, c.answers)
}

#[test]
fn every_response_over_the_fixture_knowledge_obeys_discords_limits() {
    let (checked, answers) = exercise(&fixture_app());
    assert!(checked > 1_000, "only {checked} responses checked");
    assert!(answers > 150, "only {answers} answers");
}

#[test]
fn every_response_over_the_shipped_knowledge_obeys_discords_limits() {
    let dir = shipped_dir();
    let k = match Knowledge::load(&dir) {
        Ok(k) => k,
        Err(e) => {
            // The shipped folder is edited by hand; `archie check` reports its problems.
            eprintln!("skipped: the shipped knowledge does not load yet: {e}");
            return;
        }
    };
    let app = App::in_memory(k).expect("index builds");
    let (checked, answers) = exercise(&app);
    assert!(checked > 1_000, "only {checked} responses checked");
    assert!(answers > 150, "only {answers} answers");
}

#[test]
fn knowledge_text_is_escaped_so_it_cannot_ping_or_format() {
    let app = fixture_app();
    let r = run(&app, &command(1, "stack", json!([s("company", "evil")])));
    let text = visible_text(&r);
    assert!(text.contains("@\u{200B}everyone"), "{text}");
    assert!(text.contains("\\<@\u{200B}123>"), "{text}");
    assert!(text.contains("\\*\\*bold\\*\\*"), "{text}");
    assert!(!text.contains('\u{202E}'), "no bidi override survives");
    assert_eq!(r["data"]["allowed_mentions"], json!({"parse": []}));
}
