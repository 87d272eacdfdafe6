//! The command definitions against Discord's rules (also as `archie commands --json`
//! prints them), and Discord's schema refusing what Discord would refuse.

use super::*;

/// `^[-_\p{L}\p{N}]{1,32}$` and lowercase, without a regex dependency.
fn valid_name(n: &str) -> bool {
    let count = n.chars().count();
    (1..=32).contains(&count)
        && n.chars()
            .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
        && n.to_lowercase() == n
}

fn check_definitions(defs: &Value) {
    schema::assert_commands(defs);
    let cmds = defs.as_array().expect("an array of commands");
    assert!(!cmds.is_empty() && cmds.len() <= 100);
    let mut names = BTreeSet::new();
    for c in cmds {
        let name = c["name"].as_str().expect("name");
        assert!(names.insert(name.to_string()), "duplicate {name}");
        if c["type"] == 3 {
            // A message command: 1-32 characters of any case, no description or options.
            assert!((1..=32).contains(&name.chars().count()), "{name}");
            assert!(
                c["description"].as_str().is_none_or(str::is_empty),
                "{name}"
            );
            assert!(
                c["options"].as_array().is_none_or(|o| o.is_empty()),
                "{name}"
            );
            continue;
        }
        assert!(valid_name(name), "command name {name}");
        let d = c["description"]
            .as_str()
            .expect("description")
            .chars()
            .count();
        assert!((1..=100).contains(&d), "{name} description {d}");
        let opts = c["options"].as_array().cloned().unwrap_or_default();
        assert!(opts.len() <= 25);
        let mut total = name.len() + d;
        // Subcommands count as options; their own options obey the same rules.
        let mut groups = vec![(name.to_string(), opts.clone())];
        for o in &opts {
            if o["type"] == 1 {
                let sub = o["options"].as_array().cloned().unwrap_or_default();
                assert!(sub.len() <= 25, "/{name} {} options", o["name"]);
                groups.push((format!("{name} {}", o["name"].as_str().unwrap_or("")), sub));
            }
        }
        for (name, opts) in &groups {
            let mut seen_optional = false;
            let mut opt_names = BTreeSet::new();
            for o in opts {
                let on = o["name"].as_str().expect("option name");
                assert!(valid_name(on), "/{name} option {on}");
                assert!(opt_names.insert(on), "/{name} duplicate option {on}");
                let od = o["description"]
                    .as_str()
                    .expect("option description")
                    .chars()
                    .count();
                assert!((1..=100).contains(&od), "/{name} {on} description {od}");
                total += on.len() + od;
                let required = o["required"] == true;
                assert!(
                    !(required && seen_optional),
                    "/{name}: required after optional"
                );
                seen_optional |= !required;
                let auto = o["autocomplete"] == true;
                let choices = o["choices"].as_array().map_or(0, |a| a.len());
                assert!(
                    !(auto && choices > 0),
                    "/{name} {on}: choices with autocomplete"
                );
                assert!(choices <= 25);
                if o["type"] == 3 {
                    let max = o["max_length"]
                        .as_u64()
                        .expect("string options set max_length");
                    assert!((1..=6000).contains(&max), "/{name} {on} max_length {max}");
                }
            }
        }
        assert!(total <= 8000);
    }
    let kb = cmds.iter().find(|c| c["name"] == "kb").expect("/kb");
    assert!(
        kb["default_member_permissions"].is_null(),
        "open to every member (votes, proposals, stats); Archie refuses moderator steps itself"
    );
    assert_eq!(kb["dm_permission"], false, "not offered in DMs");
    assert_eq!(kb["contexts"], json!([0]), "servers only");
    let subs: Vec<&str> = kb["options"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| o["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        subs,
        [
            "add",
            "edit",
            "remove",
            "show",
            "history",
            "revert",
            "export",
            "gaps",
            "review",
            "propose",
            "proposals",
            "stats",
            "watch",
            "unwatch",
            "accept-proposals",
            "import"
        ]
    );
    for sub in kb["options"].as_array().into_iter().flatten() {
        for o in sub["options"].as_array().into_iter().flatten() {
            if o["name"] == "id" {
                assert_eq!(
                    o["autocomplete"], true,
                    "/kb {} id autocompletes",
                    sub["name"]
                );
            }
        }
    }
    for expected in [
        "ask",
        "stack",
        "uses",
        "whatis",
        "compare",
        "read",
        "help",
        "quiz",
        "Find an answer",
    ] {
        assert!(names.contains(expected), "missing /{expected}");
    }
    let find = cmds.iter().find(|c| c["name"] == "Find an answer").unwrap();
    assert_eq!(find["type"], 3, "a message command");
    let ask = cmds.iter().find(|c| c["name"] == "ask").expect("ask");
    let q = &ask["options"][0];
    assert_eq!(
        (q["name"].as_str(), q["max_length"].as_u64()),
        (Some("question"), Some(300))
    );
    // The lookups take `for` and `private`; /quiz question takes `private` on its own.
    for c in cmds.iter().filter(|c| {
        !["help", "kb", "quiz"].contains(&c["name"].as_str().unwrap_or_default()) && c["type"] != 3
    }) {
        let types: Vec<(String, u64)> = c["options"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                (
                    o["name"].as_str().unwrap_or_default().to_string(),
                    o["type"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        assert!(
            types.contains(&("for".into(), 6)),
            "{} has for:@member",
            c["name"]
        );
        assert!(
            types.contains(&("private".into(), 5)),
            "{} has private",
            c["name"]
        );
    }
}

#[test]
fn command_definitions_obey_discords_rules() {
    check_definitions(&archie::discord::definitions::definitions_json());
}

#[test]
fn archie_commands_json_prints_the_same_valid_definitions() {
    let out = archie().args(["commands", "--json"]).output();
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    check_definitions(&printed);
    assert_eq!(printed, archie::discord::definitions::definitions_json());
}

#[test]
fn discords_schema_rejects_bodies_discord_would_refuse() {
    let good = run(
        &fixture_app(),
        &command(1, "ask", json!([s("question", "what does Twitter use")])),
    );
    assert!(schema::check_interaction_response(&good).is_ok());
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    for (why, body) in [
        ("unknown type", broken(&|v| v["type"] = json!(99))),
        (
            "content over 2000",
            broken(&|v| v["data"]["content"] = json!("x".repeat(2001))),
        ),
        (
            "11 embeds",
            broken(&|v| v["data"]["embeds"] = json!(vec![json!({"title": "t"}); 11])),
        ),
        (
            "a custom_id over 100",
            broken(&|v| {
                v["data"]["components"] = json!([{"type": 1, "components": [
                    {"type": 2, "style": 2, "label": "▶", "custom_id": "x".repeat(101)}]}])
            }),
        ),
        (
            "an embed title that is a number",
            broken(&|v| v["data"]["embeds"][0]["title"] = json!(7)),
        ),
        (
            "a choice without a value",
            json!({"type": 8, "data": {"choices": [{"name": "Twitter"}]}}),
        ),
    ] {
        let err =
            schema::check_interaction_response(&body).expect_err(&format!("{why} is rejected"));
        assert!(err.contains("does not validate"), "{why}: {err}");
    }

    let defs = archie::discord::definitions::definitions_json();
    assert!(schema::check_commands(&defs).is_ok());
    let mut bad = defs.clone();
    bad[0]["name"] = json!("x".repeat(33));
    assert!(schema::check_commands(&bad).is_err(), "a 33-character name");
    // The one allowed quirk: the permission bits as a digit string, and only that.
    let kb = defs
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["name"] == "kb")
        .unwrap();
    for (value, ok) in [
        (json!("32"), true),
        (json!(32), true),
        (json!("manage"), false),
        (json!(-1), false),
    ] {
        let mut d = defs.clone();
        d[kb]["default_member_permissions"] = value.clone();
        assert_eq!(schema::check_commands(&d).is_ok(), ok, "{value}");
    }

    assert!(schema::check_followup(&json!({"content": "x".repeat(2001)})).is_err());
    assert!(schema::check_edit(&json!({"embeds": "none"})).is_err());
    assert!(schema::check_followup(&json!({"content": "ok", "flags": 64})).is_ok());
}
