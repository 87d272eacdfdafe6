//! The deployment files in `deploy/`: the systemd unit passes `systemd-analyze verify` and
//! keeps its hardening, and the Prometheus alert rules pass `promtool check rules` and their
//! unit tests (`deploy/prometheus-rules.test.yml`). The tools come from the distribution's
//! packages (`scripts/test` installs them: `systemd`, `prometheus`); a machine without one
//! fails naming the package, it does not skip.

use crate::support::repo_path;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `name` on `PATH`, or a failure naming the Debian package that ships it.
fn tool(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not on PATH: install the Debian package `{package}` \
                 (apt-get install {package}; scripts/test does it)"
            )
        })
}

fn run(program: &Path, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(program)
        .args(args)
        .env("SYSTEMD_COLORS", "0")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()))
}

fn text(out: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `unit` with its `from` line (exactly) replaced by `to`; fails when the line is absent.
fn replace_line(unit: &str, from: &str, to: &str) -> String {
    let mut found = 0;
    let out: Vec<&str> = unit
        .lines()
        .map(|l| {
            if l == from {
                found += 1;
                to
            } else {
                l
            }
        })
        .collect();
    assert_eq!(
        found, 1,
        "deploy/archie.service: expected one line `{from}`"
    );
    out.join("\n") + "\n"
}

#[test]
fn the_service_unit_passes_systemd_analyze_verify() {
    let unit = std::fs::read_to_string(repo_path("deploy/archie.service")).unwrap();
    for line in [
        "User=archie",
        "Group=archie",
        "EnvironmentFile=/etc/archie/archie.env",
        "Environment=ARCHIE_DATA_DIR=/var/lib/archie",
        "StateDirectory=archie",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/archie",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "ProtectHome=yes",
        "CapabilityBoundingSet=",
        "Restart=on-failure",
    ] {
        assert!(
            unit.lines().any(|l| l.trim() == line),
            "deploy/archie.service lacks the line `{line}`"
        );
    }

    let analyze = tool("systemd-analyze", "systemd");
    // verify checks that ExecStart's program exists and is executable, so the copy runs the
    // binary this test was built with, from an existing folder; every other line is the same.
    let tmp = tempfile::tempdir().unwrap();
    let workdir = tmp.path().join("opt-archie");
    std::fs::create_dir(&workdir).unwrap();
    let copy = replace_line(
        &unit,
        "ExecStart=/opt/archie/archie serve",
        &format!("ExecStart={} serve", env!("CARGO_BIN_EXE_archie")),
    );
    let copy = replace_line(
        &copy,
        "WorkingDirectory=/opt/archie",
        &format!("WorkingDirectory={}", workdir.display()),
    );
    let name = "archie.service";
    let path = tmp.path().join(name);
    std::fs::write(&path, copy).unwrap();

    let out = run(
        &analyze,
        &["verify".as_ref(), "--man=no".as_ref(), path.as_os_str()],
    );
    // Without a running systemd (a container), verify may warn about other units or the
    // bus; only what it says about this unit counts. A bad key or value is reported as
    // `<path>:<line>: …` with exit status 0, so those lines fail the test too.
    let about_unit: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .chain(String::from_utf8_lossy(&out.stdout).lines())
        .filter(|l| l.contains(name))
        .map(str::to_string)
        .collect();
    assert!(
        out.status.success() && about_unit.is_empty(),
        "systemd-analyze verify deploy/archie.service (as {}):\n{}\nlines about the unit: {about_unit:#?}",
        path.display(),
        text(&out)
    );
}

#[test]
fn the_alert_rules_pass_promtool() {
    let promtool = tool("promtool", "prometheus");
    for (verb, file) in [
        ("check", "deploy/prometheus-rules.yml"),
        ("test", "deploy/prometheus-rules.test.yml"),
    ] {
        let path = repo_path(file);
        let out = run(
            &promtool,
            &[verb.as_ref(), "rules".as_ref(), path.as_os_str()],
        );
        assert!(
            out.status.success(),
            "promtool {verb} rules {file}:\n{}",
            text(&out)
        );
    }
}
