//! The token never appears: not on screen, not in the log at its most
//! verbose, not in `Debug` output, not in errors. And plivo-dash stays far
//! inside Plivo's limit of 300 requests per 5 s whatever the user or the
//! server does.

use crate::support;

use std::time::{Duration, Instant};

use plivo_dash::cli::Global;
use plivo_dash::config::{self, Env};
use plivo_dash::sandbox::{Fault, Options};
use support::pty::{Pty, keys};
use support::{TOKEN, TestSandbox};

#[test]
fn the_most_verbose_log_never_holds_the_token() {
    let sandbox = TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        faults: vec![Fault::status(500)],
        ..Options::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("plivo-dash.log");
    for args in [["get", "--json"], ["get", "--json"]] {
        let _ = std::process::Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
            .env_clear()
            .envs(sandbox.env())
            .env("HOME", dir.path())
            .env("PLIVO_DASH_LOG", "trace")
            .arg("--log-file")
            .arg(&log)
            .args(args)
            .output()
            .expect("runs");
    }
    let text = std::fs::read_to_string(&log).expect("a log was written");
    assert!(
        text.contains("request failed") && text.contains("status=500"),
        "{text}"
    );
    assert!(
        text.contains("answer") && text.contains("status=200"),
        "{text}"
    );
    assert!(
        text.lines().count() > 10,
        "trace level includes the HTTP stack: {text}"
    );
    assert!(!text.contains(TOKEN), "the token is in the log");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&log)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the log is private: {mode:o}");
    }
}

#[test]
fn the_dashboard_log_and_screen_never_hold_the_token() {
    let sandbox = TestSandbox::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("dash.log");
    let log_arg = log.to_string_lossy().into_owned();
    let env = [sandbox.env().as_slice(), &[("PLIVO_DASH_LOG", "trace")]].concat();
    let mut pty = Pty::spawn(
        &["--log-file", &log_arg, "--interval", "1"],
        &env,
        std::num::NonZeroU16::new(100).expect("cols"),
        std::num::NonZeroU16::new(30).expect("rows"),
    );
    pty.wait_for("Bruce Wayne");
    pty.send("r");
    pty.wait_until("a few polls", |_| sandbox.handle.requests() >= 3);
    pty.send(keys::CTRL_C);
    assert_eq!(pty.wait_exit(), 0);
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(!raw.contains(TOKEN), "the token reached the terminal");
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("answer"), "{text}");
    assert!(!text.contains(TOKEN), "the token is in the log");
}

#[test]
fn debug_output_of_the_configuration_never_shows_the_token() {
    let env = Env {
        auth_id: Some("MA2025RK4E639VJFZAGV".into()),
        auth_token: Some(TOKEN.to_owned().into()),
        api_url: None,
        config_path: None,
        config_named: false,
        keychain: false,
    };
    let settings = config::resolve(&Global::default(), &env).expect("resolves");
    let shown = format!("{env:?} {settings:?} {:#?}", settings.credentials);
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(
        shown.contains("MA2025RK4E639VJFZAGV"),
        "the rest is still shown"
    );
}

/// Requests the sandbox saw in each 5-second window of a run.
fn peak_per_5s(times: &[Instant]) -> usize {
    times
        .iter()
        .map(|start| {
            times
                .iter()
                .filter(|t| **t >= *start && t.duration_since(*start) < Duration::from_secs(5))
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn key_mashing_against_a_failing_server_stays_far_inside_the_rate_limit() {
    let sandbox = TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        fail_rate: 0.5,
        faults: vec![Fault::status(503); 10],
        ..Options::default()
    });
    let env = sandbox.env();
    let mut pty = Pty::spawn(
        &["--interval", "1"],
        &env,
        std::num::NonZeroU16::new(100).expect("cols"),
        std::num::NonZeroU16::new(30).expect("rows"),
    );
    pty.wait_for("plivo-dash");
    let mut seen = Vec::new();
    let mut last = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(6) {
        pty.send("rrrrrrrrrrrrrrrrrrrrrrrr");
        // The polls: the usage records' sync beside them takes only what
        // the account's budget leaves (tests/inproc/usage_schedule.rs).
        let now = sandbox.handle.account_requests();
        seen.extend(std::iter::repeat_n(Instant::now(), now - last));
        last = now;
    }
    pty.send(keys::CTRL_C);
    let peak = peak_per_5s(&seen);
    assert!(seen.len() >= 3, "it did keep trying: {}", seen.len());
    assert!(
        peak <= 5 * 4 + 1,
        "{peak} requests in 5 s; the floor is 250 ms apart"
    );
}
