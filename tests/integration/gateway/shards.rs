//! Gateway shards across processes: `archie serve --shards FIRST-LAST --shard-count N`
//! runs only those shards, so two processes share one bot, each answering the servers
//! Discord routes to its shards; and the flags' mistakes, refused before anything starts.

use super::*;
use crate::support::fake_discord::shard_of;

/// A server on shard 0 of 2 ([`GUILD`]) and one on shard 1: `(id >> 22) % 2`.
const GUILD_ON_1: &str = "333333333337527637";

/// `archie serve ARGS` with its own token (to tell the processes apart in IDENTIFY), its
/// own folder and log.
fn serve(tmp: &tempfile::TempDir, fake: &FakeDiscord, token: &str, args: &[&str]) -> Child {
    let (stderr, _) = log_file(tmp);
    archie(tmp)
        .arg("serve")
        .args(args)
        .env("DISCORD_TOKEN", token)
        .env("ARCHIE_DISCORD_API_URL", fake.api_url())
        .env("ARCHIE_DEV_GUILD", GUILD)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn archie serve")
}

/// The next IDENTIFY: the token it carried and the shard it asked for.
async fn identify(fake: &mut FakeDiscord, logs: &[&tempfile::TempDir]) -> (String, [u64; 2]) {
    let Some(e) = fake
        .wait_for(WAIT, |e| matches!(e, Event::Identify(_)))
        .await
    else {
        let logs: Vec<String> = logs
            .iter()
            .map(|t| log(&t.path().join("archie.log")))
            .collect();
        panic!("no IDENTIFY; logs:\n{}", logs.join("\n---\n"));
    };
    let shard = e.identified_shard().expect("IDENTIFY names its shard");
    let Event::Identify(d) = e else {
        unreachable!()
    };
    (d["token"].as_str().unwrap_or_default().to_string(), shard)
}

#[tokio::test]
async fn two_processes_with_disjoint_shard_ranges_each_answer_their_own_servers() {
    assert_eq!(shard_of(GUILD.parse().unwrap(), 2), 0);
    assert_eq!(shard_of(GUILD_ON_1.parse().unwrap(), 2), 1);
    let mut fake = FakeDiscord::with_shards(2).await;
    let (tmp0, tmp1) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let flags = |range| ["--register", "--shards", range, "--shard-count", "2"];
    let mut p0 = serve(&tmp0, &fake, "token-of-zero", &flags("0-0"));
    let mut p1 = serve(&tmp1, &fake, "token-of-one", &flags("1-1"));

    // Each process identifies once, as its own shard of two.
    let mut seen = vec![
        identify(&mut fake, &[&tmp0, &tmp1]).await,
        identify(&mut fake, &[&tmp0, &tmp1]).await,
    ];
    seen.sort_by_key(|(_, shard)| *shard);
    assert_eq!(seen[0].1, [0, 2], "{seen:?}");
    assert!(seen[0].0.contains("token-of-zero"), "{seen:?}");
    assert_eq!(seen[1].1, [1, 2], "{seen:?}");
    assert!(seen[1].0.contains("token-of-one"), "{seen:?}");

    // Discord sends each server's interactions on its shard's connection, which only one
    // of the processes holds: an answer to each means each process answered its own.
    let question = "what does Twitter use for backend";
    fake.dispatch_to(0, ask_as(5001, question, &Who::member(GUILD)));
    fake.dispatch_to(1, ask_as(5002, question, &Who::member(GUILD_ON_1)));
    for id in [5001, 5002] {
        let resp = body(fake.wait_for(WAIT, callback_for(id)).await);
        assert!(answered(&resp), "{id}: {resp:#}");
        let desc = resp["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default();
        assert!(desc.contains("Manhattan"), "{id}: {desc}");
    }

    // The commands are registered once, by the process running shard 0.
    let put = format!("/api/v10/applications/{APP_ID}/guilds/{GUILD}/commands");
    fake.wait_for(
        WAIT,
        |e| matches!(e, Event::Rest { method, path, .. } if method == "PUT" && *path == put),
    )
    .await
    .expect("shard 0's process registers the commands");

    for (child, tmp, range) in [(&mut p0, &tmp0, "0-0"), (&mut p1, &tmp1, "1-1")] {
        let status = terminate(child).await;
        let logs = log(&tmp.path().join("archie.log"));
        assert!(status.success(), "exit {status:?}; log:\n{logs}");
        let started = format!("running gateway shards {range} of 2");
        assert!(logs.contains(&started), "{started}:\n{logs}");
    }
    let logs1 = log(&tmp1.path().join("archie.log"));
    assert!(
        logs1.contains("not registering slash commands") && !logs1.contains("registered slash"),
        "{logs1}"
    );
}

#[tokio::test]
async fn shard_count_alone_runs_every_shard_in_one_process() {
    let mut fake = FakeDiscord::with_shards(2).await;
    let tmp = tempfile::tempdir().unwrap();
    let mut child = serve(&tmp, &fake, "token-of-all", &["--shard-count", "2"]);
    let mut shards = vec![
        identify(&mut fake, &[&tmp]).await.1,
        identify(&mut fake, &[&tmp]).await.1,
    ];
    shards.sort();
    assert_eq!(shards, [[0, 2], [1, 2]]);
    fake.dispatch_to(1, ask_as(5101, "caching lessons", &Who::member(GUILD_ON_1)));
    let resp = body(fake.wait_for(WAIT, callback_for(5101)).await);
    assert!(answered(&resp), "{resp:#}");
    let status = terminate(&mut child).await;
    let logs = log(&tmp.path().join("archie.log"));
    assert!(status.success(), "{logs}");
    assert!(logs.contains("running gateway shards 0-1 of 2"), "{logs}");
}

#[tokio::test]
async fn without_shard_flags_one_process_runs_every_shard_discord_recommends() {
    let mut fake = FakeDiscord::with_shards(2).await;
    let tmp = tempfile::tempdir().unwrap();
    let mut child = serve(&tmp, &fake, "token-of-auto", &[]);
    let mut shards = vec![
        identify(&mut fake, &[&tmp]).await.1,
        identify(&mut fake, &[&tmp]).await.1,
    ];
    shards.sort();
    assert_eq!(
        shards,
        [[0, 2], [1, 2]],
        "automatic sharding follows /gateway/bot"
    );
    fake.dispatch_to(1, ask_as(5201, "caching lessons", &Who::member(GUILD_ON_1)));
    let resp = body(fake.wait_for(WAIT, callback_for(5201)).await);
    assert!(answered(&resp), "{resp:#}");
    let status = terminate(&mut child).await;
    assert!(status.success(), "{}", log(&tmp.path().join("archie.log")));
}

/// `archie ARGS`, which must be refused as a usage error: exit 2, clap's `error:` line
/// and its pointer to `--help`, no panic. Returns stderr.
async fn refused(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tokio::time::timeout(WAIT, archie(&tmp).args(args).output())
        .await
        .expect("archie exits")
        .expect("ran");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(err.contains("try '--help'"), "{args:?}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    err
}

#[tokio::test]
async fn malformed_shard_flags_are_refused_naming_the_flag_and_the_fix() {
    let err = refused(&["serve", "--shards", "x", "--shard-count", "2"]).await;
    assert!(
        err.contains("invalid value 'x' for '--shards <FIRST-LAST>'")
            && err.contains("two shard numbers such as 0-3"),
        "{err}"
    );
    let err = refused(&["serve", "--shards", "3-1", "--shard-count", "4"]).await;
    assert!(
        err.contains("'--shards <FIRST-LAST>'")
            && err.contains("the first shard 3 comes after the last 1: write 1-3"),
        "{err}"
    );
    let err = refused(&["serve", "--shards", "0-2", "--shard-count", "2"]).await;
    assert!(
        err.contains("--shards 0-2 names shard 2, but --shard-count 2 numbers the shards 0 to 1"),
        "{err}"
    );
    let err = refused(&["serve", "--shards", "0-1"]).await;
    assert!(err.contains("--shards 0-1 needs --shard-count N"), "{err}");
    let err = refused(&["serve", "--shard-count", "0"]).await;
    assert!(
        err.contains("'--shard-count <N>'") && err.contains("use 1 or more"),
        "{err}"
    );
}

#[tokio::test]
async fn shard_flags_are_refused_with_the_http_endpoint() {
    for flags in [
        &["--shards", "0-0", "--shard-count", "1"][..],
        &["--shard-count", "2"][..],
        &["--shards", "0-0"][..],
    ] {
        let mut args = vec!["serve", "--http", "127.0.0.1:0"];
        args.extend_from_slice(flags);
        let err = refused(&args).await;
        assert!(
            err.contains("--shards and --shard-count are for the gateway")
                && err.contains("drop them, or drop --http"),
            "{err}"
        );
    }
}
