//! Asking over HTTP: pings, answers and their embeds, private and mentioned answers,
//! autocomplete, paging buttons, unknown names and commands.

use super::*;

#[tokio::test]
async fn healthz_answers_200() {
    let s = server().await;
    let r = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ok"], true);
}

#[tokio::test]
async fn a_ping_is_answered_with_a_pong() {
    let s = server().await;
    let (status, resp) = s.post_signed(&ping()).await;
    assert_eq!(status, 200);
    assert_eq!(resp, json!({"type": 1}));
}

#[tokio::test]
async fn ask_answers_with_an_embed_that_names_manhattan_bolds_matches_and_links_its_source() {
    let s = server().await;
    let resp = ask(&s, "what does Twitter use for backend").await;
    assert_eq!(resp["type"], 4);
    let e = embed(&resp);
    let desc = e["description"].as_str().unwrap();
    assert!(desc.contains("Manhattan"), "{desc}");
    assert!(
        desc.contains("**backend**"),
        "matched words are bold: {desc}"
    );
    assert!(
        desc.contains("](https://blog.twitter.com/engineering/"),
        "a source link: {desc}"
    );
    assert_eq!(e["title"], "What does Twitter use for backend?");
    assert!(e["url"]
        .as_str()
        .unwrap()
        .starts_with("https://blog.twitter.com/"));
    // Related entries follow the best answer.
    assert!(!e["fields"].as_array().unwrap().is_empty());
    // Public, pings nobody.
    assert!(resp["data"]["flags"].is_null());
    assert_eq!(resp["data"]["allowed_mentions"], json!({"parse": []}));
    assert_limits(&resp, None);
}

#[tokio::test]
async fn private_true_makes_the_answer_ephemeral() {
    let s = server().await;
    let body = command(
        11,
        "ask",
        json!([
            string_opt("question", "what does Twitter use for backend"),
            bool_opt("private", true)
        ]),
    );
    let (_, resp) = s.post_signed(&body).await;
    assert_eq!(resp["type"], 4);
    assert_eq!(resp["data"]["flags"], 64);
    assert!(embed(&resp)["description"]
        .as_str()
        .unwrap()
        .contains("Manhattan"));
}

#[tokio::test]
async fn for_a_member_mentions_that_member_and_nobody_else() {
    let s = server().await;
    let body = command(
        12,
        "stack",
        json!([
            string_opt("company", "twitter"),
            user_opt("for", "999999999999999999")
        ]),
    );
    let (_, resp) = s.post_signed(&body).await;
    assert_eq!(resp["data"]["content"], "<@999999999999999999>");
    assert_eq!(
        resp["data"]["allowed_mentions"],
        json!({"parse": [], "users": ["999999999999999999"]})
    );
    assert_limits(&resp, Some("999999999999999999"));
}

#[tokio::test]
async fn autocomplete_offers_twitter_by_its_id_for_twi() {
    let s = server().await;
    let (status, resp) = s
        .post_signed(&autocomplete(13, "stack", "company", "twi"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(resp["type"], 8);
    let choices = resp["data"]["choices"].as_array().unwrap();
    assert_eq!(choices[0], json!({"name": "Twitter", "value": "twitter"}));
    assert_limits(&resp, None);
}

#[tokio::test]
async fn autocomplete_completes_technologies_through_their_aliases() {
    let s = server().await;
    let (_, resp) = s
        .post_signed(&autocomplete(14, "whatis", "technology", "postgres"))
        .await;
    let choices = resp["data"]["choices"].as_array().unwrap();
    assert_eq!(choices[0]["value"], "tech-postgresql");
    assert!(choices[0]["name"]
        .as_str()
        .unwrap()
        .starts_with("PostgreSQL"));
    // Nothing typed yet: the first 25 names, never more.
    let (_, resp) = s
        .post_signed(&autocomplete(15, "compare", "second", ""))
        .await;
    assert_eq!(resp["data"]["choices"].as_array().unwrap().len(), 25);
    assert_limits(&resp, None);
}

#[tokio::test]
async fn autocomplete_on_an_option_without_names_answers_an_empty_list() {
    let s = server().await;
    let (_, resp) = s
        .post_signed(&autocomplete(30, "ask", "question", "what"))
        .await;
    assert_eq!(resp, json!({"type": 8, "data": {"choices": []}}));
}

#[tokio::test]
async fn names_typed_freely_work_as_well_as_picked_ids() {
    let s = server().await;
    for (i, company) in ["twitter", "Twitter", " TWITTER ", "X"].iter().enumerate() {
        let (_, resp) = s
            .post_signed(&command(
                160 + i as u64,
                "stack",
                json!([string_opt("company", company)]),
            ))
            .await;
        assert_eq!(
            embed(&resp)["title"],
            "Twitter technology stack",
            "{company}"
        );
    }
    for (i, tech) in ["tech-postgresql", "postgres", "postgre-sql"]
        .iter()
        .enumerate()
    {
        let (_, resp) = s
            .post_signed(&command(
                170 + i as u64,
                "whatis",
                json!([string_opt("technology", tech)]),
            ))
            .await;
        assert_eq!(embed(&resp)["title"], "PostgreSQL", "{tech}");
    }
}

#[tokio::test]
async fn the_next_button_updates_the_message_to_page_2() {
    let s = server().await;
    let first = ask(&s, "caching lessons").await;
    let b = buttons(&first);
    assert_eq!(b.len(), 2);
    assert_eq!(b[0]["disabled"], true, "no previous page on page 1");
    assert_eq!(b[1]["custom_id"], "ask:1:caching lessons");
    let footer = embed(&first)["footer"]["text"].as_str().unwrap();
    assert!(
        footer.starts_with("Page 1 of ") && footer.ends_with(" · Asked: caching lessons"),
        "{footer}"
    );
    assert_ne!(footer, "Page 1 of 1 · Asked: caching lessons");
    let next = b[1]["custom_id"].as_str().unwrap().to_string();
    let click = button(18, &next, json!([embed(&first)]));
    let (status, resp) = s.post_signed(&click).await;
    assert_eq!(status, 200);
    assert_eq!(resp["type"], 7, "UPDATE_MESSAGE");
    let footer = embed(&resp)["footer"]["text"].as_str().unwrap();
    assert!(footer.starts_with("Page 2 of "), "{footer}");
    assert_ne!(embed(&resp)["title"], embed(&first)["title"]);
    let b = buttons(&resp);
    assert_eq!(b[0]["custom_id"], "ask:0:caching lessons");
    assert_eq!(b[0]["disabled"], false);
    assert!(
        resp["data"]["content"].is_null(),
        "an update keeps the content"
    );
    assert_limits(&resp, None);
}

#[tokio::test]
async fn a_question_too_long_for_the_button_id_is_kept_by_the_server_not_read_from_the_message() {
    let s = server().await;
    let q = "which companies run MySQL and Redis for storage and caching, and what did their \
             engineers write about growing those clusters to serve heavy read and write traffic?";
    let first = ask(&s, q).await;
    assert_eq!(first["type"], 4, "{first:#}");
    let next = buttons(&first)[1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(next.starts_with("ask~:1:") && next.len() <= 100, "{next}");
    // The click carries no copy of the message: nothing is read from what a member sees.
    let (_, resp) = s.post_signed(&button(19, &next, json!([]))).await;
    assert_eq!(resp["type"], 7, "{resp:#}");
    let footer = embed(&resp)["footer"]["text"].as_str().unwrap();
    assert!(footer.starts_with("Page 2 of "), "{footer}");
    assert!(footer.contains("heavy read"), "the same question: {footer}");
    // A process that never saw the question (another replica, a restart) refuses briefly.
    let fresh = archie::app::App::in_memory(fixture_knowledge()).expect("the fixture index builds");
    let other = http_app(std::sync::Arc::new(fresh)).spawn().await;
    let (_, resp) = other.post_signed(&button(20, &next, json!([]))).await;
    assert_eq!(resp["type"], 4);
    assert_eq!(resp["data"]["flags"], 64);
    assert!(
        resp["data"]["content"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{resp:#}"
    );
}

#[tokio::test]
async fn a_long_list_is_split_into_screens_with_buttons() {
    let s = server().await;
    let (_, first) = s
        .post_signed(&command(
            21,
            "uses",
            json!([string_opt("technology", "mysql")]),
        ))
        .await;
    assert_limits(&first, None);
    let names = |r: &Value| -> Vec<String> {
        embed(r)["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let page1 = names(&first);
    assert!(page1.contains(&"Facebook".to_string()));
    let next = buttons(&first)[1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(next, "uses:1:mysql");
    let (_, second) = s
        .post_signed(&button(22, &next, json!([embed(&first)])))
        .await;
    assert_eq!(second["type"], 7);
    let page2 = names(&second);
    assert!(page2.contains(&"Twitter".to_string()), "{page2:?}");
    assert!(page1.iter().all(|n| !page2.contains(n) || n == "Sources"));
    assert_limits(&second, None);
}

#[tokio::test]
async fn an_unknown_name_is_a_short_ephemeral_sentence_with_did_you_mean() {
    let s = server().await;
    let (_, resp) = s
        .post_signed(&command(
            23,
            "stack",
            json!([string_opt("company", "Twiter")]),
        ))
        .await;
    assert_eq!(resp["type"], 4);
    assert_eq!(resp["data"]["flags"], 64);
    assert_eq!(resp["data"]["embeds"], json!([]));
    let content = resp["data"]["content"].as_str().unwrap();
    assert!(content.contains("did you mean Twitter"), "{content}");
    assert_limits(&resp, None);
}

#[tokio::test]
async fn a_question_archie_cannot_answer_gets_suggestions_not_a_guess() {
    let s = server().await;
    let resp = ask(&s, "best pancake recipe").await;
    assert_eq!(resp["data"]["flags"], 64);
    assert_eq!(resp["data"]["embeds"], json!([]));
    let content = resp["data"]["content"].as_str().unwrap();
    assert!(content.contains("I don't know that yet"), "{content}");
    assert!(content.contains("/stack"), "{content}");
}

#[tokio::test]
async fn an_unknown_command_is_refused_politely() {
    let s = server().await;
    let (_, resp) = s.post_signed(&command(24, "deploy", json!([]))).await;
    assert_eq!(resp["data"]["flags"], 64);
    assert!(resp["data"]["content"].as_str().unwrap().contains("/help"));
}
