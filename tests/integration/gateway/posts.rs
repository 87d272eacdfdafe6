//! Messages over the gateway stand-in: a reply to Archie's answer is answered in place in
//! the conversation's context; a new post in a watched forum is answered once, pinging
//! no one; an unwatched forum, a bot's post and a post the knowledge cannot answer are
//! left alone.

use super::in_process::{answer_to, connect_app};
use super::*;
use archie::discord::Options;
use std::sync::atomic::Ordering;

const SOON: Duration = Duration::from_secs(20);
const FORUM: &str = "555000000000000001";

fn user(id: &str, bot: bool) -> Value {
    json!({"id": id, "username": if bot { "somebot" } else { "mel" }, "discriminator": "0",
           "global_name": null, "avatar": null, "bot": bot})
}

fn message(id: &str, channel: &str, author: Value, content: &str) -> Value {
    json!({
        "id": id, "channel_id": channel, "guild_id": GUILD, "author": author,
        "content": content, "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0,
        "components": []
    })
}

fn thread(id: &str, parent: &str) -> Value {
    json!({"id": id, "guild_id": GUILD, "parent_id": parent, "type": 11, "name": "a question",
           "owner_id": MEMBER, "rate_limit_per_user": 0, "message_count": 0,
           "member_count": 1, "newly_created": true, "position": 0, "nsfw": false,
           "permission_overwrites": [],
           "thread_metadata": {"archived": false, "auto_archive_duration": 1440,
               "archive_timestamp": "2024-01-01T00:00:00.000000+00:00", "locked": false}})
}

async fn app_with_store() -> (tempfile::TempDir, std::sync::Arc<archie::app::App>) {
    let dir = tempfile::tempdir().unwrap();
    let app = kb_app(&dir.path().join("archie.db"));
    (dir, app)
}

#[tokio::test]
async fn a_reply_to_an_answer_is_answered_in_place_in_its_context() {
    let mut fake = FakeDiscord::start().await;
    let (_d, app) = app_with_store().await;
    let client = connect_app(&mut fake, Options::default(), app).await;
    let first = answer_to(
        &mut fake,
        ask_as(
            8001,
            "what does instagram use for its database",
            &Who::member(GUILD),
        ),
        8001,
    )
    .await;
    let fu = crate::http::follow_up::follow_up_button(&first).expect("a Follow up button");
    let mut answer = message("8100", CHANNEL, user(APP_ID, true), "");
    answer["components"] = json!([{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "Follow up", "custom_id": fu}]}]);
    let mut reply = message(
        "8101",
        CHANNEL,
        user(MEMBER, false),
        &format!("<@{APP_ID}> and for caching?"),
    );
    reply["mentions"] = json!([user(APP_ID, true)]);
    reply["referenced_message"] = answer;
    reply["message_reference"] = json!({"message_id": "8100", "channel_id": CHANNEL});
    reply["type"] = json!(19);
    fake.dispatch_event("MESSAGE_CREATE", reply);
    let posted = fake
        .posted(SOON, CHANNEL.parse().unwrap())
        .await
        .expect("the reply is answered in the channel");
    let text = posted.to_string();
    assert!(
        text.contains("Read as: and for caching? Instagram"),
        "{posted:#}"
    );
    assert_eq!(posted["message_reference"]["message_id"], "8101");
    assert_eq!(posted["allowed_mentions"]["parse"], json!([]), "{posted:#}");
    assert!(
        text.contains("Follow up"),
        "the conversation goes on: {posted:#}"
    );
    // A bot's message is never answered.
    let mut bot = message("8102", CHANNEL, user("999000000000000001", true), "");
    bot["content"] = json!(format!("<@{APP_ID}> what does twitter use"));
    bot["mentions"] = json!([user(APP_ID, true)]);
    fake.dispatch_event("MESSAGE_CREATE", bot);
    assert!(fake
        .posted(Duration::from_secs(2), CHANNEL.parse().unwrap())
        .await
        .is_none());
    client.abort();
}

#[tokio::test]
async fn a_watched_forums_new_post_is_answered_once_and_others_are_left_alone() {
    let mut fake = FakeDiscord::start().await;
    let (_d, app) = app_with_store().await;
    let moderator = Who::moderator(GUILD);
    let watch = by(
        kb(
            9001,
            "watch",
            json!([{"name": "channel", "type": 7, "value": FORUM}]),
        ),
        &moderator,
    );
    let client = connect_app(&mut fake, Options::default(), app.clone()).await;
    // Without the Message Content intent, watching says what to switch on.
    let refused = answer_to(&mut fake, watch.clone(), 9001).await;
    assert!(
        content(&refused).contains("Message Content Intent"),
        "{refused:#}"
    );
    app.reads_posts.store(true, Ordering::Relaxed);
    let mut again = watch;
    again["id"] = json!("9002");
    again["token"] = json!("tok9002");
    let ok = answer_to(&mut fake, again, 9002).await;
    assert!(visible_text(&ok).contains("Watching the forum"), "{ok:#}");

    // A member's post in the watched forum: answered once, pinging no one.
    fake.put_message(message(
        "9100",
        "9100",
        user(MEMBER, false),
        "what does instagram use for its database?",
    ));
    fake.dispatch_event("THREAD_CREATE", thread("9100", FORUM));
    let posted = fake.posted(SOON, 9100).await.expect("the post is answered");
    assert_eq!(
        posted["allowed_mentions"],
        json!({"parse": [], "replied_user": false})
    );
    let text = posted.to_string();
    assert!(!text.contains("<@"), "{posted:#}");
    assert!(text.contains("Instagram"), "{posted:#}");
    for label in ["Follow up", "This answered it", "Helpful"] {
        assert!(text.contains(label), "{label}: {posted:#}");
    }
    fake.dispatch_event("THREAD_CREATE", thread("9100", FORUM));
    assert!(
        fake.posted(Duration::from_secs(2), 9100).await.is_none(),
        "answered once"
    );

    // An unwatched forum, a bot's post, a post the knowledge cannot answer: silence.
    fake.put_message(message(
        "9200",
        "9200",
        user(MEMBER, false),
        "what does instagram use for its database?",
    ));
    fake.dispatch_event("THREAD_CREATE", thread("9200", "555000000000000002"));
    fake.put_message(message(
        "9300",
        "9300",
        user("999000000000000001", true),
        "what does instagram use for its database?",
    ));
    fake.dispatch_event("THREAD_CREATE", thread("9300", FORUM));
    fake.put_message(message(
        "9400",
        "9400",
        user(MEMBER, false),
        "how do i get my sourdough bread to rise higher",
    ));
    fake.dispatch_event("THREAD_CREATE", thread("9400", FORUM));
    for t in [9200, 9300, 9400] {
        assert!(
            fake.posted(Duration::from_secs(2), t).await.is_none(),
            "thread {t}"
        );
    }

    // Archie loses its permission in the forum: watching turns off, nothing crashes.
    fake.forbid_channel(9500);
    fake.put_message(message(
        "9500",
        "9500",
        user(MEMBER, false),
        "what does instagram use for its database?",
    ));
    fake.dispatch_event("THREAD_CREATE", thread("9500", FORUM));
    let g: u64 = GUILD.parse().unwrap();
    let store = app.store.clone().unwrap();
    let deadline = std::time::Instant::now() + SOON;
    while store.is_watched(g, FORUM.parse().unwrap()).unwrap() {
        assert!(
            std::time::Instant::now() < deadline,
            "watching was not turned off"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A watched forum deleted: watching it stops.
    let other: u64 = 555_000_000_000_000_003;
    assert!(store.watch(g, other, 1).unwrap());
    fake.dispatch_event(
        "CHANNEL_DELETE",
        json!({"id": other.to_string(), "guild_id": GUILD, "type": 15, "name": "help",
               "position": 0, "permission_overwrites": [], "nsfw": false}),
    );
    while store.is_watched(g, other).unwrap() {
        assert!(
            std::time::Instant::now() < deadline,
            "a deleted forum is still watched"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.abort();
}
