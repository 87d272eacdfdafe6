//! Stack diagrams over the signed endpoint: `/stack` and `/compare` answer at once and send
//! their PNG as a followup through the interaction's webhook (no bot token needed), public
//! like the answer, a valid PNG within Discord's size limits.

use super::*;
use crate::support::fake_discord::FakeDiscord;
use std::time::Duration;

/// The PNG a followup to interaction `id` carried, with its file name.
pub(crate) async fn followup_png(fake: &mut FakeDiscord, id: u64) -> (String, Vec<u8>, String) {
    let (content_type, raw, violation) = fake
        .followup(Duration::from_secs(10), id)
        .await
        .unwrap_or_else(|| panic!("no followup for {id}"));
    assert_eq!(violation, None, "the followup meets Discord's schema");
    let payload = schema::payload_json(&content_type, &raw).expect("a payload_json part");
    let (name, png) = schema::multipart_file(&content_type, &raw).expect("a file part");
    (name, png, payload.to_string())
}

/// A PNG Discord shows: the signature, a size it decodes to, and bytes within the limits.
pub(crate) fn assert_png(png: &[u8]) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG signature");
    assert!(png.len() < 1024 * 1024, "{} bytes", png.len());
    let img = resvg::tiny_skia::Pixmap::decode_png(png).expect("the PNG decodes");
    assert_eq!(img.width(), 760);
    assert!((100..4000).contains(&img.height()), "{}", img.height());
}

#[tokio::test]
async fn stack_and_compare_send_their_diagram_after_the_answer() {
    let mut fake = FakeDiscord::start().await;
    let s = http_app(fixture_app())
        .webhooks(&fake.api_url())
        .spawn()
        .await;
    let (status, r) = s
        .post_signed(&command(
            91,
            "stack",
            json!([string_opt("company", "Instagram")]),
        ))
        .await;
    assert_eq!(status, 200);
    assert!(r["data"]["flags"].is_null(), "{r:#}");
    let (name, png, payload) = followup_png(&mut fake, 91).await;
    assert_eq!(name, "stack-instagram.png");
    assert!(
        !payload.contains("\"flags\""),
        "public like the answer: {payload}"
    );
    assert!(payload.contains("\"parse\":[]"), "{payload}");
    assert_png(&png);

    let (_, r) = s
        .post_signed(&command(
            92,
            "compare",
            json!([
                string_opt("first", "Instagram"),
                string_opt("second", "Pinterest")
            ]),
        ))
        .await;
    assert_eq!(r["type"], 4, "{r:#}");
    let (name, png, _) = followup_png(&mut fake, 92).await;
    assert_eq!(name, "compare-instagram-pinterest.png");
    assert_png(&png);

    // A private answer's picture is private too.
    let (_, r) = s
        .post_signed(&command(
            93,
            "stack",
            json!([string_opt("company", "Twitter"), bool_opt("private", true)]),
        ))
        .await;
    assert_eq!(r["data"]["flags"], 64);
    let (_, _, payload) = followup_png(&mut fake, 93).await;
    assert!(payload.contains("\"flags\":64"), "{payload}");
}
