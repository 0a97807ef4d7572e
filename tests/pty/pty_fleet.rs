//! The real binary watching three accounts on three sandboxes, in a
//! pseudo-terminal: the fleet screen opens by itself, one account crosses
//! its alert, the `on_alert` command hears it exactly once (and never the
//! token), and Enter opens that account.

use crate::support;

use std::num::NonZeroU16;
use std::time::Duration;

use plivo_dash::sandbox::Options;
use rust_decimal::Decimal;
use support::pty::{Pty, keys};
use support::{TOKEN, TestSandbox};

const COLS: NonZeroU16 = NonZeroU16::new(120).unwrap();
const ROWS: NonZeroU16 = NonZeroU16::new(30).unwrap();

fn sandbox(auth_id: &str, drain_per_min: Decimal) -> TestSandbox {
    TestSandbox::with(Options {
        auth_id: auth_id.into(),
        auth_token: TOKEN.into(),
        drain_per_min,
        ..Options::default()
    })
}

#[test]
fn three_accounts_one_alert_run_once_and_enter_opens_it() {
    use std::os::unix::fs::PermissionsExt as _;
    let alpha = sandbox("MA2025ALPHA000000001", Decimal::ZERO);
    // 0.1 USD a second: 1.809 is below 1.75 within a second, and stays.
    let beta = sandbox("MA2025BETA0000000001", Decimal::new(6, 0));
    let gamma = sandbox("MA2025GAMMA000000001", Decimal::ZERO);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("alerts");
    let profile = |name: &str, s: &TestSandbox, extra: &str| {
        format!(
            "[profiles.{name}]\napi_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\n{extra}\n",
            s.handle.base_url, s.handle.auth_id
        )
    };
    let on_alert = format!(
        "on_alert = \"env | grep '^PLIVO' | sort >> '{}'\"\nalert_below = 1.75\nnotify = true",
        out.display()
    );
    let config = format!(
        "interval = 1\nmouse = false\n{}{}{}",
        profile("alpha", &alpha, "alert_below = 1"),
        profile("beta", &beta, &on_alert),
        profile("gamma", &gamma, ""),
    );
    let file = dir.path().join("config.toml");
    std::fs::write(&file, config).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let path = file.display().to_string();
    let state = dir.path().join("state");
    let state = state.display().to_string();
    let mut pty = Pty::spawn(
        &[],
        &[
            ("PLIVO_DASH_CONFIG", &path),
            ("XDG_STATE_HOME", &state),
            // Not any profile's: one variable cannot be every account's
            // token, and an alert command must never see it.
            ("PLIVO_AUTH_TOKEN", "SENTINEL-TOKEN-0000"),
        ],
        COLS,
        ROWS,
    );
    pty.wait_for("3 accounts");
    pty.wait_for("1 below alert");
    let screen = pty.contents();
    let first = screen
        .lines()
        .nth(2)
        .expect("the first row")
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(first, "beta", "the shortest runway on top:\n{screen}");
    assert!(
        screen.contains("alpha") && screen.contains("gamma"),
        "{screen}"
    );

    // Several polls later, the command has run once, with the alert.
    let polls = beta.handle.requests();
    pty.wait_until("four more polls of beta", |_| {
        beta.handle.requests() >= polls + 4
    });
    std::thread::sleep(Duration::from_millis(300));
    let said = std::fs::read_to_string(&out).expect("on_alert wrote its file");
    assert_eq!(said.matches("PLIVO_DASH_EVENT=").count(), 1, "{said}");
    assert!(said.contains("PLIVO_DASH_EVENT=below"), "{said}");
    assert!(said.contains("PLIVO_DASH_PROFILE=beta"), "{said}");
    assert!(
        said.contains("PLIVO_DASH_AUTH_ID=MA2025BETA0000000001"),
        "{said}"
    );
    assert!(said.contains("PLIVO_DASH_THRESHOLD=1.75"), "{said}");
    assert!(said.contains("PLIVO_DASH_RUNWAY_SECONDS="), "{said}");
    let balance: Decimal = said
        .lines()
        .find_map(|l| l.strip_prefix("PLIVO_DASH_BALANCE="))
        .and_then(|b| b.parse().ok())
        .expect("the balance");
    assert!(balance < Decimal::new(175, 2), "{balance}");
    assert!(
        !said.contains("SENTINEL") && !said.contains(TOKEN),
        "{said}"
    );
    assert_eq!(pty.bells(), 1, "one bell for one crossing");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert_eq!(
        raw.matches("\x1b]777;notify;plivo-dash: beta;balance ")
            .count(),
        1,
        "one desktop notification"
    );
    assert_eq!(raw.matches("\x1b]9;plivo-dash: beta: balance ").count(), 1);

    pty.send(keys::ENTER);
    pty.wait_for("MA2025BETA0000000001");
    pty.wait_for("Credits · below 1.75");
    pty.send("a");
    pty.wait_for("sorted by runway");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn a_chosen_profile_opens_and_a_switches_to_another_without_a_restart() {
    use std::os::unix::fs::PermissionsExt as _;
    let mut wayne = plivo_dash::sandbox::demo_account();
    wayne.name = "Wayne Works".into();
    let first = TestSandbox::with(Options {
        auth_id: "MA2025ALPHA000000001".into(),
        auth_token: TOKEN.into(),
        account: wayne,
        ..Options::default()
    });
    let mut kent = plivo_dash::sandbox::demo_account();
    kent.name = "Kent Farms".into();
    let second = TestSandbox::with(Options {
        auth_id: "MA2025BETA0000000001".into(),
        auth_token: TOKEN.into(),
        account: kent,
        ..Options::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = |name: &str, s: &TestSandbox| {
        format!(
            "[profiles.{name}]\napi_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\n",
            s.handle.base_url, s.handle.auth_id
        )
    };
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "mouse = false\n{}{}",
            profile("kent", &second),
            profile("wayne", &first)
        ),
    )
    .expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let path = file.display().to_string();
    let mut pty = Pty::spawn(
        &["--profile", "wayne"],
        &[("PLIVO_DASH_CONFIG", &path)],
        COLS,
        ROWS,
    );
    // The chosen account, on its own dashboard, at once.
    pty.wait_for("Wayne Works");
    assert!(!pty.contents().contains("2 accounts"), "{}", pty.contents());
    pty.send("a");
    pty.wait_for("2 accounts");
    pty.wait_for("Kent Farms");
    // kent sorts first by name; open it.
    pty.send("o");
    pty.send("o");
    pty.wait_until("sorted by name", |s| {
        let kent = s.find("Kent Farms");
        let wayne = s.find("Wayne Works");
        kent.zip(wayne).is_some_and(|(k, w)| k < w)
    });
    pty.send(keys::ENTER);
    pty.wait_until("kent's dashboard", |s| {
        s.contains("MA2025BETA0000000001") && !s.contains("2 accounts")
    });
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

/// The real binary: a fleet row whose token is missing (after `logout`)
/// logs in where it stands, checked with its profile's API, and its
/// dashboard opens with the token kept.
#[test]
fn a_row_without_its_token_logs_in_from_the_fleet() {
    let alpha = sandbox("MA2025ALPHA000000001", Decimal::ZERO);
    let work = sandbox("MA2025WORK0000000001", Decimal::ZERO);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "mouse = false\n[profiles.alpha]\napi_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\n\n\
             [profiles.work]\napi_url = \"{}\"\nauth_id = \"{}\"\n",
            alpha.handle.base_url, alpha.handle.auth_id, work.handle.base_url, work.handle.auth_id
        ),
    )
    .expect("write");
    let state = dir.path().join("state").display().to_string();
    let mut pty = Pty::spawn(
        &[],
        &[
            ("PLIVO_DASH_CONFIG", &file.display().to_string()),
            ("PLIVO_DASH_NO_KEYCHAIN", "1"),
            ("XDG_STATE_HOME", &state),
        ],
        COLS,
        ROWS,
    );
    pty.wait_for("2 accounts");
    // alpha loads first; work, with no balance, sorts after it.
    pty.send(keys::DOWN);
    pty.wait_for("Enter log in");
    pty.send(keys::ENTER);
    pty.wait_for("goes back to the fleet");
    pty.send(TOKEN);
    pty.send(keys::ENTER);
    pty.wait_for("Logged in");
    pty.wait_for("MA2025WORK0000000001");
    let text = std::fs::read_to_string(&file).expect("config");
    let kept = text.split("[profiles.work]").nth(1).expect(&text);
    assert!(kept.contains(TOKEN), "kept with its profile: {text}");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}
