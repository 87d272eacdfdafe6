//! Moderator stacks: typed by layer, validated line by line, shown by `/stack`, `/uses`
//! and `/compare` in their server only; editing a shipped stack replaces its layers.

use super::{app, member, moderator, run_kb, Caller, A, B};
use archie::app::App;
use archie::commands::{execute, Command, KbCommand};
use archie::reply::Status;
use archie::store::validate::RawDraft;

/// The technologies `/stack COMPANY` lists in `ctx`'s server, canonical, by layer key.
fn stack_techs(app: &App, ctx: &Caller, company: &str) -> Vec<(String, String)> {
    let r = execute(
        app,
        ctx,
        &Command::Stack {
            company: company.into(),
        },
    );
    let json = archie::terminal::reply_json(&r);
    let mut out = Vec::new();
    for layer in json["layers"].as_array().into_iter().flatten() {
        for t in layer["technologies"].as_array().into_iter().flatten() {
            out.push((
                layer["layer"].as_str().unwrap_or_default().to_string(),
                t["tech"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

fn stack_draft(company: &str, layers: &str) -> RawDraft {
    RawDraft::from_fields(
        "stack",
        &format!("{company} stack, 2024"),
        layers,
        company,
        "",
        "https://example.com/engineering/our-stack-2024",
    )
}

#[test]
fn a_moderator_stack_is_a_real_stack_with_layers_in_its_server_only() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let r = run_kb(
        &app,
        &moderator(A),
        &KbCommand::Submit {
            id: None,
            draft: stack_draft(
                "Pinterest",
                "Data stores: my-sql, HBase\nCaching: Redis (sessions)\nNote: as of 2024",
            ),
        },
    );
    assert_eq!(r.status, Status::Answer, "{:?}", r.summary);
    let in_a = stack_techs(&app, &member(A), "Pinterest");
    for (layer, tech) in [("data", "MySQL"), ("data", "HBase"), ("cache", "Redis")] {
        assert!(
            in_a.contains(&(layer.to_string(), tech.to_string())),
            "{tech} in {layer}: {in_a:?}"
        );
    }
    let in_b = stack_techs(&app, &member(B), "Pinterest");
    assert!(
        !in_b.contains(&("data".to_string(), "HBase".to_string())),
        "another server sees only the base stack: {in_b:?}"
    );
    // /uses and /compare read the same layers.
    let uses = archie::terminal::reply_json(&execute(
        &app,
        &member(A),
        &Command::Uses {
            tech: "HBase".into(),
        },
    ));
    assert!(
        uses["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["company"] == "Pinterest"),
        "{uses:#}"
    );
    let compare = archie::terminal::reply_json(&execute(
        &app,
        &member(A),
        &Command::Compare {
            first: "Pinterest".into(),
            second: "Facebook".into(),
        },
    ));
    assert!(compare.to_string().contains("HBase"), "{compare:#}");
}

#[test]
fn a_stack_form_names_the_line_that_is_not_a_layer_and_needs_a_known_company() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let submit = |company: &str, layers: &str| {
        run_kb(
            &app,
            &moderator(A),
            &KbCommand::Submit {
                id: None,
                draft: stack_draft(company, layers),
            },
        )
    };
    let r = submit("Pinterest", "Data stores: MySQL\nDatabasez: Redis");
    assert_eq!(r.status, Status::Invalid);
    let why = r.summary.unwrap_or_default();
    assert!(why.contains("line 2") && why.contains("Databasez"), "{why}");
    assert!(why.contains("Data stores"), "lists the layers: {why}");
    let r = submit("Pinterest", "Data stores: NoSuchDb");
    assert_eq!(r.status, Status::Invalid);
    assert!(r.summary.unwrap_or_default().contains("NoSuchDb"));
    let r = submit("Pintrest Inc", "Data stores: MySQL");
    assert_eq!(r.status, Status::Invalid);
    assert!(r.summary.unwrap_or_default().contains("Pintrest Inc"));
    assert!(app.store.as_ref().unwrap().live(A).unwrap().is_empty());
}

#[test]
fn editing_a_base_stack_prefills_its_layers_and_stack_shows_the_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir.path().join("kb.db"));
    let form = run_kb(
        &app,
        &moderator(A),
        &KbCommand::EditForm {
            id: "stack-pinterest".into(),
        },
    );
    let form = form.form.expect("a form");
    let layers = &form
        .fields
        .iter()
        .find(|f| f.key == archie::reply::FieldKey::Text)
        .unwrap();
    assert!(layers.label.starts_with("Layers"), "{}", layers.label);
    assert!(layers.value.contains("Data stores"), "{}", layers.value);
    let before = stack_techs(&app, &member(A), "Pinterest");
    let old = before.iter().find(|(l, _)| l == "data").unwrap().1.clone();
    let typed = format!(
        "{}\nData stores: Cassandra",
        layers
            .value
            .lines()
            .filter(|l| !l.starts_with("Data stores"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let r = run_kb(
        &app,
        &moderator(A),
        &KbCommand::Submit {
            id: Some("stack-pinterest".into()),
            draft: RawDraft::from_fields(
                "",
                &form_value(&form, "title"),
                &typed,
                "Pinterest",
                "",
                &form_value(&form, "sources"),
            ),
        },
    );
    assert_eq!(r.status, Status::Answer, "{:?}", r.summary);
    let after = stack_techs(&app, &member(A), "Pinterest");
    assert!(
        after.contains(&("data".into(), "Cassandra".into())),
        "{after:?}"
    );
    assert!(
        !after.contains(&("data".into(), old.clone())),
        "the old {old} is gone from the edited stack: {after:?}"
    );
    assert_eq!(
        after.iter().filter(|(l, _)| l != "data").count(),
        before.iter().filter(|(l, _)| l != "data").count(),
        "the other layers are kept"
    );
    assert_eq!(stack_techs(&app, &member(B), "Pinterest"), before);
}

fn form_value(form: &archie::reply::Form, key: &str) -> String {
    form.fields
        .iter()
        .find(|f| f.key.as_str() == key)
        .map(|f| f.value.clone())
        .unwrap_or_default()
}
