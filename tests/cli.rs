//! The binary, run as a user would, against a sandbox the test starts.

mod support;

use assert_cmd::Command;
use predicates::prelude::*;
use support::{TOKEN, TestSandbox};

/// The binary with a clean environment: no real config, no real credentials.
fn bin(config_home: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("plivo-dash").expect("binary");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", config_home)
        .env("XDG_CONFIG_HOME", config_home)
        .env("NO_COLOR", "1");
    cmd
}

struct World {
    sandbox: TestSandbox,
    home: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        Self {
            sandbox: TestSandbox::start(),
            home: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// The binary pointed at the sandbox through the environment.
    fn cmd(&self) -> Command {
        let mut cmd = bin(self.home.path());
        cmd.env("PLIVO_API_URL", &self.sandbox.handle.base_url)
            .env("PLIVO_AUTH_ID", &self.sandbox.handle.auth_id)
            .env("PLIVO_AUTH_TOKEN", TOKEN);
        cmd
    }
}

/// Runs `cmd`, checks the exit code, and that the token is nowhere in the output.
fn run(mut cmd: Command, code: i32) -> (String, String) {
    let output = cmd.output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "token leaked"
    );
    (stdout, stderr)
}

#[test]
fn get_prints_every_field() {
    let w = World::new();
    let mut cmd = w.cmd();
    cmd.arg("get");
    let (out, err) = run(cmd, 0);
    assert!(err.is_empty(), "{err}");
    for needle in [
        "Bruce Wayne",
        "MA2025RK4E639VJFZAGV",
        "1.80900 USD",
        "prepaid",
        "standard",
        "Auto-recharge off",
        "Wayne Enterprises Inc.",
        "Gotham",
        "New Jersey",
        "America/New_York",
        "/v1/Account/MA2025RK4E639VJFZAGV/",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
}

#[test]
fn get_json_prints_the_api_object() {
    let w = World::new();
    let mut cmd = w.cmd();
    cmd.args(["get", "--json"]);
    let (out, _) = run(cmd, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["cash_credits"], "1.80900");
    assert_eq!(v["name"], "Bruce Wayne");
    assert_eq!(v["auto_recharge"], false);
    let keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "account_type",
            "address",
            "api_id",
            "auth_id",
            "auto_recharge",
            "billing_mode",
            "cash_credits",
            "city",
            "name",
            "resource_uri",
            "state",
            "timezone"
        ]
    );
}

#[test]
fn update_sends_only_the_given_fields_and_says_what_changed() {
    let w = World::new();
    let before = w.sandbox.handle.account();
    let mut cmd = w.cmd();
    cmd.args([
        "update",
        "--city",
        "Metropolis",
        "--timezone",
        "Europe/Paris",
    ]);
    let (out, _) = run(cmd, 0);
    assert!(
        out.contains(r#"city      "Gotham" → "Metropolis""#),
        "{out}"
    );
    assert!(
        out.contains(r#"timezone  "America/New_York" → "Europe/Paris""#),
        "{out}"
    );
    let mut expected = before;
    expected.city = "Metropolis".into();
    expected.timezone = "Europe/Paris".into();
    assert_eq!(w.sandbox.handle.account(), expected);
}

#[test]
fn update_checks_the_time_zone_before_sending() {
    let w = World::new();
    let mut cmd = w.cmd();
    cmd.args(["update", "--timezone", "europe/paris"]);
    let (_, err) = run(cmd, 2);
    assert!(err.contains("did you mean Europe/Paris?"), "{err}");
    assert_eq!(w.sandbox.handle.account().timezone, "America/New_York");

    let mut cmd = w.cmd();
    cmd.arg("update");
    let (_, err) = run(cmd, 2);
    assert!(err.contains("Usage"), "no fields shows the help: {err}");
}

#[test]
fn check_has_all_four_exit_codes() {
    let w = World::new();
    for (args, code, line) in [
        (
            ["-w", "1", "-c", "0.5"],
            0,
            "PLIVO CREDITS OK - 1.80900 USD | credits=1.809;1:;0.5:\n",
        ),
        (
            ["-w", "5", "-c", "1"],
            1,
            "PLIVO CREDITS WARNING - 1.80900 USD is below 5 USD | credits=1.809;5:;1:\n",
        ),
        (
            ["-w", "5", "-c", "2"],
            2,
            "PLIVO CREDITS CRITICAL - 1.80900 USD is below 2 USD | credits=1.809;5:;2:\n",
        ),
    ] {
        let mut cmd = w.cmd();
        cmd.arg("check").args(args);
        let (out, _) = run(cmd, code);
        assert_eq!(out, line);
    }
    let mut cmd = w.cmd();
    cmd.env("PLIVO_AUTH_TOKEN", "wrong")
        .args(["check", "-w", "5", "-c", "2"]);
    let (out, _) = run(cmd, 3);
    assert!(
        out.starts_with("PLIVO CREDITS UNKNOWN - authentication failed"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1);

    let mut cmd = w.cmd();
    cmd.args(["check", "--warning", "1", "--critical", "5"]);
    let (out, _) = run(cmd, 3);
    assert!(out.contains("must not be above"), "{out}");

    // A monitoring system must see UNKNOWN for a broken command line too.
    for args in [
        vec!["check", "--warning", "lots", "--critical", "1"],
        vec!["check", "--critical", "1"],
        vec!["check", "-w", "1", "-c", "0", "--bogus"],
    ] {
        let mut cmd = w.cmd();
        cmd.args(&args);
        let (out, err) = run(cmd, 3);
        assert!(
            out.starts_with("PLIVO CREDITS UNKNOWN - "),
            "{args:?}: {out}"
        );
        assert_eq!(out.lines().count(), 1, "{args:?}: {out}");
        assert!(
            err.starts_with("error: "),
            "{args:?}: the details on stderr: {err}"
        );
    }
    let mut cmd = w.cmd();
    cmd.args(["get", "--bogus"]);
    run(cmd, 2);
}

#[test]
fn missing_credentials_say_how_to_give_them() {
    let home = tempfile::tempdir().expect("tempdir");
    for args in [vec!["get"], vec!["update", "--city", "X"]] {
        let mut cmd = bin(home.path());
        cmd.args(&args);
        let (out, err) = run(cmd, 2);
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        for needle in [
            "PLIVO_AUTH_ID",
            "PLIVO_AUTH_TOKEN",
            "plivo-dash/config.toml",
            "--demo",
        ] {
            assert!(err.contains(needle), "{needle} missing from {err}");
        }
    }
    let mut cmd = bin(home.path());
    cmd.args(["check", "-w", "1", "-c", "0"]);
    let (out, _) = run(cmd, 3);
    assert!(
        out.starts_with("PLIVO CREDITS UNKNOWN - no Plivo credentials"),
        "{out}"
    );
}

#[test]
fn credentials_come_from_the_config_file() {
    let w = World::new();
    let dir = w.home.path().join("plivo-dash");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "api_url = \"{}\"\n\n[profiles.gotham]\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\n",
            w.sandbox.handle.base_url, w.sandbox.handle.auth_id
        ),
    )
    .expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let mut cmd = bin(w.home.path());
    cmd.args(["--profile", "gotham", "get"]);
    let (out, err) = run(cmd, 0);
    assert!(out.contains("Bruce Wayne"), "{out}");
    if cfg!(unix) {
        assert!(err.contains("chmod 600"), "a readable token warns: {err}");
    }
}

#[test]
fn a_bad_token_exits_3() {
    let w = World::new();
    let mut cmd = w.cmd();
    cmd.env("PLIVO_AUTH_TOKEN", "wrong").arg("get");
    let (out, err) = run(cmd, 3);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("authentication failed"), "{err}");
}

#[test]
fn a_bad_auth_id_exits_2() {
    let w = World::new();
    let mut cmd = w.cmd();
    cmd.args(["--auth-id", "MA-oops", "get"]);
    let (_, err) = run(cmd, 2);
    assert!(err.contains("invalid auth id"), "{err}");
}

#[test]
fn an_unreachable_server_exits_4() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = bin(home.path());
    cmd.env("PLIVO_API_URL", format!("http://127.0.0.1:{port}"))
        .env("PLIVO_AUTH_ID", "MA2025RK4E639VJFZAGV")
        .env("PLIVO_AUTH_TOKEN", TOKEN)
        .arg("get");
    let (_, err) = run(cmd, 4);
    assert!(
        err.contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = bin(home.path());
    cmd.env("PLIVO_AUTH_ID", "MA2025RK4E639VJFZAGV")
        .env("PLIVO_AUTH_TOKEN", TOKEN)
        .args(["--api-url", "http://api.plivo.com", "get"]);
    let (_, err) = run(cmd, 2);
    assert!(err.contains("use https://"), "{err}");
}

#[test]
fn the_sandbox_command_prints_ready_to_paste_credentials() {
    use std::io::{BufRead as _, BufReader};
    let home = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("plivo-dash"))
        .args(["sandbox", "--auth-token", "sandbox-token"])
        .env("HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(3)
        .collect::<Result<_, _>>()
        .expect("three lines");
    let vars: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            let (k, v) = l
                .strip_prefix("export ")
                .expect("export line")
                .split_once('=')
                .expect("KEY=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    assert_eq!(vars[0].0, "PLIVO_API_URL");
    assert!(vars[0].1.starts_with("http://127.0.0.1:"), "{lines:?}");
    assert_eq!(
        vars[1],
        ("PLIVO_AUTH_ID".into(), "MA2025RK4E639VJFZAGV".into())
    );
    assert_eq!(vars[2], ("PLIVO_AUTH_TOKEN".into(), "sandbox-token".into()));

    let mut cmd = bin(home.path());
    cmd.envs(vars).arg("get");
    let result = cmd.output();
    let _ = child.kill();
    let _ = child.wait();
    let output = result.expect("get runs");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("Bruce Wayne"));
}

#[test]
fn help_version_and_completions() {
    let home = tempfile::tempdir().expect("tempdir");
    for sub in ["get", "update", "check", "sandbox", "completions"] {
        bin(home.path())
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage: plivo-dash"));
    }
    bin(home.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("plivo-dash "));
    bin(home.path())
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("complete -F _plivo__dash"));
}
