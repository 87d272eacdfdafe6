//! What a draft must be: required fields, kinds, limits, links, technologies, companies,
//! control characters and duplicates, checked by `validate` and again by the store.

use super::*;

#[test]
fn a_draft_needs_a_kind_title_text_and_a_source() {
    let k = kb();
    let mut r = raw("T");
    r.kind = " ".into();
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::Missing { field: "kind" })
    );
    let mut r = raw("  ");
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::Missing { field: "title" })
    );
    r = raw("T");
    r.text = "\n\t".into();
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::Missing { field: "text" })
    );
    r = raw("T");
    r.sources = vec![" ".into()];
    let err = validate(&r, &k).unwrap_err();
    assert_eq!(err, ValidationError::NoSource);
    assert!(err.to_string().contains("source link is required"));
}

#[test]
fn an_unknown_kind_is_rejected_with_the_kinds_to_choose_from() {
    let mut r = raw("T");
    r.kind = "recipe".into();
    let err = validate(&r, &kb()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown kind 'recipe'; use one of: stack, tech, qa, reading, note, article"
    );
    r.kind = " QA ".into();
    assert_eq!(validate(&r, &kb()).unwrap().kind, Kind::Qa);
}

#[test]
fn overlong_fields_are_rejected_with_their_limits() {
    let k = kb();
    let mut r = raw(&"t".repeat(201));
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::TooLong {
            field: "title",
            len: 201,
            max: 200
        })
    );
    r = raw(&"é".repeat(200));
    assert!(
        validate(&r, &k).is_ok(),
        "limits count characters, not bytes"
    );
    r = raw("T");
    r.text = "x".repeat(4001);
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::TooLong {
            field: "text",
            len: 4001,
            max: 4000
        })
    );
    r = raw("T");
    r.company = Some("c".repeat(101));
    assert_eq!(
        validate(&r, &k),
        Err(ValidationError::TooLong {
            field: "company",
            len: 101,
            max: 100
        })
    );
    r = raw("T");
    r.sources = vec![format!("https://example.com/{}", "p".repeat(490))];
    assert!(matches!(
        validate(&r, &k),
        Err(ValidationError::TooLong {
            field: "source link",
            max: 500,
            ..
        })
    ));
    r = raw("T");
    r.technologies = vec!["Redis".into(); 21];
    let err = validate(&r, &k).unwrap_err();
    assert_eq!(err.to_string(), "too many technologies (21, at most 20)");
}

#[test]
fn sources_must_be_http_links() {
    let k = kb();
    for bad in [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "example.com",
        "https://",
    ] {
        let mut r = raw("T");
        r.sources = vec![bad.into()];
        assert_eq!(
            validate(&r, &k),
            Err(ValidationError::NotHttpUrl { url: bad.into() }),
            "{bad}"
        );
    }
    let mut r = raw("T");
    r.sources = vec![
        "<https://example.com/a>".into(),
        "http://example.com/A/".into(),
    ];
    assert_eq!(
        validate(&r, &k).unwrap().sources,
        ["https://example.com/a"],
        "angle brackets dropped, the same link once"
    );
}

#[test]
fn an_unknown_technology_is_rejected_with_canonical_suggestions() {
    let k = kb();
    let err = parse_technologies("redis, mysqll", &k).unwrap_err();
    assert_eq!(
        err,
        ValidationError::UnknownTechnology {
            name: "mysqll".into(),
            suggestions: vec!["MySQL".into()]
        }
    );
    assert_eq!(
        err.to_string(),
        "unknown technology 'mysqll'; did you mean MySQL?"
    );
    let err = parse_technologies("Kubernetes", &k).unwrap_err();
    assert!(
        err.to_string().contains("knowledge/technologies.toml"),
        "{err}"
    );
}

#[test]
fn the_technologies_field_parses_to_canonical_names_without_repeats() {
    let k = kb();
    assert_eq!(
        parse_technologies("redis, my-sql; Cassandra", &k).unwrap(),
        ["Redis", "MySQL", "Cassandra"]
    );
    assert_eq!(
        parse_technologies("MySQL;my-sql\nmysql, casandra", &k).unwrap(),
        ["MySQL", "Cassandra"]
    );
    assert!(parse_technologies(" , ", &k).unwrap().is_empty());
    let r = RawDraft::from_fields(
        "note",
        "T",
        "Text.",
        "",
        "redis, my-sql",
        "https://a.example\nhttps://b.example",
    );
    let d = validate(&r, &k).unwrap();
    assert_eq!(d.technologies, ["Redis", "MySQL"]);
    assert_eq!(d.sources, ["https://a.example", "https://b.example"]);
    assert_eq!(d.company, None);
}

#[test]
fn known_companies_take_their_canonical_name_and_unknown_ones_stay_trimmed() {
    let k = kb();
    let mut r = raw("T");
    r.company = Some(" meta ".into());
    assert_eq!(
        validate(&r, &k).unwrap().company.as_deref(),
        Some("Facebook")
    );
    r.company = Some("  Acme   Corp ".into());
    assert_eq!(
        validate(&r, &k).unwrap().company.as_deref(),
        Some("Acme Corp")
    );
}

#[test]
fn control_characters_are_stripped_but_markdown_and_mentions_are_kept() {
    let k = kb();
    let mut r = raw("**Bold**\u{0007} title\n@everyone");
    r.text = "Line one\u{0000}\r\nLine <@123> two\u{202E}".into();
    let d = validate(&r, &k).unwrap();
    assert_eq!(d.title, "**Bold** title @everyone");
    assert_eq!(d.text, "Line one\nLine <@123> two");
}

#[test]
pub(super) fn a_duplicate_title_or_source_among_the_guilds_live_entries_is_flagged() {
    let t = open();
    let s = &t.store;
    let who = moderator();
    let e = s.add(A, &who, &draft("Cache first")).unwrap();

    let same_title = Draft {
        sources: vec!["https://example.com/new".into()],
        ..draft("cache FIRST")
    };
    let dup = s.find_duplicate(A, &same_title, None).unwrap().unwrap();
    assert_eq!(
        (dup.id.as_str(), &dup.field),
        (e.id.as_str(), &DuplicateField::Title)
    );
    assert_eq!(
        ValidationError::from(dup).to_string(),
        "an entry with this title already exists: kb-cache-first; edit it instead"
    );

    let same_source = Draft {
        sources: vec!["https://example.com/Cache-first/".into()],
        ..draft("Another title")
    };
    let dup = s.find_duplicate(A, &same_source, None).unwrap().unwrap();
    assert!(matches!(dup.field, DuplicateField::Source(_)));
    assert_eq!(
        s.find_duplicate(A, &same_title, Some(&e.id)).unwrap(),
        None,
        "editing itself"
    );
    s.remove(A, &who, &e.id, None).unwrap();
    assert_eq!(
        s.find_duplicate(A, &same_title, None).unwrap(),
        None,
        "removed entries don't count"
    );
}

#[test]
pub(super) fn the_store_refuses_a_draft_that_breaks_a_rule_even_if_the_caller_skipped_validation() {
    let t = open();
    let mut d = draft("T");
    d.sources = vec!["file:///etc/passwd".into()];
    let err = t.store.add(A, &moderator(), &d).unwrap_err();
    assert!(matches!(
        err,
        StoreError::Invalid(ValidationError::NotHttpUrl { .. })
    ));
    assert!(err.is_user_error());
    assert!(t.store.live(A).unwrap().is_empty());
    assert_eq!(t.store.revision_count(A, None).unwrap(), 0);
}
