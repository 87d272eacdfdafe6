//! What the endpoint refuses before answering: bad signatures, malformed JSON, stale or
//! replayed requests and bodies over the cap.

use super::*;

#[tokio::test]
async fn requests_without_a_valid_signature_get_401_and_are_never_handled() {
    let s = server().await;
    let body = serde_json::to_vec(&command(25, "help", json!([]))).unwrap();
    let other = serde_json::to_vec(&command(26, "ask", json!([]))).unwrap();
    let ts = timestamp(0);
    let good = sign(&ts, &body);
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("no headers", vec![]),
        ("no timestamp", vec![("x-signature-ed25519", good.clone())]),
        ("no signature", vec![("x-signature-timestamp", ts.clone())]),
        (
            "signature of another body",
            vec![
                ("x-signature-ed25519", sign(&ts, &other)),
                ("x-signature-timestamp", ts.clone()),
            ],
        ),
        (
            "another timestamp",
            vec![
                ("x-signature-ed25519", good.clone()),
                ("x-signature-timestamp", timestamp(1)),
            ],
        ),
        (
            "garbage signature",
            vec![
                ("x-signature-ed25519", "zz".repeat(64)),
                ("x-signature-timestamp", ts.clone()),
            ],
        ),
        (
            "one flipped bit",
            vec![
                ("x-signature-ed25519", {
                    let mut g = good.clone().into_bytes();
                    g[0] = if g[0] == b'0' { b'1' } else { b'0' };
                    String::from_utf8(g).unwrap()
                }),
                ("x-signature-timestamp", ts.clone()),
            ],
        ),
    ];
    let n = cases.len() as u64;
    for (what, headers) in cases {
        let (status, _) = s.post_raw(body.clone(), &headers).await;
        assert_eq!(status, 401, "{what}");
    }
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 0);
    assert_eq!(s.endpoint.rejected.load(Ordering::Relaxed), n);
    // The same body, correctly signed, is handled.
    let (status, _) = s
        .post_raw(
            body,
            &[("x-signature-ed25519", good), ("x-signature-timestamp", ts)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn malformed_json_with_a_valid_signature_gets_400() {
    let s = server().await;
    for body in [&b"{not json"[..], b"{\"type\": 99}", b"[]"] {
        let (status, _) = s.post_raw(body.to_vec(), &signed_headers(body, 0)).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(body));
    }
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 0);
}

// ---- Hardening: replay window, replays, body cap ------------------------------------

#[tokio::test]
async fn a_signed_request_stamped_a_day_ago_or_an_hour_ahead_gets_401_and_a_fresh_one_200() {
    let s = server().await;
    let body = serde_json::to_vec(&command(40, "help", json!([]))).unwrap();
    for (what, offset) in [
        ("a day old", -86_400),
        ("an hour ahead", 3_600),
        // Just past the window: five minutes and a few seconds (the margin covers the
        // time between signing here and checking there).
        ("5 min 5 s old", -305),
        ("5 min 5 s ahead", 305),
    ] {
        let (status, text) = s
            .post_raw(body.clone(), &signed_headers(&body, offset))
            .await;
        assert_eq!(status, 401, "{what}");
        assert!(text.contains("5-minute window"), "{what}: {text}");
    }
    // A timestamp that is no number, correctly signed, is refused too.
    let (status, _) = s
        .post_raw(
            body.clone(),
            &[
                ("x-signature-ed25519", sign("yesterday", &body)),
                ("x-signature-timestamp", "yesterday".into()),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 0);
    assert_eq!(s.endpoint.rejected.load(Ordering::Relaxed), 5);
    // Within the window (a little clock skew either way) the same body is answered.
    let (status, text) = s.post_raw(body.clone(), &signed_headers(&body, -60)).await;
    assert_eq!(status, 200, "{text}");
    let resp: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(resp["type"], 4);
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn the_same_signed_interaction_delivered_twice_is_refused_the_second_time() {
    let s = server().await;
    let body = serde_json::to_vec(&command(
        41,
        "ask",
        json!([string_opt("question", "what does Twitter use for backend")]),
    ))
    .unwrap();
    let headers = signed_headers(&body, 0);
    let (first, text) = s.post_raw(body.clone(), &headers).await;
    assert_eq!(first, 200);
    assert!(text.contains("Manhattan"), "{text}");
    let (again, text) = s.post_raw(body.clone(), &headers).await;
    assert_eq!(again, 401, "{text}");
    assert_eq!(text, "interaction already delivered");
    // Re-signed with a new timestamp it is still the same interaction.
    let resigned_headers = signed_headers(&body, 1);
    let (resigned, _) = s.post_raw(body, &resigned_headers).await;
    assert_eq!(resigned, 401);
    // PINGs are keyed by their id as well.
    let ping = serde_json::to_vec(&ping()).unwrap();
    let (status, text) = s.post_raw(ping.clone(), &signed_headers(&ping, 0)).await;
    assert_eq!((status, text.as_str()), (200, r#"{"type":1}"#));
    let (status, _) = s.post_raw(ping.clone(), &signed_headers(&ping, 0)).await;
    assert_eq!(status, 401);
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 2);
    // Another interaction is answered as usual.
    let (status, _) = s.post_signed(&command(42, "help", json!([]))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_body_over_the_cap_gets_413_saying_the_limit_and_a_full_modal_submit_fits() {
    use archie::discord::http::MAX_BODY;
    let s = server().await;
    let mut big = command(43, "ask", json!([string_opt("question", "x")]));
    big["padding"] = json!("a".repeat(MAX_BODY));
    let bytes = serde_json::to_vec(&big).unwrap();
    assert!(bytes.len() > MAX_BODY);
    let (status, text) = s.post_raw(bytes.clone(), &signed_headers(&bytes, 0)).await;
    assert_eq!(status, 413);
    assert!(
        text.contains(&MAX_BODY.to_string()) && text.contains("256 KiB"),
        "{text}"
    );
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 0);
    // The largest form Discord can send — five inputs of 4,000 four-byte characters —
    // is well under the cap and is answered (here: no store, so a polite refusal).
    let long = "😀".repeat(4000);
    let fields = entry_fields(&long, &long, &long, &long, &long);
    let submit = by(
        modal_submit(44, "kbform:add:note", &fields),
        &Who::moderator(GUILD),
    );
    let bytes = serde_json::to_vec(&submit).unwrap();
    assert!(bytes.len() > 80_000 && bytes.len() < MAX_BODY);
    let (status, text) = s.post_raw(bytes.clone(), &signed_headers(&bytes, 0)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(s.endpoint.handled.load(Ordering::Relaxed), 1);
}
