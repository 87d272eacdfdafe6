//! The curation loop over the signed HTTP endpoint, end to end: a 👎 becomes a gap a
//! moderator answers; a member's proposal waits, is approved (history names both) or
//! rejected (the proposer sees why); members get refusals at every moderator step, forged
//! clicks included; nothing crosses between servers.

use super::*;

const DM_QUESTION: &str = "how does twitter store direct messages";
const DM_TEXT: &str = "Twitter keeps direct messages in Manhattan, its distributed key-value \
                       store, sharded by conversation.";
const DM_SOURCE: &str = "https://blog.x.com/engineering/en_us/a/2014/manhattan-our-real-time-multi-tenant-distributed-database-for-twitter-scale";

/// The custom id of the button whose label starts with `label`.
fn button_id(r: &Value, label: &str) -> String {
    buttons_of(r)
        .into_iter()
        .find(|b| b["label"].as_str().is_some_and(|l| l.starts_with(label)))
        .and_then(|b| b["custom_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no '{label}' button in {r:#}"))
}

fn refused(r: &Value) -> bool {
    is_ephemeral(r) && visible_text(r).contains("Not allowed")
}

/// The first result's title of an `/ask` answer (unescaped).
fn first_title(r: &Value) -> String {
    r["data"]["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .replace('\\', "")
}

impl Kb {
    async fn ask_full(&self, question: &str, who: &Who) -> Value {
        self.send(
            command(self.id(), "ask", json!([string_opt("question", question)])),
            who,
        )
        .await
    }
}

#[tokio::test]
async fn a_down_vote_becomes_a_gap_a_moderator_answers_and_the_question_is_then_answered() {
    let kb = Kb::start().await;
    let (mel, moira) = (Who::member(GUILD), Who::moderator(GUILD));

    // A public answer carries 👍 and 👎; the vote is acknowledged only to the voter.
    let first = kb.ask_full(DM_QUESTION, &mel).await;
    assert!(first["data"]["flags"].is_null(), "public: {first:#}");
    assert_ne!(first_title(&first), DM_QUESTION, "not answered well yet");
    let down = button_id(&first, "👎");
    let up = button_id(&first, "👍");
    let voted = kb.click(&down, &mel).await;
    assert_eq!(voted["type"], 4, "a new message, not an edit of the answer");
    assert!(is_ephemeral(&voted), "{voted:#}");
    assert!(visible_text(&voted).contains("rated 👎"), "{voted:#}");
    // A second click is the same vote; another click changes it; back to 👎 again.
    let again = kb.click(&down, &mel).await;
    assert!(visible_text(&again).contains("already rated"), "{again:#}");
    assert!(visible_text(&kb.click(&up, &mel).await).contains("Changed"));
    kb.click(&down, &mel).await;
    // 👎 offers the one-field form: what was missing?
    let form = kb.click(&button_id(&voted, "What was missing"), &mel).await;
    assert_eq!(form["type"], 9, "{form:#}");
    let form_id = form["data"]["custom_id"].as_str().unwrap().to_string();
    let noted = kb
        .submit(&form_id, &[("note", "where DMs are stored")], &mel)
        .await;
    assert!(visible_text(&noted).contains("noted"), "{noted:#}");

    // The moderator sees one gap, asked once (the votes of one member count once).
    let gaps = kb.kb("gaps", json!([]), &moira).await;
    let text = visible_text(&gaps);
    assert!(
        text.contains(DM_QUESTION) && text.contains("asked 1×"),
        "{gaps:#}"
    );
    assert!(text.contains("where DMs are stored"), "{gaps:#}");
    // Answer it: the add form, its title pre-filled with the question.
    let modal = kb.click(&button_id(&gaps, "Answer #"), &moira).await;
    assert_eq!(modal["type"], 9, "{modal:#}");
    assert_eq!(inputs(&modal)[0]["value"], DM_QUESTION);
    let gap_form = modal["data"]["custom_id"].as_str().unwrap().to_string();
    let added = kb
        .submit(
            &gap_form,
            &entry_fields(DM_QUESTION, DM_TEXT, "Twitter", "manhattan", DM_SOURCE),
            &moira,
        )
        .await;
    let id = added_id(&added);
    // The gap is closed, the trail links the two, and the question is answered.
    let after = kb.kb("gaps", json!([]), &moira).await;
    assert!(visible_text(&after).contains("No open gaps"), "{after:#}");
    let history = kb
        .kb("history", json!([string_opt("id", &id)]), &moira)
        .await;
    assert!(
        visible_text(&history).contains("answers gap #"),
        "{history:#}"
    );
    let answer = kb.ask_full(DM_QUESTION, &mel).await;
    assert_eq!(first_title(&answer), DM_QUESTION, "{answer:#}");
    // Another server saw none of it.
    let other = kb.kb("gaps", json!([]), &Who::moderator(GUILD_B)).await;
    assert!(visible_text(&other).contains("No open gaps"), "{other:#}");
    assert!(!kb
        .ask(DM_QUESTION, &Who::member(GUILD_B))
        .await
        .contains(DM_TEXT));
}

#[tokio::test]
async fn an_unanswered_question_is_a_gap_and_dismissing_it_closes_it() {
    let kb = Kb::start().await;
    let (mel, moira) = (Who::member(GUILD), Who::moderator(GUILD));
    let none = kb.ask_full(QUESTION, &mel).await;
    assert!(buttons_of(&none).is_empty(), "nothing to rate: {none:#}");
    kb.ask_full(&QUESTION.to_uppercase(), &Who::with_role(GUILD, "1"))
        .await;
    let gaps = kb.kb("gaps", json!([]), &moira).await;
    assert!(visible_text(&gaps).contains("asked 2×"), "{gaps:#}");
    let dismissed = kb.click(&button_id(&gaps, "Dismiss #"), &moira).await;
    assert_eq!(dismissed["type"], 7, "the list is refreshed in place");
    assert!(
        visible_text(&dismissed).contains("No open gaps left"),
        "{dismissed:#}"
    );
    let stats = kb.kb("stats", json!([]), &mel).await;
    let s = visible_text(&stats);
    assert!(s.contains("2 asked, 0 answered"), "{stats:#}");
}

async fn propose_note(kb: &Kb, who: &Who, title: &str, text: &str, source: &str) -> Value {
    let form = kb
        .kb("propose", json!([string_opt("kind", "note")]), who)
        .await;
    assert_eq!(form["type"], 9, "{form:#}");
    let id = form["data"]["custom_id"].as_str().unwrap().to_string();
    kb.submit(
        &id,
        &entry_fields(title, text, "Discord", "cassandra", source),
        who,
    )
    .await
}

#[tokio::test]
async fn a_members_proposal_is_searchable_only_once_approved_and_history_names_both() {
    let kb = Kb::start().await;
    let (mel, moira) = (Who::member(GUILD), Who::moderator(GUILD));
    let sent = propose_note(&kb, &mel, TITLE, TEXT, SOURCE).await;
    assert!(visible_text(&sent).contains("sent for review"), "{sent:#}");
    assert!(
        !kb.ask(QUESTION, &mel).await.contains("ScyllaDB"),
        "not searchable yet"
    );
    assert_eq!(kb.revisions(GUILD), 0);

    let review = kb.kb("review", json!([]), &moira).await;
    assert!(
        visible_text(&review).contains("proposed by Mel"),
        "{review:#}"
    );
    let approved = kb.click(&button_id(&review, "Approve #"), &moira).await;
    assert_eq!(approved["type"], 7, "{approved:#}");
    assert!(
        visible_text(&approved).contains("is searchable now"),
        "{approved:#}"
    );
    assert!(kb.ask(QUESTION, &mel).await.contains("ScyllaDB"));
    let history = kb.kb("history", json!([]), &moira).await;
    let h = visible_text(&history);
    assert!(
        h.contains("by Moira") && h.contains("by Mel"),
        "{history:#}"
    );
    let mine = kb.kb("proposals", json!([]), &mel).await;
    assert!(
        visible_text(&mine).contains("Approved by Moira"),
        "{mine:#}"
    );
    // An edit proposal shows the moderator a diff against the entry as it is.
    let id = approved_id(&kb, &mel).await;
    let form = kb.kb("propose", json!([string_opt("id", &id)]), &mel).await;
    assert_eq!(inputs(&form)[0]["value"], TITLE);
    let edit = form["data"]["custom_id"].as_str().unwrap().to_string();
    let better = format!("{TEXT} Hot partitions were the reason.");
    kb.submit(
        &edit,
        &entry_fields(TITLE, &better, "Discord", "cassandra", SOURCE),
        &mel,
    )
    .await;
    let review = kb.kb("review", json!([]), &moira).await;
    assert!(
        visible_text(&review).contains("text:"),
        "a diff: {review:#}"
    );
}

/// The id of the member's latest approved proposal's entry.
async fn approved_id(kb: &Kb, who: &Who) -> String {
    let mine = kb.kb("proposals", json!([]), who).await;
    let t = visible_text(&mine);
    t.split_whitespace()
        .find(|w| w.starts_with("kb-"))
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_alphanumeric())
                .to_string()
        })
        .unwrap_or_else(|| panic!("no entry id in {mine:#}"))
}

#[tokio::test]
async fn a_rejection_with_a_reason_is_shown_to_the_proposer() {
    let kb = Kb::start().await;
    let (mel, moira) = (Who::member(GUILD), Who::moderator(GUILD));
    propose_note(&kb, &mel, TITLE, TEXT, SOURCE).await;
    let review = kb.kb("review", json!([]), &moira).await;
    let form = kb.click(&button_id(&review, "Reject #"), &moira).await;
    assert_eq!(form["type"], 9, "{form:#}");
    let id = form["data"]["custom_id"].as_str().unwrap().to_string();
    let done = kb
        .submit(
            &id,
            &[("note", "Please cite the engineering blog post.")],
            &moira,
        )
        .await;
    assert!(visible_text(&done).contains("Rejected #"), "{done:#}");
    let mine = kb.kb("proposals", json!([]), &mel).await;
    let t = visible_text(&mine);
    assert!(
        t.contains("Rejected by Moira") && t.contains("cite the engineering blog"),
        "{mine:#}"
    );
    assert!(!kb.ask(QUESTION, &mel).await.contains("ScyllaDB"));
    // Moderators can turn proposals off; members are then told so.
    kb.kb(
        "accept-proposals",
        json!([bool_opt("enabled", false)]),
        &moira,
    )
    .await;
    let off = kb
        .kb("propose", json!([string_opt("kind", "note")]), &mel)
        .await;
    assert!(
        visible_text(&off).contains("turned proposals off"),
        "{off:#}"
    );
}

#[tokio::test]
async fn members_are_refused_every_moderator_step_forged_clicks_included_and_servers_stay_apart() {
    let kb = Kb::start().await;
    let (mel, moira) = (Who::member(GUILD), Who::moderator(GUILD));
    kb.ask_full(QUESTION, &mel).await;
    propose_note(&kb, &mel, TITLE, TEXT, SOURCE).await;
    let gaps = kb.kb("gaps", json!([]), &moira).await;
    let review = kb.kb("review", json!([]), &moira).await;
    let (answer, dismiss) = (button_id(&gaps, "Answer #"), button_id(&gaps, "Dismiss #"));
    let (approve, reject) = (
        button_id(&review, "Approve #"),
        button_id(&review, "Reject #"),
    );
    let gap = answer.rsplit(':').next().unwrap().to_string();
    let proposal = approve.rsplit(':').next().unwrap().to_string();
    let before = kb.revisions(GUILD);

    for sub in ["gaps", "review"] {
        assert!(refused(&kb.kb(sub, json!([]), &mel).await), "/kb {sub}");
    }
    let off = kb
        .kb(
            "accept-proposals",
            json!([bool_opt("enabled", false)]),
            &mel,
        )
        .await;
    assert!(refused(&off), "{off:#}");
    for id in [&answer, &dismiss, &approve, &reject] {
        assert!(refused(&kb.click(id, &mel).await), "click {id}");
    }
    let forged_answer = kb
        .submit(
            &format!("kbform:gap:{gap}"),
            &entry_fields(QUESTION, TEXT, "Discord", "cassandra", SOURCE),
            &mel,
        )
        .await;
    assert!(refused(&forged_answer), "{forged_answer:#}");
    let forged_reject = kb
        .submit(&format!("kbform:reject:{proposal}"), &[("note", "x")], &mel)
        .await;
    assert!(refused(&forged_reject), "{forged_reject:#}");
    assert_eq!(kb.revisions(GUILD), before, "nothing written");

    // Another server's moderator cannot act on this server's gap or proposal.
    let other = Who::moderator(GUILD_B);
    for id in [&dismiss, &approve] {
        let r = kb.click(id, &other).await;
        assert!(
            is_ephemeral(&r) && visible_text(&r).contains("no "),
            "{r:#}"
        );
    }
    assert_eq!(kb.revisions(GUILD_B), 0);
    // Still open and pending for this server's moderator.
    assert!(visible_text(&kb.kb("gaps", json!([]), &moira).await).contains(&format!("Gap #{gap}")));
    let approved = kb.click(&approve, &moira).await;
    assert!(
        visible_text(&approved).contains("is searchable now"),
        "{approved:#}"
    );
}
