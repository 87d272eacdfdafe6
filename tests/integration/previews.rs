//! Pictures of what a member sees: one response per command, rendered as Discord's dark
//! theme by `render::preview` and photographed by headless Chromium. The PNGs stay in
//! `target/tmp/previews/` (the test build's scratch folder) for a person to look at; the
//! test checks each one is a real, non-trivial picture. Chromium comes from the
//! distribution's packages (`.ci/run` installs it; `apt-get install chromium` by hand).

use archie::app::App;
use archie::commands::{execute, Caller, Command, KbCommand};
use archie::knowledge::Knowledge;
use archie::store::validate::RawDraft;
use archie::store::{Actor, Store};
use std::path::{Path, PathBuf};

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
        {
            let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !path.is_empty() {
                return PathBuf::from(path);
            }
        }
    }
    panic!("no headless browser: install Chromium (apt-get install chromium), as .ci/run does")
}

/// Renders `response` to `dir/name.png` and returns the PNG's bytes.
fn photograph(dir: &Path, name: &str, response: &serde_json::Value) -> Vec<u8> {
    let html = dir.join(format!("{name}.html"));
    std::fs::write(&html, archie::render::preview::html(response)).unwrap();
    let png = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    let profile = tempfile::tempdir().unwrap();
    let status = crate::support::scrubbed(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=600,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("chromium runs");
    assert!(status.success(), "chromium failed on {name}");
    std::fs::read(&png).unwrap_or_default()
}

/// The pictures' folder, and the shipped knowledge with a store of its own.
fn setup() -> (PathBuf, tempfile::TempDir, App) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("previews");
    std::fs::create_dir_all(&dir).unwrap();
    let db = tempfile::tempdir().unwrap();
    let k = Knowledge::load(&crate::support::shipped_dir()).unwrap();
    let mut app = App::in_memory(k).unwrap();
    app.attach_store(
        Store::open(&db.path().join("kb.db")).unwrap(),
        archie::search::community::Views::Index,
    );
    (dir, db, app)
}

#[test]
fn every_command_has_a_picture_of_its_answer() {
    let (dir, _db, app) = setup();
    let moderator = Caller {
        guild: Some(1),
        actor: Some(Actor::new(42, "mod-ana")),
        moderator: true,
        typed: false,
    };
    let added = execute(
        &app,
        &moderator,
        &Command::Kb(KbCommand::Submit {
            id: None,
            draft: RawDraft::from_fields(
                "note",
                "How Discord stores trillions of messages",
                "Discord moved its messages from Cassandra to ScyllaDB.",
                "Discord",
                "cassandra",
                "https://discord.com/blog/how-discord-stores-trillions-of-messages",
            ),
        }),
    );
    assert_eq!(added.status, archie::reply::Status::Answer);
    let ask = |q: &str| Command::Ask {
        question: q.into(),
        page: 0,
        per_page: archie::discord::ASK_PER_PAGE,
    };
    let shots = [
        (
            "ask",
            ask("how did instagram store photos on s3 and cloudfront"),
        ),
        (
            "stack",
            Command::Stack {
                company: "Instagram".into(),
            },
        ),
        (
            "compare",
            Command::Compare {
                first: "Instagram".into(),
                second: "Pinterest".into(),
            },
        ),
        (
            "uses",
            Command::Uses {
                tech: "cassandra".into(),
            },
        ),
        (
            "whatis",
            Command::WhatIs {
                tech: "gizzard".into(),
            },
        ),
        (
            "read",
            Command::Read {
                topic: "consistent hashing".into(),
                page: 0,
                per_page: archie::discord::READ_PER_PAGE,
            },
        ),
        (
            "kb-history",
            Command::Kb(KbCommand::History { id: None, page: 0 }),
        ),
        (
            "refusal",
            Command::Stack {
                company: "Twiter".into(),
            },
        ),
    ];
    for (name, cmd) in shots {
        let response = crate::support::discord_response(&app, &moderator, cmd);
        let png = photograph(&dir, name, &response);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
        // A blank page of the theme's colour compresses to a few hundred bytes; a card
        // with text is tens of kilobytes.
        assert!(png.len() > 8_000, "{name}: only {} bytes", png.len());
    }
}

/// A follow-up's answer (`/ask`, then Follow up: "and for caching?") and a forum post's
/// answer, as members see them: the pictures in the README's "Follow-ups and forum answers".
#[test]
fn a_follow_up_and_a_forum_answer_have_pictures() {
    use archie::search::conversation::Context;
    let (dir, _db, app) = setup();
    let member = Caller {
        guild: Some(1),
        actor: Some(Actor::new(7, "mel")),
        moderator: false,
        typed: true,
    };
    let context = app
        .engine
        .follow(
            &Context::default(),
            "what does instagram use for its database",
        )
        .1;
    let cmd = Command::FollowUp {
        question: "and for caching?".into(),
        context,
    };
    let reply = execute(&app, &member, &cmd);
    assert_eq!(reply.status, archie::reply::Status::Answer);
    let id =
        archie::discord::conversation::button_id(&app, Some(1), reply.follow_up.as_ref().unwrap())
            .expect("a Follow up id");
    let follow_up = crate::support::rendered(&reply, &cmd, Some(&id));
    let stash = archie::discord::stash::Stash::default();
    let ask = Command::Ask {
        question: "How does Discord store billions of messages?".into(),
        page: 0,
        per_page: 3,
    };
    let answer = execute(&app, &member, &ask);
    assert_eq!(answer.status, archie::reply::Status::Answer);
    let body = archie::discord::posts::forum_answer(&app, &stash, 1, answer, &ask, 7)
        .expect("a forum answer");
    let forum = serde_json::json!({"type": 4, "data": body});
    for (name, response) in [("follow-up", &follow_up), ("forum-answer", &forum)] {
        let text = response.to_string();
        assert!(text.contains("Follow up"), "{name}: {text}");
        let png = photograph(&dir, name, response);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
        assert!(png.len() > 8_000, "{name}: only {} bytes", png.len());
    }
}
