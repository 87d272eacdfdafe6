//! Settings that fail at start, each naming its variable.

use super::*;

async fn fails_at_start(args: &[&str], env: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = archie(&tmp);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = tokio::time::timeout(WAIT, c.output())
        .await
        .expect("archie exits")
        .expect("ran");
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn serve_without_a_token_fails_naming_discord_token() {
    let err = fails_at_start(&["serve"], &[]).await;
    assert!(err.contains("DISCORD_TOKEN is not set"), "{err}");
    assert!(err.contains("Bot page"), "says where to find it: {err}");
}

#[tokio::test]
async fn serve_http_with_a_malformed_public_key_names_the_variable() {
    let err = fails_at_start(
        &["serve", "--http", "127.0.0.1:0"],
        &[("DISCORD_PUBLIC_KEY", "not-a-key")],
    )
    .await;
    assert!(
        err.contains("DISCORD_PUBLIC_KEY is not 64 hex characters"),
        "{err}"
    );
    assert!(err.contains("General Information"), "{err}");
    let err = fails_at_start(&["serve", "--http", "127.0.0.1:0"], &[]).await;
    assert!(err.contains("DISCORD_PUBLIC_KEY is not set"), "{err}");
}

#[tokio::test]
async fn malformed_optional_settings_fail_with_their_names() {
    let err = fails_at_start(
        &["serve"],
        &[("DISCORD_TOKEN", "fake"), ("ARCHIE_DEV_GUILD", "my-server")],
    )
    .await;
    assert!(err.contains("ARCHIE_DEV_GUILD"), "{err}");
    let err = fails_at_start(
        &["serve"],
        &[
            ("DISCORD_TOKEN", "fake"),
            ("ARCHIE_DISCORD_API_URL", "localhost:1"),
        ],
    )
    .await;
    assert!(err.contains("ARCHIE_DISCORD_API_URL"), "{err}");
    for args in [&["serve"][..], &["serve", "--http", "127.0.0.1:0"][..]] {
        let err = fails_at_start(
            args,
            &[
                ("DISCORD_TOKEN", "fake"),
                ("DISCORD_PUBLIC_KEY", &public_key_hex()),
                ("ARCHIE_MODERATOR_ROLES", "123,mods"),
            ],
        )
        .await;
        assert!(
            err.contains("ARCHIE_MODERATOR_ROLES") && err.contains("'mods'"),
            "{err}"
        );
    }
}
#[tokio::test]
async fn malformed_cooldown_settings_fail_with_their_names() {
    for (var, value) in [
        ("ARCHIE_ASK_COOLDOWN", "lots"),
        ("ARCHIE_LOOKUP_COOLDOWN", "5/forever"),
        ("ARCHIE_KB_COOLDOWN", "0/1m"),
        ("ARCHIE_REPEAT_WINDOW", "1h"),
    ] {
        let err = fails_at_start(
            &["serve", "--http", "127.0.0.1:0"],
            &[("DISCORD_PUBLIC_KEY", &public_key_hex()), (var, value)],
        )
        .await;
        assert!(err.contains(var), "{var}: {err}");
        assert!(
            err.contains(&format!("'{value}'")),
            "quotes the value: {err}"
        );
        assert!(
            err.contains("5/30s") || err.contains("5m"),
            "says what a good value looks like: {err}"
        );
    }
}

#[tokio::test]
async fn the_operators_settings_fail_at_start_naming_themselves() {
    for (var, value, fix) in [
        ("ARCHIE_LOG_FORMAT", "xml", "use json"),
        ("ARCHIE_LOG_QUESTIONS", "maybe", "privacy"),
        ("ARCHIE_METRICS_ADDR", "everywhere", "127.0.0.1:9184"),
        (
            "ARCHIE_MESSAGE_CONTENT",
            "please",
            "Privileged Gateway Intents",
        ),
    ] {
        let err = fails_at_start(&["serve"], &[("DISCORD_TOKEN", "fake"), (var, value)]).await;
        assert!(err.contains(var) && err.contains(fix), "{var}: {err}");
    }
}
