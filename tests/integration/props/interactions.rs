//! Damaged interaction payloads, signed and sent to the real HTTP endpoint: a 400 or a
//! 200 Discord's schema accepts, never a 500, a dropped connection or a caught panic.

use super::*;
// The apology a caught panic answers with: it must never show up here.
use archie::discord::APOLOGY;

/// A footer as Archie writes it, so a page button finds its question.
fn paged_embeds() -> Value {
    json!([{"title": "What does Twitter use for backend?", "description": "…",
            "footer": {"text": "Page 1 of 3 · Asked: what does twitter use for backend"}}])
}

/// The valid payloads of the other tests: PING, slash commands (public, private, for a
/// member, in a DM), autocomplete, page buttons, `/kb` commands, a `/kb` form submission.
fn valid_payloads() -> Vec<Value> {
    let moderator = Who::moderator(GUILD);
    vec![
        ping(),
        command(
            1,
            "ask",
            json!([
                string_opt("question", "what does Twitter use for backend"),
                bool_opt("private", true),
                user_opt("for", "999999999999999999")
            ]),
        ),
        command(
            2,
            "compare",
            json!([
                string_opt("first", "instagram"),
                string_opt("second", "twitter")
            ]),
        ),
        by(
            command(3, "stack", json!([string_opt("company", "twitter")])),
            &Who::dm(),
        ),
        autocomplete(4, "stack", "company", "twi"),
        button(5, "ask:1:what does twitter use for backend", paged_embeds()),
        button(6, "ask:2", paged_embeds()),
        by(kb_autocomplete(7, "show", "id", "kb"), &moderator),
        by(kb(8, "history", json!([])), &Who::member(GUILD)),
        by(
            kb(9, "add", json!([string_opt("kind", "note")])),
            &moderator,
        ),
        by(button(10, "kbh:1:", json!([])), &moderator),
        by(
            modal_submit(
                11,
                "kbform:add:note",
                &entry_fields(
                    "Pods at Shopify",
                    "Shopify isolates shops into pods.",
                    "",
                    "",
                    "https://shopify.engineering/a-pods-architecture",
                ),
            ),
            &moderator,
        ),
    ]
}

struct Endpoint {
    rt: tokio::runtime::Runtime,
    server: TestServer,
}

/// One endpoint (with a community store) for every case of the binary.
static ENDPOINT: LazyLock<Endpoint> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let db = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("props-endpoint.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let server = rt.block_on(http_app(kb_app(&db)).spawn());
    Endpoint { rt, server }
});

/// Gives an interaction a fresh id (when it still has a string id): the endpoint refuses a
/// second delivery of an id with 401, and these tests send the same payloads many times.
fn fresh(mut body: Value) -> Value {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(900_000_000);
    if body.get("id").is_some_and(Value::is_string) {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        body["id"] = json!(n.to_string());
    }
    body
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn a_damaged_interaction_gets_a_400_or_a_valid_answer_never_a_crash(
        which in any::<Index>(),
        damages in proptest::collection::vec((any::<Index>(), damage()), 1..=3),
    ) {
        let payloads = valid_payloads();
        let mut body = which.get(&payloads).clone();
        for (at, d) in &damages {
            let all = paths(&body);
            let path: &Vec<Seg> = at.get(&all);
            body = damaged(&body, path, d);
        }
        let ep = &*ENDPOINT;
        // post_signed holds every 200 answer to Discord's schema (support::validate_answer).
        let body = fresh(body);
        let size = serde_json::to_vec(&body).map(|b| b.len()).unwrap_or(0);
        let (status, resp) = ep.rt.block_on(ep.server.post_signed(&body));
        if size > archie::discord::http::MAX_BODY {
            // Several huge strings together pass the body limit: refused before anything else.
            prop_assert_eq!(status, 413, "a {}-byte body", size);
            return Ok(());
        }
        // An id damaged into something other than a string is not refreshed, so the same
        // id can reach the endpoint twice, and a second delivery is refused (401), rightly.
        let replayable = !body.get("id").is_some_and(Value::is_string);
        prop_assert!(
            status == 200 || status == 400 || (status == 401 && replayable),
            "status {} for {}",
            status,
            body
        );
        if status == 200 {
            let text = visible_text(&resp);
            prop_assert!(!text.contains(APOLOGY), "a panic was caught: {} for {}", text, body);
        }
    }
}

#[test]
fn the_unharmed_payloads_are_answered_and_a_garbled_one_gets_400() {
    let ep = &*ENDPOINT;
    for body in valid_payloads() {
        let body = fresh(body);
        let (status, resp) = ep.rt.block_on(ep.server.post_signed(&body));
        assert_eq!(status, 200, "{body}");
        assert!(!visible_text(&resp).contains(APOLOGY), "{resp}");
    }
    let (status, _) = ep
        .rt
        .block_on(ep.server.post_signed(&json!({"type": "two"})));
    assert_eq!(status, 400);
}

/// serenity reads a 32-byte avatar hash by slicing bytes in pairs, so one that is not ASCII panics
/// inside deserialisation: the endpoint must answer 400, not drop the connection.
#[test]
fn an_avatar_hash_that_is_not_ascii_gets_400_not_a_dropped_connection() {
    let ep = &*ENDPOINT;
    let mut body = fresh(command(
        2,
        "compare",
        json!([string_opt("first", "instagram")]),
    ));
    body["member"]["user"]["avatar"] = json!("0ࠀAA𐀀𐀀𐀀A𐀀𐀀𐀀A");
    let (status, _) = ep.rt.block_on(ep.server.post_signed(&body));
    assert_eq!(status, 400, "{body}");
}
