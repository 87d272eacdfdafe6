//! Apps → Find an answer on a message, over the signed endpoint: plain, long,
//! code-heavy and mention-heavy messages are answered as `/ask` would, pinging exactly
//! the message's author; a message with nothing to answer is told only to the invoker,
//! and its question becomes a gap.

use super::*;

async fn find(s: &TestServer, id: u64, content: &str) -> Value {
    let (status, resp) = s.post_signed(&find_answer(id, content)).await;
    assert_eq!(status, 200, "{resp}");
    resp
}

/// A public answer naming the author, whose only possible ping is the author.
fn assert_answer_for_author(resp: &Value) {
    assert_eq!(resp["type"], 4, "{resp:#}");
    assert!(resp["data"]["flags"].is_null(), "public: {resp:#}");
    assert_eq!(resp["data"]["content"], format!("<@{AUTHOR}>"), "{resp:#}");
    assert_eq!(
        resp["data"]["allowed_mentions"],
        json!({"parse": [], "users": [AUTHOR]}),
        "{resp:#}"
    );
    assert_limits(resp, Some(AUTHOR));
}

#[tokio::test]
async fn plain_long_code_heavy_and_mention_heavy_messages_are_answered_for_their_author() {
    let s = server().await;
    let filler = "We rewrote half our services this quarter and the on-call load doubled. ";
    let long = format!(
        "{}So what does Twitter use for backend? {}",
        filler.repeat(6),
        filler.repeat(6)
    );
    let code = "```scala\nobject Main extends App { println(\"hi\") }\n```\nwhat does `twitter` \
                use for backend? https://github.com/twitter/finagle";
    let pings =
        "<@123456789012345678> <@&987654321098765432> @everyone @here <#444444444444444444> \
                 what does Twitter use for backend?";
    for (id, message) in [
        (61, "what does Twitter use for backend?"),
        (62, long.as_str()),
        (63, code),
        (64, pings),
    ] {
        let r = find(&s, id, message).await;
        assert_answer_for_author(&r);
        let description = embed(&r)["description"].as_str().unwrap_or_default();
        assert!(description.contains("Manhattan"), "{r:#}");
        let text = visible_text(&r);
        assert!(
            !text.contains("@everyone") && !text.contains("123456789012345678"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_message_with_no_answer_is_told_only_to_the_invoker_and_becomes_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let app = kb_app(&dir.path().join("kb.db"));
    let s = http_app(app.clone()).spawn().await;
    let r = find(
        &s,
        71,
        "how does acme's zorblax pipeline retry poison messages?",
    )
    .await;
    assert_eq!(r["data"]["flags"], 64, "only the invoker: {r:#}");
    assert!(
        r["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .contains("I don't know"),
        "{r:#}"
    );
    assert_limits(&r, None);
    let guild: u64 = GUILD.parse().unwrap();
    // The question log writes behind the answer: the gap is there within seconds.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let gaps = loop {
        let (gaps, _) = app.store.as_ref().unwrap().open_gaps(guild, 0, 5).unwrap();
        if !gaps.is_empty() || std::time::Instant::now() > until {
            break gaps;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(!gaps.is_empty(), "no gap was recorded within 20 s");
    assert_eq!(
        gaps[0].question,
        "how does acme's zorblax pipeline retry poison messages?"
    );

    let nothing = find(&s, 72, "```\nlet x = 1;\n``` https://example.com <@1>").await;
    assert_eq!(nothing["data"]["flags"], 64, "{nothing:#}");
    assert!(
        visible_text(&nothing).contains("no question"),
        "{nothing:#}"
    );
}
