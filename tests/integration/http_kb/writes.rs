//! `/kb` writes from Discord: the moderator's round trip, who may write, servers that
//! never see each other's entries, direct messages, history pages and hostile entries.

use super::*;

#[tokio::test]
async fn a_moderator_adds_edits_removes_and_reverts_an_entry_from_discord() {
    let kb = Kb::start().await;
    let moira = Who::moderator(GUILD);

    // /kb add kind:note opens an empty form with five inputs.
    let form = kb
        .kb("add", json!([string_opt("kind", "note")]), &moira)
        .await;
    assert_eq!(form["type"], 9, "{form:#}");
    assert_eq!(form["data"]["custom_id"], "kbform:add:note");
    let fields = inputs(&form);
    let ids: Vec<&str> = fields
        .iter()
        .map(|f| f["custom_id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["title", "text", "company", "technologies", "sources"]);
    assert_eq!(fields[1]["style"], 2, "the text is a paragraph");
    assert_eq!(fields[0]["style"], 1, "the title is one line");

    // Submitting it adds the entry, ephemerally, and /ask finds it at once.
    let added = kb
        .submit(
            "kbform:add:note",
            &entry_fields(TITLE, TEXT, "Discord", "cassandra", SOURCE),
            &moira,
        )
        .await;
    assert!(is_ephemeral(&added), "{added:#}");
    let id = added_id(&added);
    assert!(kb.ask(QUESTION, &Who::member(GUILD)).await.contains(TITLE));

    // /kb edit opens the form pre-filled; submitting it saves the change.
    let edit = kb.kb("edit", json!([string_opt("id", &id)]), &moira).await;
    assert_eq!(edit["type"], 9, "{edit:#}");
    assert_eq!(edit["data"]["custom_id"], format!("kbform:edit:{id}"));
    let pre = inputs(&edit);
    assert_eq!(pre[0]["value"], TITLE);
    assert_eq!(pre[1]["value"], TEXT);
    assert!(pre[4]["value"].as_str().unwrap_or("").contains(SOURCE));
    let edited_title = "How Discord stores trillions of messages with ScyllaDB";
    let saved = kb
        .submit(
            &format!("kbform:edit:{id}"),
            &entry_fields(edited_title, TEXT, "Discord", "cassandra", SOURCE),
            &moira,
        )
        .await;
    assert!(
        visible_text(&saved)
            .replace('\\', "")
            .contains(&format!("Saved {id}")),
        "{saved:#}"
    );
    assert!(kb
        .ask(QUESTION, &Who::member(GUILD))
        .await
        .contains(edited_title));

    // /kb remove asks first, with a Danger button; clicking it removes.
    let confirm = kb
        .kb("remove", json!([string_opt("id", &id)]), &moira)
        .await;
    assert!(is_ephemeral(&confirm));
    let b = buttons_of(&confirm);
    assert_eq!(b.len(), 1, "{confirm:#}");
    assert_eq!(b[0]["custom_id"], format!("kbrm:{id}"));
    assert_eq!(b[0]["style"], 4, "a Danger button");
    let removed = kb.click(&format!("kbrm:{id}"), &moira).await;
    assert_eq!(
        removed["type"], 7,
        "the confirmation is replaced: {removed:#}"
    );
    assert!(visible_text(&removed).contains("Removed"), "{removed:#}");
    assert!(buttons_of(&removed).is_empty(), "no second click");
    assert!(!kb
        .ask(QUESTION, &Who::member(GUILD))
        .await
        .contains(edited_title));

    // History: remove, edit, add, newest first, by the moderator.
    let hist = kb
        .kb("history", json!([string_opt("id", &id)]), &moira)
        .await;
    let lines = history_lines(&hist);
    let actions: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(actions, ["remove", "edit", "add"], "{lines:?}");
    assert!(lines.iter().all(|l| l.ends_with("by Moira")), "{lines:?}");

    // Revert to the edit brings the entry back.
    let to = revision_of(&lines, "edit");
    let reverted = kb
        .kb(
            "revert",
            json!([string_opt("id", &id), int_opt("revision", to)]),
            &moira,
        )
        .await;
    assert!(visible_text(&reverted).contains("Reverted"), "{reverted:#}");
    assert!(kb
        .ask(QUESTION, &Who::member(GUILD))
        .await
        .contains(edited_title));
    assert_eq!(kb.revisions(GUILD), 4);
}

#[tokio::test]
async fn a_member_without_rights_is_refused_every_write_and_nothing_changes() {
    let kb = Kb::start().await;
    let id = kb.add(&Who::moderator(GUILD)).await;
    let before = kb.revisions(GUILD);
    let mel = Who::member(GUILD);
    let fields = entry_fields("Another note", TEXT, "", "", SOURCE);
    let refused = [
        kb.kb("add", json!([string_opt("kind", "note")]), &mel)
            .await,
        kb.submit("kbform:add:note", &fields, &mel).await,
        kb.kb("edit", json!([string_opt("id", &id)]), &mel).await,
        kb.submit(&format!("kbform:edit:{id}"), &fields, &mel).await,
        kb.kb("remove", json!([string_opt("id", &id)]), &mel).await,
        kb.click(&format!("kbrm:{id}"), &mel).await,
        kb.kb(
            "revert",
            json!([string_opt("id", &id), int_opt("revision", 1)]),
            &mel,
        )
        .await,
        kb.click(r#"kbimp:5.1700000000.[{"kind":"note"}]"#, &mel)
            .await,
    ];
    for r in &refused {
        assert_eq!(r["type"], 4, "a message, never a form: {r:#}");
        assert!(is_ephemeral(r), "{r:#}");
        assert!(
            visible_text(r).contains("Manage Server"),
            "says what is missing: {r:#}"
        );
    }
    assert_eq!(kb.revisions(GUILD), before, "the store is unchanged");
    assert!(kb.ask(QUESTION, &mel).await.contains(TITLE), "still there");
    // Reading is for everyone.
    let shown = kb.kb("show", json!([string_opt("id", &id)]), &mel).await;
    assert!(visible_text(&shown).contains(TITLE), "{shown:#}");
}

#[tokio::test]
async fn a_member_with_a_moderator_role_can_write_and_other_roles_cannot() {
    let roles = Options {
        moderator_roles: vec![ROLE_MOD.parse().expect("role id")],
        ..Options::default()
    };
    let kb = Kb::start_with(roles, None).await;
    let id = kb.add(&Who::with_role(GUILD, ROLE_MOD)).await;
    let hist = kb
        .kb(
            "history",
            json!([string_opt("id", &id)]),
            &Who::member(GUILD),
        )
        .await;
    assert!(
        history_lines(&hist)[0].ends_with("by Rolf"),
        "{:?}",
        history_lines(&hist)
    );
    let other = kb
        .submit(
            "kbform:add:note",
            &entry_fields("A different note", TEXT, "", "", SOURCE),
            &Who::with_role(GUILD, "999999999999999999"),
        )
        .await;
    assert!(visible_text(&other).contains("Not allowed"), "{other:#}");
    assert_eq!(kb.revisions(GUILD), 1);
}

#[tokio::test]
async fn entries_added_in_one_server_are_invisible_in_another() {
    let kb = Kb::start().await;
    let id = kb.add(&Who::moderator(GUILD)).await;
    let a = Who::member(GUILD);
    let b = Who::moderator(GUILD_B);

    assert!(kb.ask(QUESTION, &a).await.contains(TITLE));
    assert!(!kb.ask(QUESTION, &b).await.contains(TITLE));

    // Autocomplete of /kb ids: label the title, value the id, in A only.
    let in_a = choices(
        &kb.send(kb_autocomplete(kb.id(), "edit", "id", "trillions"), &a)
            .await,
    );
    assert!(
        in_a.iter().any(|(n, v)| *v == id && n.contains(TITLE)),
        "{in_a:?}"
    );
    for sub in ["edit", "remove", "show", "history", "revert"] {
        let in_b = choices(
            &kb.send(kb_autocomplete(kb.id(), sub, "id", "trillions"), &b)
                .await,
        );
        assert!(in_b.iter().all(|(_, v)| *v != id), "{sub}: {in_b:?}");
    }
    let everything_b = choices(
        &kb.send(kb_autocomplete(kb.id(), "show", "id", ""), &b)
            .await,
    );
    assert!(everything_b.iter().all(|(_, v)| *v != id));
    // Other commands' autocomplete never offers A's entry in B either.
    for (cmd, opt) in [
        ("stack", "company"),
        ("uses", "technology"),
        ("whatis", "technology"),
    ] {
        let r = kb.send(autocomplete(kb.id(), cmd, opt, "disc"), &b).await;
        assert!(
            choices(&r)
                .iter()
                .all(|(n, v)| *v != id && !n.contains(TITLE)),
            "{cmd}: {r}"
        );
    }

    // /kb show and /kb history in B know nothing of it; B cannot edit or remove it.
    let show = kb.kb("show", json!([string_opt("id", &id)]), &b).await;
    assert!(!visible_text(&show).contains(TITLE), "{show:#}");
    assert!(visible_text(&show).contains("No entry"), "{show:#}");
    let hist = kb.kb("history", json!([]), &b).await;
    assert!(history_lines(&hist).is_empty(), "{hist:#}");
    assert!(visible_text(&hist).contains("No changes yet"));
    let edit = kb.kb("edit", json!([string_opt("id", &id)]), &b).await;
    assert_eq!(edit["type"], 4, "no form for another server's entry");
    let rm = kb.click(&format!("kbrm:{id}"), &b).await;
    assert!(!visible_text(&rm).contains("Removed"), "{rm:#}");
    assert!(kb.ask(QUESTION, &a).await.contains(TITLE), "A keeps it");
    assert_eq!(kb.revisions(GUILD_B), 0);
}

#[tokio::test]
async fn a_direct_message_cannot_write() {
    let kb = Kb::start().await;
    let dm = Who::dm();
    let form = kb.kb("add", json!([string_opt("kind", "note")]), &dm).await;
    assert_eq!(form["type"], 4, "{form:#}");
    assert!(visible_text(&form).contains("Direct messages"), "{form:#}");
    let submitted = kb
        .submit(
            "kbform:add:note",
            &entry_fields(TITLE, TEXT, "", "", SOURCE),
            &dm,
        )
        .await;
    assert!(visible_text(&submitted).contains("Direct messages"));
    let store = kb.app.store.as_ref().expect("store");
    assert!(
        store.guild_ids().expect("guilds").is_empty(),
        "nothing written"
    );
    // Reading in a DM still works, over the shared knowledge only.
    assert!(!kb.ask(QUESTION, &dm).await.is_empty());
}

#[tokio::test]
async fn a_long_history_pages_with_buttons_that_carry_the_page() {
    let kb = Kb::start().await;
    let moira = Who::moderator(GUILD);
    for n in 0..7 {
        let title = format!("Sharding note number {n}");
        let source = format!("https://example.com/sharding/{n}");
        kb.submit(
            "kbform:add:note",
            &entry_fields(&title, TEXT, "", "", &source),
            &moira,
        )
        .await;
    }
    let first = kb.kb("history", json!([]), &moira).await;
    assert_eq!(history_lines(&first).len(), 5);
    assert_eq!(first["data"]["embeds"][0]["footer"]["text"], "Page 1 of 2");
    let next = buttons_of(&first)
        .into_iter()
        .find(|b| b["label"].as_str().unwrap_or("").contains("Older"))
        .expect("an Older button");
    assert_eq!(next["custom_id"], "kbh:1:");
    let second = kb.click("kbh:1:", &Who::member(GUILD)).await;
    assert_eq!(second["type"], 7, "{second:#}");
    assert_eq!(history_lines(&second).len(), 2);
    assert_eq!(second["data"]["embeds"][0]["footer"]["text"], "Page 2 of 2");
    assert!(history_lines(&second)
        .iter()
        .all(|l| !history_lines(&first).contains(l)));
}

#[tokio::test]
async fn kb_replies_obey_discords_limits_even_for_long_hostile_entries() {
    let kb = Kb::start().await;
    let moira = Who::moderator(GUILD);
    let hostile = "@everyone <@123> **bold** `code` ".repeat(8);
    let title = format!("{hostile}{}", "x".repeat(200))
        .chars()
        .take(200)
        .collect::<String>();
    let text = format!("{hostile}\n")
        .repeat(200)
        .chars()
        .take(4000)
        .collect::<String>();
    let sources: Vec<String> = (0..10)
        .map(|n| format!("https://example.com/{n}/{}", "p".repeat(170)))
        .collect();
    let sources = sources.join("\n");
    let added = kb
        .submit(
            "kbform:add:note",
            &entry_fields(&title, &text, &"c".repeat(100), "cassandra", &sources),
            &moira,
        )
        .await;
    let id = added_id(&added);
    for _ in 0..6 {
        let edit = kb.kb("edit", json!([string_opt("id", &id)]), &moira).await;
        limits::check_modal(&edit["data"]).expect("the edit form fits");
        assert!(edit["data"]["title"].as_str().unwrap_or("").chars().count() <= 45);
        let text = format!("{text}!")
            .chars()
            .rev()
            .take(4000)
            .collect::<String>();
        kb.submit(
            &format!("kbform:edit:{id}"),
            &entry_fields(&title, &text, "", "", &sources),
            &moira,
        )
        .await;
    }
    // Every reply passed limits::check in `send`; these are the big ones.
    for r in [
        kb.kb("show", json!([string_opt("id", &id)]), &moira).await,
        kb.kb("history", json!([string_opt("id", &id)]), &moira)
            .await,
        kb.kb("history", json!([]), &moira).await,
        kb.click(&format!("kbh:1:{id}"), &moira).await,
        kb.kb("remove", json!([string_opt("id", &id)]), &moira)
            .await,
    ] {
        assert_eq!(r["data"]["allowed_mentions"], json!({"parse": []}), "{r:#}");
        let t = visible_text(&r);
        assert!(!t.contains("@everyone"), "{t}");
    }
}

#[tokio::test]
async fn an_add_form_sent_again_by_its_moderator_is_added_once_and_answered_added_again() {
    let kb = Kb::start().await;
    let moira = Who::moderator(GUILD);
    let fields = entry_fields(TITLE, TEXT, "Discord", "cassandra", SOURCE);
    let first = kb.submit("kbform:add:note", &fields, &moira).await;
    let id = added_id(&first);
    // Discord showed the first as failed (a slow store): the moderator sends it again.
    let again = kb.submit("kbform:add:note", &fields, &moira).await;
    assert_eq!(
        added_id(&again),
        id,
        "the same entry, not a second: {again:#}"
    );
    assert!(visible_text(&again).contains("Already saved"), "{again:#}");
    let history = kb
        .kb("history", json!([string_opt("id", &id)]), &moira)
        .await;
    assert_eq!(
        history_lines(&history).len(),
        1,
        "one revision: {history:#}"
    );
    // Another moderator's form with the same title is a duplicate, as before.
    let other = Who {
        user: "555555555555555599".into(),
        ..Who::moderator(GUILD)
    };
    let dup = kb.submit("kbform:add:note", &fields, &other).await;
    assert!(
        visible_text(&dup).to_lowercase().contains("already"),
        "{dup:#}"
    );
    assert!(!visible_text(&dup).contains("Already saved"), "{dup:#}");
}
