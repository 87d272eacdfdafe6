//! Apps → Find an answer over the gateway: the message's question answered publicly for
//! its author, pinging only them; a mention-heavy message pings nobody else.

use super::in_process::{answer_to, connect_app};
use super::*;
use archie::discord::Options;

#[tokio::test]
async fn over_the_gateway_find_an_answer_replies_for_the_messages_author_only() {
    let mut fake = FakeDiscord::start().await;
    let client = connect_app(&mut fake, Options::default(), fixture_app()).await;
    for (id, content) in [
        (6101, "what does Twitter use for backend?"),
        (
            6102,
            "@everyone <@123456789012345678> <@&1> ```\ncode\n``` what does Twitter use for backend?",
        ),
    ] {
        let r = answer_to(&mut fake, find_answer(id, content), id).await;
        assert_eq!(r["type"], 4, "{r:#}");
        assert_eq!(r["data"]["content"], format!("<@{AUTHOR}>"), "{r:#}");
        assert_eq!(r["data"]["allowed_mentions"], json!({"parse": [], "users": [AUTHOR]}));
        limits::check(&r, Some(AUTHOR)).unwrap();
        assert!(visible_text(&r).contains("Manhattan"), "{r:#}");
    }
    client.abort();
}

#[tokio::test]
async fn over_the_gateway_stack_and_compare_send_their_diagram_after_the_answer() {
    let mut fake = FakeDiscord::start().await;
    let client = connect_app(&mut fake, Options::default(), fixture_app()).await;
    let r = answer_to(
        &mut fake,
        command(6201, "stack", json!([string_opt("company", "Instagram")])),
        6201,
    )
    .await;
    assert_eq!(r["type"], 4, "{r:#}");
    let (name, png, _) = crate::http::diagrams::followup_png(&mut fake, 6201).await;
    assert_eq!(name, "stack-instagram.png");
    crate::http::diagrams::assert_png(&png);
    let r = answer_to(
        &mut fake,
        command(
            6202,
            "compare",
            json!([
                string_opt("first", "Instagram"),
                string_opt("second", "Pinterest")
            ]),
        ),
        6202,
    )
    .await;
    assert_eq!(r["type"], 4, "{r:#}");
    let (name, png, _) = crate::http::diagrams::followup_png(&mut fake, 6202).await;
    assert_eq!(name, "compare-instagram-pinterest.png");
    crate::http::diagrams::assert_png(&png);
    client.abort();
}
