//! `plivo-dash usage` and `usage sync`, the binary against a sandbox with
//! seeded traffic: its totals are the sum of what the sandbox served over
//! the same window, a sync SIGKILLed mid-back-fill ends, run again, with
//! every record once, and output that cannot be written is exit 6.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use plivo_dash::sandbox::{Fault, Options};
use plivo_dash::store::{GroupBy, Kind, Store};
use rust_decimal::Decimal;
use serde_json::Value;
use support::{TOKEN, TestSandbox};

/// A sandbox with a day of traffic from the account and three subaccounts.
fn sandbox() -> TestSandbox {
    TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        traffic_days: 1,
        subaccounts: 3,
        ..Options::default()
    })
}

/// The binary pointed at `sandbox`, its state (the store) in the test's
/// own directory.
pub(crate) fn bin(sandbox: &TestSandbox) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("plivo-dash"));
    cmd.env_clear()
        .env("HOME", sandbox.home())
        .env("XDG_CONFIG_HOME", sandbox.home())
        .env("XDG_STATE_HOME", sandbox.home().join("state"))
        .envs(sandbox.env());
    cmd
}

fn store_path(sandbox: &TestSandbox) -> PathBuf {
    sandbox
        .home()
        .join("state/plivo-dash")
        .join(plivo_dash::store::FILE_NAME)
}

/// `cmd` run to its end: the exit code and the token checked as every
/// command's are.
pub(crate) fn run(cmd: Command, code: i32) -> (String, String) {
    crate::cli::run(assert_cmd::Command::from_std(cmd), code)
}

fn time(value: &Value) -> Timestamp {
    value.as_str().expect("a time").parse().expect("RFC 3339")
}

pub(crate) fn amount(value: &Value) -> Decimal {
    value
        .as_str()
        .expect("a decimal string")
        .parse()
        .expect("a decimal")
}

#[test]
fn usage_by_product_json_totals_are_what_the_sandbox_served_over_the_window() {
    let sandbox = sandbox();
    let mut cmd = bin(&sandbox);
    cmd.args(["usage", "--since", "4h", "--by", "product", "--json"]);
    let (out, _) = run(cmd, 0);
    let json: Value = serde_json::from_str(&out).expect("JSON");
    let (since, until) = (time(&json["since"]), time(&json["until"]));
    assert_eq!(json["auth_id"], sandbox.handle.auth_id.as_str());
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["by"], "product");
    let rows = json["rows"].as_array().expect("rows");
    let row = |key: &str| {
        rows.iter()
            .find(|r| r["key"] == key)
            .map(|r| (r["count"].as_u64().expect("a count"), amount(&r["amount"])))
            .unwrap_or_default()
    };
    let calls = sandbox.handle.served(true, since, until);
    let messages = sandbox.handle.served(false, since, until);
    assert!(calls.0 > 0 && messages.0 > 0, "{calls:?} {messages:?}");
    let products = sandbox.handle.served_by_product(since, until);
    assert!(products.len() >= 4, "{products:?}");
    for (product, served) in &products {
        assert_eq!(row(product), *served, "{product}");
    }
    assert_eq!(rows.len(), products.len(), "{rows:?}");
    assert_eq!(amount(&json["total"]), calls.1 + messages.1);
    assert!(amount(&json["unattributed"]) <= amount(&json["total"]));
    for list in ["calls", "messages"] {
        assert!(json["synced_through"][list].is_string(), "{json}");
    }
    // The store alone, read again over the same window: the same sums,
    // and stderr says the records were not synced now.
    let mut again = bin(&sandbox);
    again.args([
        "usage",
        "--no-sync",
        "--csv",
        "--since",
        &since.to_string(),
        "--until",
        &until.to_string(),
    ]);
    let (csv, err) = run(again, 0);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("key,count,amount"));
    let mut read: Vec<(String, (u64, Decimal))> = lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let [key, count, amount] = fields[..] else {
                panic!("three fields: {line}")
            };
            let count = count.parse().expect("a count");
            (key.to_owned(), (count, amount.parse().expect("a decimal")))
        })
        .collect();
    read.sort();
    assert_eq!(read, products.into_iter().collect::<Vec<_>>());
    assert!(err.contains("not synced now"), "{err}");
}

/// Polls the store until the message list is partway through its
/// back-fill.
fn wait_mid_back_fill(path: &Path, auth_id: &str, child: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "never got mid-back-fill");
        assert!(
            child.try_wait().expect("a child").is_none(),
            "the sync ended before it could be killed"
        );
        if path.exists() {
            let store = Store::open(path, Timestamp::now()).expect("opens").store;
            let messages = store.position(auth_id, Kind::Message).expect("a position");
            if messages.backfill.is_some() && !messages.backfill_done {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_usage_sync_killed_mid_back_fill_ends_run_again_with_every_record_once() {
    let sandbox = sandbox();
    let auth_id = sandbox.handle.auth_id.clone();
    let path = store_path(&sandbox);
    let mut child = bin(&sandbox)
        .args(["usage", "sync", "--days", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    wait_mid_back_fill(&path, &auth_id, &mut child);
    child.kill().expect("SIGKILL");
    child.wait().expect("ends");
    {
        let store = Store::open(&path, Timestamp::now()).expect("opens").store;
        let messages = store.position(&auth_id, Kind::Message).expect("a position");
        assert!(
            !messages.backfill_done,
            "killed mid-back-fill: {messages:?}"
        );
    }
    // Run again, the depth from the config file this time.
    let config = sandbox.home().join("plivo-dash");
    std::fs::create_dir_all(&config).expect("a config directory");
    std::fs::write(config.join("config.toml"), "usage_days = 1\n").expect("a config file");
    let mut again = bin(&sandbox);
    again.args(["usage", "sync"]);
    let (out, _) = run(again, 0);
    assert!(out.contains("messages: "), "{out}");
    let store = Store::open(&path, Timestamp::now()).expect("opens").store;
    let to = Timestamp::now();
    for (kind, calls) in [(Kind::Call, true), (Kind::Message, false)] {
        let position = store.position(&auth_id, kind).expect("a position");
        assert!(position.backfill_done, "{kind:?}: {position:?}");
        let from = position.backfill.expect("an edge");
        let day_ago = to - jiff::SignedDuration::from_hours(24);
        assert!(
            (day_ago - jiff::SignedDuration::from_mins(2)..day_ago).contains(&from),
            "{kind:?}: back-filled to {from}, usage_days = 1"
        );
        let stored = store
            .totals(&auth_id, from, to, GroupBy::Product)
            .expect("totals")
            .into_iter()
            .filter(|t| t.key.as_ref().is_some_and(|k| k.starts_with("voice-")) == calls)
            .fold((0, Decimal::ZERO), |(n, sum), t| {
                (n + t.count, sum + t.amount)
            });
        assert_eq!(stored, sandbox.handle.served(calls, from, to), "{kind:?}");
    }
}

/// `cmd` run with its output into a full disk exits 6, saying so (skipped
/// where there is no /dev/full).
pub(crate) fn exits_6_into_a_full_disk(mut cmd: Command) {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full to write to");
        return;
    };
    let out = cmd.stdout(full).output().expect("runs");
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write the output"),
        "{out:?}"
    );
}

#[test]
fn a_sandbox_and_a_sync_at_one_raised_message_rate_back_fill_without_a_429() {
    // Enough messages for more than the 20 pages Plivo's rate allows in a
    // minute: three days, twice over (about 45 pages).
    let home = tempfile::tempdir().expect("tempdir");
    let log = home.path().join("sandbox.log");
    let log_arg = log.to_str().expect("a UTF-8 path");
    let (mut child, vars) = crate::cli::sandbox(&[
        "--traffic",
        "3",
        "--traffic-scale",
        "2",
        "--message-rate",
        "600",
        "--log-file",
        log_arg,
    ]);
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("plivo-dash"));
    cmd.env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .envs(vars)
        // A little under the sandbox's rate: room for a loaded machine's
        // jitter between a request's start and its arrival.
        .args(["usage", "sync", "--days", "3", "--message-rate", "500"]);
    let (_, stderr) = run(cmd, 0);
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log).expect("the sandbox's log");
    let message_pages = log
        .lines()
        .filter(|l| l.contains("/Message/") && l.contains("status=200"))
        .count();
    assert!(message_pages > 20, "{message_pages} message pages:\n{log}");
    assert!(
        !log.lines().any(|l| l.contains("status=429")),
        "a 429 at matching rates:\n{log}\n{stderr}"
    );
}

#[test]
fn usage_whose_output_cannot_be_written_exits_6() {
    let sandbox = TestSandbox::start();
    let mut cmd = bin(&sandbox);
    cmd.args(["usage", "--no-sync"]);
    exits_6_into_a_full_disk(cmd);
}

#[test]
fn usage_sync_waits_out_a_long_retry_after_up_to_its_cap_and_says_so() {
    let sandbox = TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        traffic_days: 0,
        ..Options::default()
    });
    // The numbers pass; the first page of calls asks for 31 s: more than
    // the client waits by itself (30 s), less than the sync's cap.
    sandbox.handle.inject([
        Fault::PASS,
        Fault {
            status: 429,
            retry_after: Some(31),
        },
    ]);
    let started = Instant::now();
    let mut cmd = bin(&sandbox);
    cmd.args(["usage", "sync", "--days", "1"]);
    let (out, err) = run(cmd, 0);
    assert!(started.elapsed() >= Duration::from_secs(31), "waited");
    assert!(
        err.contains(
            "Plivo asks to wait 31 s before the next page of calls; waiting (up to 300 s in all)"
        ),
        "{err}"
    );
    assert!(out.contains("calls: "), "{out}");
    // Past the cap: no wait, exit 5, one clear line, what was read kept.
    sandbox.handle.inject([
        Fault::PASS,
        Fault {
            status: 429,
            retry_after: Some(3600),
        },
    ]);
    let started = Instant::now();
    let mut cmd = bin(&sandbox);
    cmd.args(["usage", "sync"]);
    let (_, err) = run(cmd, 5);
    assert!(started.elapsed() < Duration::from_secs(30), "not waited");
    assert_eq!(
        err.lines().last(),
        Some(
            "plivo-dash: rate limited (429): Plivo asks to wait 3600 s before the next page of the \
         call list, longer than the sync waits (300 s in all); what was read is kept, run it \
         again later"
        ),
        "{err}"
    );
}

#[test]
fn usage_no_sync_on_an_empty_store_says_the_totals_are_not_the_spend() {
    let sandbox = sandbox();
    let mut cmd = bin(&sandbox);
    cmd.args(["usage", "--no-sync"]);
    let (stdout, stderr) = run(cmd, 0);
    assert!(stdout.contains("TOTAL"), "{stdout}");
    for list in ["calls", "messages"] {
        assert!(
            stderr.contains(&format!(
                "no {list} are stored yet: the totals are not the spend"
            )),
            "{stderr}"
        );
    }
    assert!(!stderr.contains("nowhere"), "{stderr}");
}
