//! The binary, run as a user would, against a sandbox the test starts.

use crate::support;

use assert_cmd::Command;
use predicates::prelude::*;
use support::{TOKEN, TestSandbox, World};

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

impl World {
    /// The binary as a plain process (for what assert_cmd cannot set up,
    /// such as a closed pipe), pointed at the sandbox with `token`.
    fn process(&self, token: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("plivo-dash"));
        cmd.env_clear()
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path())
            .env("PLIVO_API_URL", &self.sandbox.handle.base_url)
            .env("PLIVO_AUTH_ID", &self.sandbox.handle.auth_id)
            .env("PLIVO_AUTH_TOKEN", token);
        cmd
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
pub(crate) fn run(mut cmd: Command, code: i32) -> (String, String) {
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

/// The token given as a field's value (pasted in the wrong place) is
/// refused before anything is sent: it would be stored in the account, and
/// the report of the change would print it.
#[test]
fn a_value_holding_the_token_is_refused_and_never_sent_or_printed() {
    let w = World::new();
    let requests = w.sandbox.handle.requests();
    let wrapped = format!("x{TOKEN}y");
    for args in [
        vec!["update", "--name", wrapped.as_str(), "--city", "Metropolis"],
        vec!["update", "--city", TOKEN],
        vec!["subaccounts", "create", TOKEN],
        vec![
            "subaccounts",
            "update",
            "SA0000000000000000X1",
            "--name",
            wrapped.as_str(),
        ],
    ] {
        let mut cmd = w.cmd();
        cmd.args(&args);
        // `run` also checks the token is nowhere in what is printed.
        let (_, err) = run(cmd, 2);
        assert!(
            err.contains("holds the auth token: nothing was sent"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(w.sandbox.handle.requests(), requests, "nothing was sent");
    assert_eq!(w.sandbox.handle.account().city, "Gotham");
}

/// One rule per field, the screens' own: a name is required, and no text
/// field takes more than the screens let be typed.
#[test]
fn names_empty_blank_or_longer_than_the_screens_allow_are_refused() {
    let w = World::new();
    let requests = w.sandbox.handle.requests();
    let long = "x".repeat(plivo_dash::plivo::MAX_FIELD_CHARS + 1);
    for args in [
        vec!["update", "--name", ""],
        vec!["update", "--name", "   "],
        vec!["update", "--city", long.as_str()],
        vec!["subaccounts", "create", long.as_str()],
        vec!["subaccounts", "create", "  "],
        vec![
            "subaccounts",
            "update",
            "SA0000000000000000X1",
            "--name",
            "",
        ],
    ] {
        let mut cmd = w.cmd();
        cmd.args(&args);
        let (_, err) = run(cmd, 2);
        assert!(
            err.contains("is required") || err.contains("longer than 128 characters"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(w.sandbox.handle.requests(), requests, "nothing was sent");
    assert_eq!(w.sandbox.handle.account().name, "Bruce Wayne");
    assert!(
        plivo_dash::plivo::name_problem(&"x".repeat(plivo_dash::plivo::MAX_FIELD_CHARS)).is_none()
    );
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
            "plivo-dash login",
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

/// Starts `plivo-dash sandbox ARGS` and reads the first `n` lines it prints.
fn sandbox_lines(args: &[&str], n: usize) -> (std::process::Child, Vec<String>) {
    use std::io::{BufRead as _, BufReader};
    let home = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("plivo-dash"))
        .arg("sandbox")
        .args(args)
        .env("HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(n)
        .collect::<Result<_, _>>()
        .expect("its lines");
    (child, lines)
}

/// Starts `plivo-dash sandbox ARGS` and reads the three lines it prints.
pub(crate) fn sandbox(args: &[&str]) -> (std::process::Child, Vec<(String, String)>) {
    let (child, lines) = sandbox_lines(args, 3);
    let vars = lines
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
    (child, vars)
}

/// `get` with the environment a sandbox printed: whether it worked.
fn get_works_with(vars: &[(String, String)]) -> bool {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = bin(home.path());
    cmd.envs(vars.iter().cloned()).arg("get");
    let output = cmd.output().expect("get runs");
    output.status.success() && String::from_utf8_lossy(&output.stdout).contains("Bruce Wayne")
}

#[test]
fn the_sandbox_command_prints_ready_to_paste_credentials() {
    let (mut child, vars) = sandbox(&["--auth-token", "sandbox-token"]);
    assert_eq!(vars[0].0, "PLIVO_API_URL");
    assert!(vars[0].1.starts_with("http://127.0.0.1:"), "{vars:?}");
    assert_eq!(
        vars[1],
        ("PLIVO_AUTH_ID".into(), "MA2025RK4E639VJFZAGV".into())
    );
    assert_eq!(vars[2], ("PLIVO_AUTH_TOKEN".into(), "sandbox-token".into()));
    let works = get_works_with(&vars);
    let _ = child.kill();
    let _ = child.wait();
    assert!(works);
}

#[test]
fn the_sandbox_seeds_the_days_of_traffic_asked_for_times_the_scale() {
    // The calls of the last week: a week of the 100 a day, three times over.
    let count = |args: &[&str]| {
        let (mut child, vars) = sandbox(args);
        let client = plivo_dash::plivo::Client::new(
            &crate::support::http(),
            &vars[0].1,
            &vars[1].1,
            vars[2].1.clone().into(),
        )
        .expect("a client");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let page =
            runtime.block_on(client.list_records::<plivo_dash::plivo::Call>(
                &plivo_dash::plivo::CallQuery::default(),
                0,
            ));
        let _ = child.kill();
        let _ = child.wait();
        page.expect("a page").meta.total_count.expect("a count")
    };
    assert_eq!(count(&[]), 0, "no traffic unless asked");
    let seeded = count(&["--traffic", "10", "--traffic-scale", "3"]);
    assert!((1_900..=2_300).contains(&seeded), "{seeded}");
    let mut cmd = bin(tempfile::tempdir().expect("tempdir").path());
    cmd.args(["sandbox", "--traffic", "121"]);
    let (_, err) = run(cmd, 2);
    assert!(err.contains("--traffic"), "{err}");
}

#[test]
fn a_sandbox_on_every_interface_or_a_host_name_prints_a_url_that_works() {
    for listen in ["0.0.0.0:0", "localhost:0"] {
        let (mut child, vars) = sandbox(&["--listen", listen]);
        let url = vars[0].1.clone();
        let works = get_works_with(&vars);
        let _ = child.kill();
        let _ = child.wait();
        assert!(url.starts_with("http://127.0.0.1:"), "{listen}: {url}");
        assert!(!url.ends_with(":0"), "{listen}: the real port, {url}");
        assert!(works, "{listen}: {url}");
    }
}

#[cfg(unix)]
#[test]
fn sigterm_ends_the_sandbox_with_143() {
    let (mut child, _) = sandbox(&[]);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(143), "an exit, not death: {status:?}");
}

/// Runs the binary with its standard output into a pipe whose reading end
/// is already closed, as `plivo-dash … | head -0` does.
fn into_closed_pipe(mut cmd: std::process::Command) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    cmd.stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("runs")
}

#[test]
fn a_closed_pipe_never_panics_and_keeps_the_exit_code() {
    let w = World::new();
    let home = w.home.path();
    for args in [
        vec!["get"],
        vec!["get", "--json"],
        vec!["check", "-w", "1", "-c", "0.5"],
        vec!["completions", "bash"],
        vec!["update", "--city", "Blüdhaven"],
    ] {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("plivo-dash"));
        cmd.env_clear()
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home)
            .env("PLIVO_API_URL", &w.sandbox.handle.base_url)
            .env("PLIVO_AUTH_ID", &w.sandbox.handle.auth_id)
            .env("PLIVO_AUTH_TOKEN", TOKEN)
            .args(&args);
        let output = into_closed_pipe(cmd);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
    assert_eq!(
        w.sandbox.handle.account().city,
        "Blüdhaven",
        "the update was made"
    );
}

#[test]
fn a_closed_stderr_keeps_the_exit_code_of_a_failure() {
    let w = World::new();
    let mut cmd = w.process("not-the-token");
    cmd.arg("get");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = cmd.stderr(writer).output().expect("runs");
    assert_eq!(output.status.code(), Some(3), "refused, not a panic's 101");
}

#[test]
fn the_dashboard_without_a_terminal_says_so_and_exits_2() {
    let w = World::new();
    let mut cmd = w.cmd();
    cmd.write_stdin("");
    let (out, err) = run(cmd, 2);
    assert!(out.is_empty(), "{out}");
    assert_eq!(
        err,
        "plivo-dash: the dashboard needs a terminal; from a script, try 'plivo-dash get' or 'check' (set up with 'plivo-dash login')\n"
    );
    let mut demo = w.cmd();
    demo.arg("--demo").write_stdin("");
    let (_, err) = run(demo, 2);
    assert!(err.contains("needs a terminal"), "{err}");
}

#[test]
fn check_names_a_missing_threshold_on_its_one_line() {
    let w = World::new();
    let mut cmd = w.cmd();
    cmd.args(["check", "--warning", "5"]);
    let (out, _) = run(cmd, 3);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("PLIVO CREDITS UNKNOWN - ") && out.contains("--critical <USD>"),
        "{out}"
    );
}

/// Without a config file a profile name cannot be found in one: say there
/// is none and how to make it, rather than name a file that is not there.
#[test]
fn a_profile_without_a_config_file_says_how_to_create_one() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = bin(home.path());
    cmd.args(["get", "--profile", "nope"]);
    let (_, err) = run(cmd, 2);
    assert!(err.contains("there is no config file"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        err.contains("`plivo-dash login --profile nope` creates it"),
        "{err}"
    );
}

#[test]
fn a_config_file_named_by_the_environment_must_exist() {
    let w = World::new();
    let mut cmd = w.cmd();
    let missing = w.home.path().join("typo.toml");
    cmd.env("PLIVO_DASH_CONFIG", &missing).arg("get");
    let (_, err) = run(cmd, 2);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("PLIVO_DASH_CONFIG"), "{err}");
}

#[test]
fn a_refused_token_names_where_it_came_from() {
    let w = World::new();
    let config = w.home.path().join("plivo-dash");
    std::fs::create_dir_all(&config).expect("mkdir");
    let file = config.join("config.toml");
    std::fs::write(
        &file,
        format!(
            "api_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"wrong\"\n",
            w.sandbox.handle.base_url, w.sandbox.handle.auth_id
        ),
    )
    .expect("write");
    let mut cmd = bin(w.home.path());
    cmd.arg("get");
    let (_, err) = run(cmd, 3);
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(!err.contains("PLIVO_AUTH_TOKEN"), "{err}");
    let mut cmd = w.cmd();
    cmd.env("PLIVO_AUTH_TOKEN", "wrong").arg("get");
    let (_, err) = run(cmd, 3);
    assert!(err.contains("came from PLIVO_AUTH_TOKEN"), "{err}");
}

#[test]
fn each_help_lists_what_that_command_uses() {
    let home = tempfile::tempdir().expect("tempdir");
    let help = |args: &[&str]| {
        let out = bin(home.path())
            .args(args)
            .arg("--help")
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let sandbox = help(&["sandbox"]);
    for absent in [
        "--interval",
        "--alert-below",
        "--profile",
        "--api-url",
        "--timeout",
    ] {
        assert!(
            !sandbox.contains(absent),
            "sandbox --help lists {absent}:\n{sandbox}"
        );
    }
    assert!(sandbox.contains("--listen") && sandbox.contains("--auth-id"));
    let update = help(&["update"]);
    assert!(!update.contains("--interval"), "{update}");
    let fields = update.find("Fields:").expect("a Fields heading");
    let connection = update.find("Connection:").expect("a Connection heading");
    assert!(fields < update.find("--city").expect("--city"));
    assert!(connection < update.find("--auth-id").expect("--auth-id"));
    assert!(update.find("--city") < Some(connection), "{update}");
    let top = help(&[]);
    assert!(
        top.contains("--interval") && top.contains("--alert-below"),
        "{top}"
    );
}

#[test]
fn a_bad_key_binding_is_a_clear_config_error() {
    let w = World::new();
    for (keys, needle) in [
        ("explode = \"x\"", "not an action"),
        ("refresh = \"q\"", "is bound to both"),
        ("quit = \"hyper-q\"", "not a key"),
        ("save = \"s\"", "typed into a field"),
        ("quit = 5", "[keys] quit: give a key as a string"),
    ] {
        let file = w.home.path().join("keys.toml");
        std::fs::write(&file, format!("[keys]\n{keys}\n")).expect("write");
        let mut cmd = w.cmd();
        cmd.env("PLIVO_DASH_CONFIG", &file).arg("get");
        let (_, err) = run(cmd, 2);
        assert!(err.contains(needle), "{keys}: {err}");
        assert!(err.contains("keys.toml"), "names the file: {err}");
    }
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

#[test]
fn output_that_cannot_be_written_is_a_failure_and_a_broken_log_stays_off_screen() {
    let Some(full) = dev_full() else { return };
    let w = World::new();
    let mut cmd = w.process(TOKEN);
    cmd.arg("get").stdout(full);
    let output = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    assert!(
        !stderr.contains("Bruce Wayne"),
        "never the output: {stderr}"
    );

    let mut cmd = w.cmd();
    cmd.env("PLIVO_DASH_LOG", "debug")
        .args(["--log-file", "/dev/full", "get"]);
    let (out, err) = run(cmd, 0);
    assert!(out.contains("Bruce Wayne"));
    assert!(
        !err.contains("Unable to write"),
        "log errors stay off stderr: {err}"
    );
}

#[test]
fn check_help_keeps_its_thresholds_apart_from_the_connection() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = bin(home.path())
        .args(["check", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    let connection = help.find("Connection:").expect("heading");
    assert!(
        help.find("--warning").is_some_and(|at| at < connection),
        "{help}"
    );
    assert!(
        help.find("--critical").is_some_and(|at| at < connection),
        "{help}"
    );
}

#[test]
fn a_token_pasted_into_the_api_url_is_never_printed() {
    let w = World::new();
    let mut cmd = w.cmd();
    cmd.env("PLIVO_API_URL", format!("http://x:{TOKEN}@127.0.0.1:1"))
        .arg("get");
    let (_, err) = run(cmd, 2);
    assert!(err.contains("***"), "{err}");
}

#[test]
fn get_says_how_many_subaccounts_there_are() {
    let sandbox = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        subaccounts: 7,
        ..plivo_dash::sandbox::Options::default()
    });
    let mut cmd = bin(sandbox.home());
    cmd.envs(sandbox.env()).arg("get");
    let (out, _) = run(cmd, 0);
    assert!(out.contains("Subaccounts   7"), "{out}");
}

#[test]
fn history_prints_the_samples_as_a_table_csv_or_json() {
    let w = World::new();
    let state = w.home.path().join("state");
    let dir = state.join("plivo-dash");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let now = jiff::Timestamp::now();
    // Nanoseconds that print with 9, 8, 7 and 1 digits.
    let at = |hours: i64| {
        let nanos = [0, 123_456_789, 123_456_780, 123_456_700, 500_000_000]
            [usize::try_from(hours % 5).unwrap_or(0)];
        let t = now - jiff::SignedDuration::from_hours(hours);
        (jiff::Timestamp::from_second(t.as_second()).unwrap()
            + jiff::SignedDuration::from_nanos(nanos))
        .to_string()
    };
    std::fs::write(
        dir.join(format!("{}.history", w.sandbox.handle.auth_id)),
        format!(
            "# plivo-dash credit history v1 {}\n{} 5.00000\n{} 4.25000\n{} 4.25001\n{} 9.25000\n",
            w.sandbox.handle.auth_id,
            at(48),
            at(4),
            at(3),
            at(1)
        ),
    )
    .expect("history");
    let old = dir.join(format!("{}.history", w.sandbox.handle.auth_id));
    let before = std::fs::read(&old).expect("the old file");
    let said = |args: &[&str]| {
        let mut cmd = w.cmd();
        cmd.env("XDG_STATE_HOME", &state).arg("history").args(args);
        run(cmd, 0)
    };
    let history = |args: &[&str]| {
        let (out, err) = said(args);
        assert!(!err.contains("moved"), "the move is said once: {err}");
        out
    };
    // The first run moves the old file into the store, and says so once.
    let (csv, err) = said(&["--csv"]);
    let store = dir.join(plivo_dash::store::FILE_NAME);
    let migrated = dir.join(format!("{}.history.migrated", w.sandbox.handle.auth_id));
    assert_eq!(
        err,
        format!(
            "plivo-dash: credit history moved into {} (4 samples); \
             the old file is kept beside it as {}.history.migrated\n",
            store.display(),
            w.sandbox.handle.auth_id
        )
    );
    assert!(!old.exists());
    assert_eq!(std::fs::read(&migrated).expect("kept"), before, "as it was");
    assert_eq!(history(&["--csv"]), csv, "the same samples, from the store");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time,credits,top_up");
    assert_eq!(lines.len(), 5, "{csv}");
    for line in &lines[1..] {
        // One precision whatever the sample's nanoseconds (8 or 9 digits
        // in the file): YYYY-MM-DDTHH:MM:SS.mmmZ.
        let time = line.split(',').next().unwrap_or_default();
        assert!(
            time.len() == 24 && time.as_bytes()[19] == b'.' && time.ends_with('Z'),
            "{csv}"
        );
    }
    assert!(
        lines[1].ends_with(",5.00000,false"),
        "exact decimals: {csv}"
    );
    assert!(
        lines[3].ends_with(",4.25001,false"),
        "a rise of less than a cent is not a top-up: {csv}"
    );
    assert!(
        lines[4].ends_with(",9.25000,true"),
        "a rise is a top-up: {csv}"
    );
    let json: Vec<serde_json::Value> = serde_json::from_str(&history(&["--json"])).expect("json");
    assert_eq!(json.len(), 4);
    assert_eq!(json[3]["credits"], "9.25000");
    assert_eq!(json[3]["top_up"], true);
    assert!(
        json[0]["time"].as_str().is_some_and(|t| t.ends_with('Z')),
        "RFC 3339"
    );
    let recent = history(&["--since", "2h", "--csv"]);
    assert_eq!(
        recent.lines().count(),
        2,
        "the header and the last hour: {recent}"
    );
    let table = history(&[]);
    assert!(table.starts_with("TIME") && table.contains('▲'), "{table}");
    for line in table.lines().skip(1) {
        // Times to the second (the samples carry nanoseconds), so the
        // columns line up; nothing trails.
        let time = line.split_whitespace().next().unwrap_or_default();
        assert!(time.len() == 20 && time.ends_with('Z'), "{table}");
        assert_eq!(line, line.trim_end(), "{table}");
    }
    assert_eq!(
        w.sandbox.handle.requests(),
        0,
        "read from the store, no request"
    );

    let mut bad = w.cmd();
    bad.args(["history", "--since", "soon"]);
    let (_, err) = run(bad, 2);
    assert!(err.contains("not a duration"), "{err}");
}

#[test]
fn history_says_a_store_it_cannot_open_or_a_damaged_one_and_loses_nothing() {
    let w = World::new();
    let state = w.home.path().join("state");
    let dir = state.join("plivo-dash");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let id = &w.sandbox.handle.auth_id;
    let old = dir.join(format!("{id}.history"));
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let text = format!("# plivo-dash credit history v1 {id}\n{at} 5.00000\n");
    std::fs::write(&old, &text).expect("the old file");
    let store = dir.join(plivo_dash::store::FILE_NAME);
    let history = |code| {
        let mut cmd = w.cmd();
        cmd.env("XDG_STATE_HOME", &state).args(["history", "--csv"]);
        run(cmd, code)
    };

    // A store that cannot be opened: the old file's samples, and why.
    std::fs::create_dir(&store).expect("a directory in the way");
    let (out, err) = history(0);
    assert!(out.contains(",5.00000,false"), "{out}");
    assert!(
        err.contains(&store.display().to_string()) && err.contains("not yet moved"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&old).expect("untouched"), text);

    // A damaged one: set aside, said with both paths, and a new one made
    // that the old file moves into.
    std::fs::remove_dir(&store).expect("rmdir");
    let damaged = b"not a database, just bytes that claim to be one".repeat(100);
    std::fs::write(&store, &damaged).expect("damage");
    let (out, err) = history(0);
    assert!(out.contains(",5.00000,false"), "{out}");
    assert!(
        err.contains(&format!("the store {} was damaged", store.display())),
        "{err}"
    );
    let aside: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .expect("ls")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(err.contains(&aside[0].display().to_string()), "{err}");
    assert_eq!(
        std::fs::read(&aside[0]).expect("kept"),
        damaged,
        "never emptied"
    );
    assert!(err.contains("credit history moved into"), "{err}");

    // Nothing to fall back on: the store's error, with its path, exit 1.
    std::fs::remove_file(&store).expect("rm");
    std::fs::create_dir(&store).expect("a directory in the way");
    let (_, err) = history(1);
    assert!(err.contains(&store.display().to_string()), "{err}");
}

#[test]
fn subaccount_list_flags_that_cannot_go_together_are_refused() {
    let sandbox = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        subaccounts: 3,
        ..plivo_dash::sandbox::Options::default()
    });
    for args in [
        vec!["subaccounts", "list", "--all", "--limit", "5"],
        vec!["subaccounts", "list", "--all", "--offset", "5"],
        vec!["subaccounts", "list", "--show-tokens"],
    ] {
        let mut cmd = bin(sandbox.home());
        cmd.envs(sandbox.env()).args(&args);
        run(cmd, 2);
    }
    let mut past = bin(sandbox.home());
    past.envs(sandbox.env())
        .args(["subaccounts", "list", "--offset", "10"]);
    let (out, _) = run(past, 0);
    assert_eq!(out, "No subaccounts from offset 10: there are 3.\n");
}

/// `/dev/full`, whose every write fails, for stdout; `None` (said aloud)
/// where there is none.
fn dev_full() -> Option<std::fs::File> {
    match std::fs::OpenOptions::new().write(true).open("/dev/full") {
        Ok(file) => Some(file),
        Err(e) => {
            eprintln!("skipped: no /dev/full to write to ({e})");
            None
        }
    }
}

#[test]
fn a_create_whose_output_cannot_be_written_says_it_was_created_but_never_the_token() {
    let Some(full) = dev_full() else { return };
    let sandbox = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        ..plivo_dash::sandbox::Options::default()
    });
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("plivo-dash"))
        .env_clear()
        .env("HOME", sandbox.home())
        .envs(sandbox.env())
        .args(["subaccounts", "create", "leak", "--show-token"])
        .stdout(full)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let id = sandbox.handle.subaccounts()[0].0.clone();
    let shown = std::process::Command::new(assert_cmd::cargo::cargo_bin("plivo-dash"))
        .env_clear()
        .env("HOME", sandbox.home())
        .envs(sandbox.env())
        .args(["subaccounts", "get", &id, "--show-token"])
        .output()
        .expect("runs");
    let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
    let token = shown
        .lines()
        .find_map(|l| l.strip_prefix("Auth token"))
        .map(str::trim)
        .expect("the token, shown when asked");
    assert!(token.len() > 8, "{shown}");
    assert_eq!(output.status.code(), Some(6), "its own exit code: {stderr}");
    assert!(
        !stderr.contains(token),
        "the new token stays off stderr: {stderr}"
    );
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.contains("created subaccount")
            && l.contains(id.as_str())
            && l.contains("leak")),
        "says what was created, so a script does not create it again: {stderr}"
    );
    assert!(
        !stderr.lines().any(|l| l.trim() == id.as_str()),
        "the output is not copied to stderr: {stderr}"
    );
}

/// A config file with a profile for each sandbox and one whose token is
/// wrong; returns its directory (holding `config.toml`).
fn fleet_config(sandboxes: &[(&str, &TestSandbox)], wrong: &TestSandbox) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    for (name, s) in sandboxes {
        text.push_str(&format!(
            "[profiles.{name}]\napi_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\n",
            s.handle.base_url, s.handle.auth_id
        ));
    }
    text.push_str(&format!(
        "[profiles.\"old one\"]\napi_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"not-the-token\"\n",
        wrong.handle.base_url, wrong.handle.auth_id
    ));
    let file = dir.path().join("config.toml");
    std::fs::write(&file, text).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    dir
}

/// A profile's name is the user's text: in the plugin's line it never
/// starts the perfdata nor breaks a label.
#[test]
fn check_all_profiles_escapes_what_a_profile_name_holds() {
    let low = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        ..plivo_dash::sandbox::Options::default()
    });
    let dir = fleet_config(
        &[("\"semi;colon|pipe\"", &low), ("\"it's=odd\"", &low)],
        &low,
    );
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = bin(home.path());
    cmd.env("PLIVO_DASH_CONFIG", dir.path().join("config.toml"))
        .args(["check", "--all-profiles", "-w", "5", "-c", "2"]);
    let (out, _) = run(cmd, 2);
    assert_eq!(out.matches('|').count(), 1, "only perfdata's own: {out}");
    let (text, perf) = out.trim_end().split_once(" | ").expect("perfdata");
    assert!(text.contains("semi;colon/pipe 1.809 USD < 2"), "{text}");
    assert!(
        perf.starts_with("'it''s_odd'=1.809;5:;2: 'old one'=U;5:;2: 'semi;colon/pipe'=1.809;5:;2:"),
        "{perf}"
    );
}

/// `check` warns as `get` does, and a safe file in a directory others may
/// write to is no safer than the directory.
#[test]
fn check_and_get_warn_about_a_config_others_can_read_or_replace() {
    use std::os::unix::fs::PermissionsExt as _;
    let sandbox = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        ..plivo_dash::sandbox::Options::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "api_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\n",
            sandbox.handle.base_url, sandbox.handle.auth_id
        ),
    )
    .expect("write");
    let home = tempfile::tempdir().expect("tempdir");
    let cmd = |args: &[&str]| {
        let mut cmd = bin(home.path());
        cmd.env("PLIVO_DASH_CONFIG", &file).args(args);
        cmd
    };
    let check = ["check", "-w", "1", "-c", "0.5"];
    for (file_mode, dir_mode, says) in [
        (0o644, 0o700, "can be read by other users"),
        (0o600, 0o777, "directory other users can write to"),
    ] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(file_mode)).expect("chmod");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(dir_mode))
            .expect("chmod");
        let (out, err) = run(cmd(&check), 0);
        assert!(
            out.starts_with("PLIVO CREDITS OK") && out.lines().count() == 1,
            "{out}"
        );
        assert!(err.contains(says), "check: {err}");
        let (_, err) = run(cmd(&["get"]), 0);
        assert!(err.contains(says), "get: {err}");
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let (_, err) = run(cmd(&check), 0);
    assert!(
        err.is_empty(),
        "a 0600 file in a 0700 directory is fine: {err}"
    );
}

#[test]
fn get_and_check_cover_every_profile() {
    let low = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_id: "MA2025LOW00000000001".into(),
        auth_token: TOKEN.into(),
        ..plivo_dash::sandbox::Options::default()
    });
    let rich = TestSandbox::start();
    let dir = fleet_config(&[("low", &low), ("rich", &rich)], &rich);
    let config = dir.path().join("config.toml");
    let home = tempfile::tempdir().expect("tempdir");
    let cmd = |args: &[&str]| {
        let mut cmd = bin(home.path());
        cmd.env("PLIVO_DASH_CONFIG", &config)
            // One token cannot be every account's: it is not used.
            .env("PLIVO_AUTH_TOKEN", "wrong")
            .args(args);
        cmd
    };

    let (out, err) = run(cmd(&["get", "--all-profiles"]), 3);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("low ") && lines[0].contains("MA2025LOW00000000001"));
    assert!(lines[0].contains("1.80900 USD  Bruce Wayne"), "{out}");
    // By profile name, each on its own line whatever the others did.
    assert!(lines[1].starts_with("old one"), "{out}");
    assert!(
        lines[1].contains("error: authentication failed (401"),
        "{out}"
    );
    assert!(
        lines[1].contains("profile \"old one\""),
        "names the token's source: {out}"
    );
    assert!(lines[2].starts_with("rich "), "{out}");
    assert!(err.is_empty(), "{err}");

    let (out, _) = run(cmd(&["get", "--all-profiles", "--json"]), 3);
    let items: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let items = items.as_array().expect("an array");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["profile"], "low");
    assert_eq!(items[0]["account"]["cash_credits"], "1.80900");
    assert!(
        items[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("401"))
    );

    let (out, _) = run(cmd(&["check", "--all-profiles", "-w", "5", "-c", "2"]), 2);
    assert!(
        out.starts_with(
            "PLIVO CREDITS CRITICAL - low 1.809 USD < 2; old one: authentication failed"
        ),
        "{out}"
    );
    assert!(out.contains("; rich 1.809 USD < 2 |"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("| low=1.809;5:;2: 'old one'=U;5:;2: rich=1.809;5:;2:"),
        "{out}"
    );
    let (out, _) = run(cmd(&["check", "--all-profiles", "-w", "1", "-c", "0.5"]), 3);
    assert!(out.starts_with("PLIVO CREDITS UNKNOWN - old one:"), "{out}");

    // A closed pipe ends it quietly.
    let mut sh = Command::new("sh");
    sh.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PLIVO_DASH_CONFIG", &config)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .arg("-c")
        .arg(format!(
            "{} get --all-profiles | head -0",
            env!("CARGO_BIN_EXE_plivo-dash")
        ));
    let (out, err) = run(sh, 0);
    assert!(out.is_empty() && err.is_empty(), "{out}{err}");
}

#[test]
fn a_sandbox_of_several_accounts_prints_a_config_file_that_works() {
    let home = tempfile::tempdir().expect("tempdir");
    // Two comment lines, then a blank line and four lines per profile.
    let (mut child, config) = sandbox_lines(&["--accounts", "3", "--drain", "0.5"], 2 + 3 * 5);
    let config = config.join("\n") + "\n";
    let file = home.path().join("fleet.toml");
    std::fs::write(&file, &config).expect("write");
    let mut cmd = bin(home.path());
    cmd.env("PLIVO_DASH_CONFIG", &file)
        .args(["get", "--all-profiles", "--json"]);
    let output = cmd.output().expect("get runs");
    let _ = child.kill();
    let _ = child.wait();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{config}\n{out}");
    let items: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let ids: Vec<&str> = items
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["account"]["auth_id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "MA2025RK4E639VJFZAGV",
            "MA2025SANDBOX0000002",
            "MA2025SANDBOX0000003"
        ]
    );
    let balances: Vec<&str> = items
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["account"]["cash_credits"].as_str().expect("credits"))
        .collect();
    assert!(
        balances[1].starts_with("249.") || balances[1].starts_with("250."),
        "{balances:?}"
    );
    assert!(balances[2].starts_with("42."), "{balances:?}");
    // Each its own token.
    let tokens: std::collections::BTreeSet<&str> = config
        .lines()
        .filter_map(|l| l.strip_prefix("auth_token = "))
        .collect();
    assert_eq!(tokens.len(), 3, "{config}");
}

#[test]
fn history_of_every_profile_has_a_profile_column() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = tempfile::tempdir().expect("tempdir");
    let state = home.path().join("state");
    let dir = state.join("plivo-dash");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let now = jiff::Timestamp::now();
    let at = |hours: i64| (now - jiff::SignedDuration::from_hours(hours)).to_string();
    let ids = ["MA2025ALPHA000000001", "MA2025BETA0000000001"];
    for (id, credits) in ids.iter().zip(["5.00000", "7.50000"]) {
        std::fs::write(
            dir.join(format!("{id}.history")),
            format!(
                "# plivo-dash credit history v1 {id}\n{} {credits}\n{} 4.00000\n",
                at(3),
                at(1)
            ),
        )
        .expect("history");
    }
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.\"beta, the second\"]\nauth_id = \"{}\"\nauth_token = \"t\"\n\
             [profiles.alpha]\nauth_id = \"{}\"\nauth_token = \"t\"\n\
             [profiles.none]\nauth_token = \"t\"\n",
            ids[1], ids[0]
        ),
    )
    .expect("config");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let history = |args: &[&str]| {
        let mut cmd = bin(home.path());
        cmd.env("PLIVO_DASH_CONFIG", &config)
            .env("XDG_STATE_HOME", &state)
            .args(["history", "--all-profiles"])
            .args(args);
        run(cmd, 0)
    };
    let (csv, err) = history(&["--csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "profile,time,credits,top_up");
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(
        lines[1].starts_with("alpha,") && lines[1].ends_with(",5.00000,false"),
        "{csv}"
    );
    assert!(
        lines[3].starts_with("\"beta, the second\","),
        "quoted: {csv}"
    );
    assert!(lines[3].ends_with(",7.50000,false"), "{csv}");
    // The profile with no account id is said, not fatal.
    assert!(
        err.contains("profile \"none\"")
            && err.contains("has no auth id: run `plivo-dash login --profile none`"),
        "{err}"
    );
    let (json, _) = history(&["--json"]);
    let json: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json");
    assert_eq!(json.len(), 4);
    assert_eq!(json[2]["profile"], "beta, the second");
    let (table, _) = history(&["--since", "2h"]);
    let rows: Vec<&str> = table.lines().collect();
    assert!(
        rows[0].starts_with("PROFILE") && rows[0].contains("TIME"),
        "{table}"
    );
    assert_eq!(
        rows.len(),
        3,
        "the header and each profile's last hour: {table}"
    );
    assert!(rows[1].starts_with("alpha ") && rows[2].starts_with("beta, the second "));
}

#[test]
fn a_file_with_one_named_profile_needs_no_profile_flag() {
    use std::os::unix::fs::PermissionsExt as _;
    let sandbox = TestSandbox::start();
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.only]\napi_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\n",
            sandbox.handle.base_url, sandbox.handle.auth_id
        ),
    )
    .expect("config");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let mut cmd = bin(home.path());
    cmd.env("PLIVO_DASH_CONFIG", &config).arg("get");
    let (out, _) = run(cmd, 0);
    assert!(out.contains("Bruce Wayne"), "{out}");
}

#[test]
fn all_profiles_and_one_profile_cannot_go_together() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = bin(home.path());
    cmd.args(["--profile", "x", "get", "--all-profiles"]);
    let (_, err) = run(cmd, 2);
    assert!(err.contains("cannot go with --profile"), "{err}");
}

#[test]
fn bash_completes_a_subcommands_options() {
    let home = tempfile::tempdir().expect("tempdir");
    let script = home.path().join("plivo-dash.bash");
    let output = bin(home.path())
        .args(["completions", "bash"])
        .output()
        .expect("completions run");
    assert!(output.status.success());
    std::fs::write(&script, &output.stdout).expect("the script written");
    // What bash calls on Tab after `plivo-dash usage --`.
    let complete = format!(
        "source {}; COMP_WORDS=(plivo-dash usage --); COMP_CWORD=2; \
         _plivo__dash plivo-dash -- usage; echo \"${{COMPREPLY[*]}}\"",
        script.display()
    );
    let offered = match std::process::Command::new("bash")
        .args(["-c", &complete])
        .output()
    {
        Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
        Err(e) => {
            println!("skipped: bash_completes_a_subcommands_options: no bash ({e})");
            return;
        }
    };
    for option in ["--since", "--by", "--no-sync"] {
        assert!(
            offered.split_whitespace().any(|o| o == option),
            "{option}: {offered:?}"
        );
    }
}
