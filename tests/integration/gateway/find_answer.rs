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
