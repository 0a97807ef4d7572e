//! `login`, `logout` and `profiles`, the real binary against the sandbox:
//! what is checked, what is kept where, and what the config file looks
//! like after. The keychain path runs against a real Secret Service
//! (gnome-keyring in a private D-Bus session) where one can be started.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{TOKEN, World};

impl World {
    fn config(&self) -> PathBuf {
        self.home
            .path()
            .join("config")
            .join("plivo-dash")
            .join("config.toml")
    }

    /// The binary with `args`, `stdin` fed in, no keychain, no terminal.
    fn run(&self, args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
        self.run_with(args, stdin, &[])
    }

    /// Like [`World::run`], with `env` set too.
    fn run_with(
        &self,
        args: &[&str],
        stdin: &str,
        env: &[(&str, &str)],
    ) -> (Option<i32>, String, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_STATE_HOME", self.home.path().join("state"))
            .env("PLIVO_DASH_NO_KEYCHAIN", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        // The binary may stop reading early (a token too long to be one).
        let written =
            std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin.as_bytes());
        assert!(
            written.as_ref().is_ok_and(|()| true)
                || written.is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe),
            "stdin written"
        );
        let output = child.wait_with_output().expect("ends");
        said(&output)
    }

    fn login(&self, profile: &str, token: &str, extra: &[&str]) -> (Option<i32>, String, String) {
        let mut args = vec![
            "login",
            "--profile",
            profile,
            "--auth-id",
            &self.sandbox.handle.auth_id,
            "--api-url",
            &self.sandbox.handle.base_url,
            "--auth-token-stdin",
        ];
        args.extend_from_slice(extra);
        self.run(&args, &format!("{token}\n"))
    }
}

fn said(output: &Output) -> (Option<i32>, String, String) {
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn a_good_token_is_checked_kept_and_then_just_works() {
    let w = World::new();
    let (code, out, err) = w.login("work", TOKEN, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Logged in as Bruce Wayne (MA2025RK4E639VJFZAGV)"),
        "{out}"
    );
    assert!(
        out.contains("token stored in the config file: no keychain available"),
        "{out}"
    );
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN));
    let text = std::fs::read_to_string(w.config()).unwrap();
    assert_eq!(
        text,
        format!(
            "[profiles.work]\nauth_id = \"MA2025RK4E639VJFZAGV\"\nauth_token = \"{TOKEN}\"\napi_url = \"{}\"\n",
            w.sandbox.handle.base_url
        )
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&w.config()), 0o600);
        assert_eq!(mode(w.config().parent().unwrap()), 0o700);
    }
    // The one profile is used with no flag at all.
    let (code, out, err) = w.run(&["get"], "");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Bruce Wayne"), "{out}");
}

#[test]
fn a_refused_token_stores_nothing_and_exits_3() {
    let w = World::new();
    let (code, _, err) = w.login("work", "wrong-token-0123456789abcdef", &[]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("nothing was stored"), "{err}");
    assert!(!err.contains("wrong-token"), "{err}");
    assert!(!w.config().exists());
}

#[test]
fn an_unreachable_api_exits_4_and_no_verify_stores_anyway() {
    let w = World::new();
    let dead = "http://127.0.0.1:1";
    let args = |extra: &'static [&'static str]| {
        let mut a = vec![
            "login",
            "--auth-id",
            "MA2025RK4E639VJFZAGV",
            "--api-url",
            dead,
            "--auth-token-stdin",
        ];
        a.extend_from_slice(extra);
        a
    };
    let (code, _, err) = w.run(&args(&[]), &format!("{TOKEN}\n"));
    assert_eq!(code, Some(4), "{err}");
    // One line: what went wrong, then what was (not) done about it.
    assert!(
        err.starts_with("plivo-dash: network error")
            && err.ends_with("; nothing was stored (--no-verify stores without checking)\n")
            && err.lines().count() == 1,
        "{err}"
    );
    assert!(!w.config().exists());
    let (code, out, err) = w.run(&args(&["--no-verify"]), &format!("{TOKEN}\n"));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("MA2025RK4E639VJFZAGV (not checked)"), "{out}");
    let text = std::fs::read_to_string(w.config()).unwrap();
    assert!(
        text.starts_with("auth_id = \"MA2025RK4E639VJFZAGV\""),
        "top level: {text}"
    );
}

#[test]
fn an_existing_file_keeps_its_comments_and_other_profiles() {
    let w = World::new();
    std::fs::create_dir_all(w.config().parent().unwrap()).unwrap();
    let before = "# my plivo-dash\ninterval = 30 # seconds\n\n[profiles.other]\n# keep me\nauth_id = \"MA2025OTHER000000001\"\nauth_token = \"other-token\"\n\n[profiles.work]\nauth_id = \"MA2025OLD00000000001\"\nauth_token = \"old-token\"\nalert_below = 5 # dollars\n";
    std::fs::write(w.config(), before).unwrap();
    let (code, out, err) = w.login("work", TOKEN, &[]);
    assert_eq!(code, Some(0), "{err}");
    // Another account's profile taken over is said.
    assert!(
        out.contains("the profile was MA2025OLD00000000001's until now"),
        "{out}"
    );
    let after = std::fs::read_to_string(w.config()).unwrap();
    assert_eq!(
        after,
        format!(
            "# my plivo-dash\ninterval = 30 # seconds\n\n[profiles.other]\n# keep me\nauth_id = \"MA2025OTHER000000001\"\nauth_token = \"other-token\"\n\n[profiles.work]\nauth_id = \"MA2025RK4E639VJFZAGV\"\nauth_token = \"{TOKEN}\"\nalert_below = 5 # dollars\napi_url = \"{}\"\n",
            w.sandbox.handle.base_url
        )
    );
    // A file that is not TOML is refused, not overwritten.
    std::fs::write(w.config(), "[broken\n").unwrap();
    let (code, _, err) = w.login("work", TOKEN, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("left as it is"), "{err}");
    assert_eq!(std::fs::read_to_string(w.config()).unwrap(), "[broken\n");
}

#[test]
fn logout_and_profiles_say_where_tokens_are() {
    let w = World::new();
    assert_eq!(w.login("work", TOKEN, &[]).0, Some(0));
    let (code, _, err) = w.login("spare", TOKEN, &["--no-verify"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, _) = w.run(&["profiles"], "");
    assert_eq!(code, Some(0));
    assert!(out.contains("spare   MA2025RK4E639VJFZAGV config"), "{out}");
    assert!(out.contains("work    MA2025RK4E639VJFZAGV config"), "{out}");
    let (code, out, err) = w.run(&["logout", "--profile", "spare"], "");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Removed the token of profile spare from the config file"),
        "{out}"
    );
    let (_, out, _) = w.run(&["logout", "--profile", "spare"], "");
    assert!(out.contains("No token was kept for profile spare"), "{out}");
    let (code, out, _) = w.run(&["profiles", "--verify"], "");
    assert_eq!(code, Some(2), "spare has no token now: {out}");
    assert!(out.contains("spare   MA2025RK4E639VJFZAGV none"), "{out}");
    assert!(out.contains("ok: 1.80900 USD"), "{out}");
    let text = std::fs::read_to_string(w.config()).unwrap();
    assert!(
        text.contains("[profiles.spare]\nauth_id = \"MA2025RK4E639VJFZAGV\""),
        "{text}"
    );
    // Back in: the profile's own account and API, only the token given.
    let (code, out, err) = w.run(
        &["login", "--profile", "spare", "--auth-token-stdin"],
        &format!("{TOKEN}\n"),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Logged in as Bruce Wayne (MA2025RK4E639VJFZAGV)"),
        "{out}"
    );
}

/// A profile of the top level's account uses the top level's token: its
/// logout says so and how that one goes, and doing that logs it out.
#[test]
fn logout_of_a_profile_sharing_the_top_level_s_token_says_what_still_works() {
    let w = World::new();
    std::fs::create_dir_all(w.config().parent().unwrap()).unwrap();
    std::fs::write(
        w.config(),
        format!(
            "auth_id = \"{id}\"\nauth_token = \"{TOKEN}\"\napi_url = \"{url}\"\n\n[profiles.second]\nauth_id = \"{id}\"\nauth_token = \"{TOKEN}\"\n",
            id = w.sandbox.handle.auth_id,
            url = w.sandbox.handle.base_url
        ),
    )
    .unwrap();
    let (code, out, err) = w.run(&["logout", "--profile", "second"], "");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Removed the token of profile second"), "{out}");
    assert!(
        out.contains("Profile second still authenticates")
            && out.contains("`plivo-dash logout --profile default` removes that token"),
        "says what remains and how it goes: {out}"
    );
    let (code, _, err) = w.run(&["get", "--profile", "second"], "");
    assert_eq!(code, Some(0), "as said, it still works: {err}");
    let (code, _, err) = w.run(&["logout", "--profile", "default"], "");
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = w.run(&["get", "--profile", "second"], "");
    assert_eq!(code, Some(2), "logged out now: {err}");
    assert!(err.contains("auth token"), "{err}");
}

#[test]
fn profiles_names_an_account_given_by_the_environment_alone() {
    let w = World::new();
    let verify = || {
        w.run_with(
            &["profiles", "--verify"],
            "",
            &[
                ("PLIVO_API_URL", &w.sandbox.handle.base_url),
                ("PLIVO_AUTH_ID", &w.sandbox.handle.auth_id),
                ("PLIVO_AUTH_TOKEN", TOKEN),
            ],
        )
    };
    let (code, out, err) = verify();
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("(environment) MA2025RK4E639VJFZAGV environment ok: 1.80900 USD"),
        "{out}"
    );
    // Beside a config file too: the environment's account is what `get`
    // uses, so it is listed first, marked, and checked.
    let (code, _, err) = w.login("spare", TOKEN, &["--no-verify"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = verify();
    assert_eq!(code, Some(0), "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].starts_with("* (environment) MA2025RK4E639VJFZAGV environment ok:"),
        "{out}"
    );
    assert!(lines[2].starts_with("  spare"), "{out}");
}

#[test]
fn default_means_the_same_table_to_every_command() {
    let w = World::new();
    // The top level first (no [profiles.default] yet: "default" is it).
    let (code, _, err) = w.login("default", TOKEN, &[]);
    assert_eq!(code, Some(0), "{err}");
    let mut text = std::fs::read_to_string(w.config()).unwrap();
    assert!(text.starts_with("auth_id = "), "{text}");
    text.push_str(&format!(
        "\n[profiles.default]\nauth_id = \"MA2025DEFAULT0000001\"\nauth_token = \"other-token-0123456789\"\napi_url = \"{}\"\n",
        w.sandbox.handle.base_url
    ));
    std::fs::write(w.config(), &text).unwrap();
    // Now "default" is that profile, and the top level goes by another name.
    let (_, out, _) = w.run(&["profiles"], "");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].starts_with("* (top level) MA2025RK4E639VJFZAGV"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("  default     MA2025DEFAULT0000001"),
        "{out}"
    );
    let (code, out, err) = w.run(&["logout", "--profile", "default"], "");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("profile default"), "{out}");
    let text = std::fs::read_to_string(w.config()).unwrap();
    assert!(
        text.contains(&format!("auth_token = \"{TOKEN}\"")),
        "top level kept: {text}"
    );
    assert!(!text.contains("other-token"), "{text}");
    let (code, _, err) = w.run(&["get"], "");
    assert_eq!(code, Some(0), "the top level still works: {err}");
    let (code, _, err) = w.run(
        &[
            "login",
            "--profile",
            "default",
            "--auth-id",
            "MA2025DEFAULT0000001",
            "--auth-token-stdin",
            "--no-verify",
        ],
        "third-token-0123456789\n",
    );
    assert_eq!(code, Some(0), "{err}");
    let text = std::fs::read_to_string(w.config()).unwrap();
    let (top, profile) = text.split_once("[profiles.default]").expect(&text);
    assert!(
        top.contains(TOKEN) && !top.contains("third-token"),
        "{text}"
    );
    assert!(
        profile.contains("auth_token = \"third-token-0123456789\""),
        "{text}"
    );
    // Names the list uses for something else are not a profile's.
    for taken in ["(top level)", "(environment)"] {
        let (code, _, err) = w.login(taken, TOKEN, &["--no-verify"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("choose another name"), "{err}");
    }
    // The top level is called what `profiles` calls it.
    let (code, out, err) = w.run(&["logout"], "");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Removed the token of profile (top level) from"),
        "{out}"
    );
}

#[test]
fn with_no_terminal_the_token_must_come_from_stdin() {
    let w = World::new();
    let (code, _, err) = w.run(&["login", "--auth-id", "MA2025RK4E639VJFZAGV"], "");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--auth-token-stdin"), "{err}");
    let (code, _, err) = w.run(&["login", "--auth-token-stdin"], "x\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--auth-id"), "{err}");
    let (code, _, err) = w.run(
        &[
            "login",
            "--auth-id",
            "MA2025RK4E639VJFZAGV",
            "--auth-token-stdin",
        ],
        "\n",
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no token"), "{err}");
}

#[test]
fn logins_at_the_same_moment_all_land() {
    let w = World::new();
    let ids: Vec<String> = (0..6).map(|i| format!("p{i}")).collect();
    let runs: Vec<_> = ids
        .iter()
        .map(|name| {
            let mut child = Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
                .args([
                    "login",
                    "--profile",
                    name,
                    "--auth-id",
                    "MA2025RK4E639VJFZAGV",
                ])
                .args([
                    "--api-url",
                    &w.sandbox.handle.base_url,
                    "--auth-token-stdin",
                ])
                .env_clear()
                .env("HOME", w.home.path())
                .env("XDG_CONFIG_HOME", w.home.path().join("config"))
                .env("PLIVO_DASH_NO_KEYCHAIN", "1")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(
                &mut child.stdin.take().unwrap(),
                format!("{TOKEN}\n").as_bytes(),
            )
            .unwrap();
            child
        })
        .collect();
    for child in runs {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = std::fs::read_to_string(w.config()).unwrap();
    for name in &ids {
        assert!(
            text.contains(&format!("[profiles.{name}]")),
            "{name} lost:\n{text}"
        );
    }
}

#[test]
fn logging_in_again_checks_against_the_profile_s_own_api() {
    let w = World::new();
    assert_eq!(w.login("work", TOKEN, &[]).0, Some(0));
    // No --api-url this time: the stored one, not api.plivo.com.
    let (code, out, err) = w.run(
        &[
            "login",
            "--profile",
            "work",
            "--auth-id",
            "MA2025RK4E639VJFZAGV",
            "--auth-token-stdin",
        ],
        &format!("{TOKEN}\n"),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Bruce Wayne"), "{out}");
    let text = std::fs::read_to_string(w.config()).unwrap();
    assert!(text.contains(&w.sandbox.handle.base_url), "{text}");
    // A sole profile is the one logout means without --profile.
    let (code, out, _) = w.run(&["logout"], "");
    assert_eq!(code, Some(0));
    assert!(out.contains("Removed the token of profile work"), "{out}");
}

#[test]
fn what_cannot_be_a_token_is_refused_at_once() {
    let w = World::new();
    let huge = "A".repeat(100_000);
    for token in [huge.as_str(), "two words here 0123456789"] {
        let (code, _, err) = w.run(
            &[
                "login",
                "--auth-id",
                "MA2025RK4E639VJFZAGV",
                "--auth-token-stdin",
                "--no-verify",
            ],
            &format!("{token}\n"),
        );
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("not a token"), "{err}");
    }
    assert!(!w.config().exists());
}

/// The programs a private Secret Service needs, or `None` having said
/// "skipped" aloud.
fn secret_service() -> Option<()> {
    for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
        support::installed(
            tool,
            "the keychain test",
            "apt-get install gnome-keyring dbus",
        )?;
    }
    Some(())
}

#[test]
fn with_a_secret_service_the_token_lives_in_the_keychain() {
    if secret_service().is_none() {
        return;
    }
    let w = World::new();
    let bin = env!("CARGO_BIN_EXE_plivo-dash");
    let url = &w.sandbox.handle.base_url;
    // One private D-Bus session with an unlocked keyring for the lot.
    let script = format!(
        r#"eval "$(printf 'pw\n' | gnome-keyring-daemon --unlock --daemonize --components=secrets)"
export GNOME_KEYRING_CONTROL
echo "{TOKEN}" | '{bin}' login --profile work --auth-id MA2025RK4E639VJFZAGV --api-url '{url}' --auth-token-stdin; echo "login=$?"
'{bin}' profiles; echo "profiles=$?"
'{bin}' get --profile work; echo "get=$?"
'{bin}' logout --profile work; echo "logout=$?"
'{bin}' get --profile work; echo "after=$?"
"#
    );
    let output = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", w.home.path())
        .env("XDG_CONFIG_HOME", w.home.path().join("config"))
        .env("XDG_STATE_HOME", w.home.path().join("state"))
        .env("XDG_DATA_HOME", w.home.path().join("data"))
        .env("XDG_RUNTIME_DIR", w.home.path())
        .output()
        .expect("dbus-run-session runs");
    let (_, out, err) = said(&output);
    if out.contains("no keychain available") {
        eprintln!("skipped: the keychain test: the Secret Service did not start here: {out}{err}");
        return;
    }
    assert!(out.contains("login=0"), "{out}{err}");
    assert!(out.contains("token stored in the keychain"), "{out}{err}");
    assert!(
        out.contains("work    MA2025RK4E639VJFZAGV keychain"),
        "{out}"
    );
    assert!(
        out.contains("Bruce Wayne") && out.contains("get=0"),
        "{out}{err}"
    );
    assert!(
        out.contains("Removed the token of profile work from the keychain"),
        "{out}"
    );
    assert!(
        out.contains("after=2"),
        "no token anywhere after logout: {out}{err}"
    );
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN));
    let text = std::fs::read_to_string(w.config()).unwrap();
    assert!(
        !text.contains(TOKEN),
        "the token is not in the file: {text}"
    );
}

#[test]
fn ctrl_c_at_the_hidden_prompt_gives_the_terminal_its_echo_back() {
    use std::num::NonZeroU16;
    use support::pty::{Pty, keys};
    let w = World::new();
    let config_home = w.home.path().join("config").display().to_string();
    // The shell reports the exit code and whether echo is on afterwards.
    let script = format!(
        "\"$PLIVO_DASH\" login --auth-id {} --api-url {}; echo \"rc=$?\"; \
         stty -a | tr ' ' '\\n' | grep -x -- '-\\?echo' | sed 's/^/mode=/'; sleep 5",
        w.sandbox.handle.auth_id, w.sandbox.handle.base_url
    );
    let mut pty = Pty::spawn_program(
        "/bin/sh",
        &["-c", &script],
        &[
            ("XDG_CONFIG_HOME", &config_home),
            ("PLIVO_DASH_NO_KEYCHAIN", "1"),
        ],
        NonZeroU16::new(100).unwrap(),
        NonZeroU16::new(20).unwrap(),
    );
    pty.wait_for("Auth token (not shown as you type):");
    pty.send("half-typed");
    pty.send(keys::CTRL_C);
    pty.wait_for("stopped by signal 2; nothing was stored");
    pty.wait_for("rc=130");
    pty.wait_until("the echo mode", |s| s.contains("mode="));
    assert!(pty.contents().contains("mode=echo"), "{}", pty.contents());
    assert!(!w.config().exists(), "nothing was stored");
}
