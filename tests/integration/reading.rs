//! What a member reads: one stack per company, and technologies in their canonical names
//! only, in every `/stack`, `/uses` and `/compare` answer over the shipped knowledge.

use archie::app::App;
use archie::commands::{execute, Caller, Command};
use archie::knowledge::{Detail, Kind, Knowledge};
use archie::reply::{Reply, Status};
use std::sync::OnceLock;

fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        let k = Knowledge::load(&crate::support::shipped_dir()).expect("the knowledge loads");
        App::in_memory(k).expect("the index builds")
    })
}

fn run(cmd: Command) -> Reply {
    execute(app(), &Caller::default(), &cmd)
}

/// The companies with a technology stack.
fn companies_with_stacks() -> Vec<String> {
    let k = app().engine.knowledge();
    let mut out: Vec<String> = Vec::new();
    for e in k.entries.iter().filter(|e| e.kind == Kind::Stack) {
        if let (Detail::Stack { .. }, Some(c)) = (&e.detail, &e.company) {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
    }
    out
}

/// A block's items: comma-separated names, each without its notes in brackets.
fn items(body: &str) -> Vec<String> {
    archie::knowledge::split_top(body, ',')
        .iter()
        .map(|item| archie::knowledge::split_item(item).0)
        .collect()
}

fn assert_canonical(name: &str, context: &str) {
    let k = app().engine.knowledge();
    let t = k
        .techs
        .get(name)
        .unwrap_or_else(|| panic!("{context}: '{name}' is not a technology"));
    assert_eq!(
        t.name, name,
        "{context}: shown as '{name}', not its canonical name"
    );
}

const LAYER_HEADINGS: usize = 10;

#[test]
fn every_stack_is_one_stack_with_each_layer_and_technology_once_in_canonical_names() {
    let companies = companies_with_stacks();
    assert!(companies.len() >= 20, "{companies:?}");
    let labels: Vec<&str> = archie::knowledge::Layer::ALL
        .iter()
        .map(|l| l.label())
        .collect();
    assert_eq!(labels.len(), LAYER_HEADINGS);
    for company in companies {
        let r = run(Command::Stack {
            company: company.clone(),
        });
        assert_eq!(r.status, Status::Answer, "{company}");
        let layer_blocks: Vec<_> = r
            .blocks
            .iter()
            .filter(|b| labels.contains(&b.heading.as_str()))
            .collect();
        let listed = app().engine.knowledge().entries.iter().any(|e| {
            e.company.as_deref() == Some(company.as_str())
                && matches!(&e.detail, Detail::Stack { layers, .. } if !layers.is_empty())
        });
        assert_eq!(
            !layer_blocks.is_empty(),
            listed,
            "{company}: layers shown exactly when its stacks list some"
        );
        let mut seen_layers = Vec::new();
        let mut seen_techs = Vec::new();
        for b in layer_blocks {
            assert!(
                !seen_layers.contains(&b.heading),
                "{company}: layer '{}' shown twice",
                b.heading
            );
            seen_layers.push(b.heading.clone());
            for name in items(&b.body.plain()) {
                assert_canonical(&name, &format!("/stack {company}"));
                assert!(
                    !seen_techs.contains(&name),
                    "{company}: '{name}' shown twice"
                );
                seen_techs.push(name);
            }
        }
        let sources = r.blocks.iter().filter(|b| b.heading == "Sources").count();
        assert_eq!(
            sources, 1,
            "{company}: its sources are listed once, at the end"
        );
    }
}

#[test]
fn instagrams_two_sources_make_one_stack() {
    let r = run(Command::Stack {
        company: "Instagram".into(),
    });
    let data = archie::terminal::reply_json(&r);
    assert_eq!(data["sources"].as_array().unwrap().len(), 2, "{data:#}");
    let text = archie::render::terminal::render(&r, false);
    assert_eq!(text.matches("Data stores").count(), 1, "{text}");
    assert!(text.contains("PostgreSQL"), "{text}");
    for spelling in ["postgre-sql", "[PostgreSQL]", "sofeware"] {
        assert!(!text.contains(spelling), "'{spelling}' in {text}");
    }
}

#[test]
fn uses_and_compare_name_technologies_only_canonically() {
    let k = app().engine.knowledge();
    // Every technology some stack spells differently from its canonical name.
    let mut respelled: Vec<(String, String)> = Vec::new();
    for e in &k.entries {
        if let Detail::Stack { layers, .. } = &e.detail {
            for i in layers.iter().flat_map(|g| &g.items) {
                if i.raw.to_lowercase() != i.tech.to_lowercase()
                    && !respelled.iter().any(|(t, _)| *t == i.tech)
                {
                    respelled.push((i.tech.clone(), i.raw.clone()));
                }
            }
        }
    }
    assert!(respelled.len() >= 10, "{respelled:?}");
    for (tech, raw) in &respelled {
        let uses = run(Command::Uses { tech: tech.clone() });
        assert_eq!(uses.status, Status::Answer, "{tech}");
        let text = archie::render::terminal::render(&uses, false);
        assert!(
            !text.contains(&format!("[{tech}]")) && !text.contains(&format!("{raw},")),
            "/uses {tech} shows the spelling '{raw}': {text}"
        );
    }
    // The spellings stay findable: /whatis lists them, and only there.
    for (tech, raw) in &respelled {
        let r = run(Command::WhatIs { tech: tech.clone() });
        let other = r
            .blocks
            .iter()
            .find(|b| b.heading == "Other spellings")
            .map(|b| b.body.plain())
            .unwrap_or_default();
        assert!(
            other.to_lowercase().contains(&raw.to_lowercase()),
            "/whatis {tech} lists '{raw}' among other spellings: {other:?}"
        );
        let found = run(Command::WhatIs { tech: raw.clone() });
        assert_eq!(found.title, *tech, "'{raw}' still finds {tech}");
    }
    let companies = companies_with_stacks();
    for pair in companies.windows(2) {
        let r = run(Command::Compare {
            first: pair[0].clone(),
            second: pair[1].clone(),
        });
        if r.status != Status::Answer {
            continue;
        }
        for b in &r.blocks {
            for line in b.body.plain().lines() {
                let Some((_, list)) = line.split_once(": ") else {
                    continue;
                };
                for name in items(list) {
                    assert_canonical(&name, &format!("/compare {} {}", pair[0], pair[1]));
                }
            }
        }
    }
}

/// `/ask QUESTION` as Discord receives it: its first embed.
fn ask_embed(question: &str) -> serde_json::Value {
    let cmd = Command::Ask {
        question: question.into(),
        page: 0,
        per_page: archie::discord::ASK_PER_PAGE,
    };
    crate::support::discord_response(app(), &Caller::default(), cmd)["data"]["embeds"][0].clone()
}

#[test]
fn an_answer_has_a_short_title_an_author_line_for_kind_and_company_and_a_kind_colour() {
    let passage = ask_embed("how did instagram store photos on s3 and cloudfront");
    let title = passage["title"].as_str().unwrap();
    let author = passage["author"]["name"].as_str().unwrap_or_default();
    assert!(title.chars().count() <= 80, "{title}");
    assert!(author.starts_with("Article · Instagram · "), "{author}");
    assert!(
        !title.contains(" — "),
        "the passage's own heading, not the article's title plus it: {title}"
    );
    let stack = ask_embed("pinterest technology stack");
    let stack_author = stack["author"]["name"].as_str().unwrap_or_default();
    assert!(
        stack_author.starts_with("Stack · Pinterest"),
        "{stack_author}"
    );
    assert_ne!(
        passage["color"], stack["color"],
        "an article and a stack look different"
    );
    // Every related result is a compact field under the 80-character title too.
    for e in [&passage, &stack] {
        for f in e["fields"].as_array().into_iter().flatten() {
            let name = f["name"].as_str().unwrap();
            assert!(name.chars().count() <= 80, "{name}");
            assert!(
                !name.contains(" · "),
                "a field is named by its title alone; kind and company open its value: {name}"
            );
            let value = f["value"].as_str().unwrap();
            assert!(value.starts_with('*'), "kind and company first: {value}");
        }
    }
}

#[test]
fn answer_titles_fit_80_characters_where_the_source_allows() {
    let k = app().engine.knowledge();
    let text = std::fs::read_to_string(crate::support::repo_path("tests/eval/questions.jsonl"))
        .expect("our question set");
    let questions = archie::eval::parse(&text).expect("it parses");
    let mut checked = 0;
    for q in &questions {
        let embed = ask_embed(&q.q);
        let mut titles: Vec<String> = embed["title"]
            .as_str()
            .map(String::from)
            .into_iter()
            .collect();
        for f in embed["fields"].as_array().into_iter().flatten() {
            // A related result's name is its title, then " · kind · company".
            let name = f["name"].as_str().unwrap_or_default();
            titles.push(name.split(" · ").next().unwrap_or(name).to_string());
        }
        for t in titles {
            checked += 1;
            if t.chars().count() <= 80 {
                continue;
            }
            // Longer only when the entry's own title is (a reading link's title, say).
            let plain = t.replace('\\', "");
            assert!(
                k.entries
                    .iter()
                    .any(|e| e.title == plain && !matches!(e.detail, Detail::Article { .. })),
                "'{t}' is over 80 characters though its source has a shorter form"
            );
        }
    }
    assert!(checked > 50, "{checked}");
}

/// How often `word` stands in `text` as a whole word (case as given).
fn word_count(text: &str, word: &str) -> usize {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(word)
        .filter(|(i, _)| {
            !alnum(text[..*i].chars().next_back()) && !alnum(text[i + word.len()..].chars().next())
        })
        .count()
}

#[test]
fn govuks_stack_names_each_technology_once_and_canonically_even_in_its_notes() {
    let r = run(Command::Stack {
        company: "GOV.UK".into(),
    });
    assert_eq!(r.status, Status::Answer);
    let text = archie::render::terminal::render(&r, false);
    let k = app().engine.knowledge();
    let Detail::Stack { layers, .. } = &k.stack_of("GOV.UK").expect("a stack").detail else {
        unreachable!("a stack entry")
    };
    // The seed's own spellings, wherever they differ from the canonical name by more than
    // case ("postgres-sql", "new-relic", "graphie"), are never what a member reads.
    let respelled: Vec<&str> = layers
        .iter()
        .flat_map(|g| &g.items)
        .filter(|i| i.raw.to_lowercase() != i.tech.to_lowercase())
        .map(|i| i.raw.as_str())
        .collect();
    for raw in ["postgres-sql", "new-relic", "graphie"] {
        assert!(
            respelled.contains(&raw),
            "{raw} is a seed spelling: {respelled:?}"
        );
    }
    for raw in &respelled {
        assert_eq!(word_count(&text, raw), 0, "'{raw}' in {text}");
    }
    // Each technology appears once in the whole answer, in its layer.
    let mut techs: Vec<&str> = layers
        .iter()
        .flat_map(|g| &g.items)
        .map(|i| i.tech.as_str())
        .collect();
    techs.sort_unstable();
    techs.dedup();
    assert!(techs.len() >= 40, "{techs:?}");
    for tech in techs {
        assert_eq!(word_count(&text, tech), 1, "'{tech}' in {text}");
    }
}
