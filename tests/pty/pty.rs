//! The real binary in a pseudo-terminal, driven by keys as a person would.

use crate::support;

const COLS: NonZeroU16 = NonZeroU16::new(100).unwrap();
const ROWS: NonZeroU16 = NonZeroU16::new(30).unwrap();

use std::time::{Duration, Instant};

use std::num::NonZeroU16;
use support::pty::{Pty, keys};
use support::{TOKEN, TestSandbox};

#[test]
fn change_the_city_with_the_keyboard_and_save_it() {
    let sandbox = TestSandbox::start();
    let before = sandbox.handle.account();
    let mut pty = Pty::spawn(&[], &sandbox.env(), COLS, ROWS);
    pty.wait_for("Wayne Enterprises Inc.");
    assert!(pty.contents().contains("1.80900 USD"));

    for _ in 0..3 {
        pty.send(keys::TAB);
    }
    pty.send(keys::END);
    for _ in 0.."Gotham".len() {
        pty.send(keys::BACKSPACE);
    }
    pty.send("Metropolis");
    pty.wait_for("City ● unsaved");
    pty.send(keys::CTRL_S);
    pty.wait_for("Save changes?");
    assert!(pty.contents().contains("\"Gotham\" → \"Metropolis\""));
    pty.send(keys::ENTER);
    pty.wait_for("Saved city");

    let after = sandbox.handle.account();
    assert_eq!(after.city, "Metropolis");
    let mut expected = before;
    expected.city = "Metropolis".into();
    assert_eq!(after, expected, "every other field unchanged");

    pty.send(keys::CTRL_C);
    assert_eq!(pty.wait_exit(), 0);
    assert!(!pty.contents().contains(TOKEN));
}

#[test]
fn demo_mode_needs_no_account() {
    let mut pty = Pty::spawn(&["--demo"], &[], COLS, ROWS);
    pty.wait_for("DEMO");
    pty.wait_for("Bruce Wayne");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn quitting_with_unsaved_edits_asks_first() {
    let mut pty = Pty::spawn(&["--demo"], &[], COLS, ROWS);
    pty.wait_for("Wayne Enterprises Inc.");
    pty.send(keys::TAB);
    pty.send("!");
    pty.send(keys::CTRL_C);
    pty.wait_for("Unsaved changes to Name will be lost.");
    pty.send("y");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn ctrl_c_in_the_demo_opened_from_the_welcome_screen_leaves_altogether() {
    // No config and no PLIVO_* variables: the welcome screen; F2 its demo.
    let mut pty = Pty::spawn(&[], &[], COLS, ROWS);
    pty.wait_for("F2");
    pty.send("\x1bOQ");
    pty.wait_for("Wayne Enterprises Inc.");
    pty.wait_for("q back");
    pty.send(keys::TAB);
    pty.send("Q");
    pty.send(keys::CTRL_C);
    pty.wait_for("y leave without saving");
    pty.send("y");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn a_dead_server_shows_an_error_screen_not_a_crash() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut pty = Pty::spawn(
        &[],
        &[
            ("PLIVO_API_URL", &url),
            ("PLIVO_AUTH_ID", "MA2025RK4E639VJFZAGV"),
            ("PLIVO_AUTH_TOKEN", TOKEN),
        ],
        COLS,
        ROWS,
    );
    pty.wait_for("Cannot load the account");
    pty.wait_for("Connection refused");
    let started = Instant::now();
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Sends `signal` to a running demo dashboard: it must exit cleanly (not die
/// by the signal) with the terminal restored, and with the status shells
/// expect of a process a signal stopped: 128 + its number. (Death by the
/// signal itself would read as exit code 1 here.)
#[cfg(unix)]
fn signal_leaves_the_terminal_restored(signal: &str, code: u32) {
    let mut pty = Pty::spawn(&["--demo"], &[], COLS, ROWS);
    pty.wait_for("Bruce Wayne");
    pty.signal(signal);
    assert_eq!(
        pty.wait_exit(),
        code,
        "{signal}: a clean exit with 128 + the signal's number"
    );
    assert_restored(&pty);
}

#[cfg(unix)]
#[test]
fn sigterm_leaves_the_terminal_restored() {
    signal_leaves_the_terminal_restored("-TERM", 143);
}

#[cfg(unix)]
#[test]
fn sighup_leaves_the_terminal_restored() {
    signal_leaves_the_terminal_restored("-HUP", 129);
}

#[cfg(unix)]
#[test]
fn sigquit_leaves_the_terminal_restored() {
    signal_leaves_the_terminal_restored("-QUIT", 131);
}

#[cfg(unix)]
#[test]
fn sigint_from_outside_leaves_the_terminal_restored() {
    // In raw mode Ctrl-C is a key; `kill -INT` still reaches the process.
    signal_leaves_the_terminal_restored("-INT", 130);
}

/// The terminal is as the shell left it: main screen, cursor shown, no mouse
/// capture, no bracketed paste.
fn assert_restored(pty: &Pty) {
    // The last bytes may still be on their way from the terminal.
    let deadline = Instant::now() + Duration::from_secs(5);
    while pty.screen().alternate_screen() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let screen = pty.screen();
    assert!(!screen.alternate_screen(), "left the alternate screen");
    assert!(!screen.hide_cursor(), "cursor shown again");
    assert!(!screen.bracketed_paste(), "bracketed paste off");
    assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
}

#[test]
fn ctrl_c_leaves_the_terminal_restored() {
    let mut pty = Pty::spawn(&["--demo"], &[], COLS, ROWS);
    pty.wait_for("Bruce Wayne");
    assert!(
        pty.screen().alternate_screen(),
        "the dashboard runs on the alternate screen"
    );
    pty.send(keys::CTRL_C);
    assert_eq!(pty.wait_exit(), 0);
    assert_restored(&pty);
}

#[test]
fn a_panic_leaves_the_terminal_restored_and_the_token_unsaid() {
    let sandbox = TestSandbox::start();
    let mut pty = Pty::spawn(
        &[],
        &[
            sandbox.env().as_slice(),
            &[
                (plivo_dash::tui::TEST_PANIC, "1"),
                ("RUST_BACKTRACE", "full"),
            ],
        ]
        .concat(),
        COLS,
        ROWS,
    );
    assert_ne!(pty.wait_exit(), 0, "a panic is a failure exit");
    pty.wait_until("the panic message", |_| {
        String::from_utf8_lossy(&pty.raw()).contains("deliberate panic")
    });
    assert_restored(&pty);
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    let message = raw
        .find("deliberate panic")
        .expect("the panic message is printed");
    let left_alternate = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen is left");
    assert!(
        left_alternate < message,
        "restored first, so the message stays readable"
    );
    assert!(
        !raw.contains(TOKEN),
        "the token is in no panic output or backtrace"
    );
}

/// The credits shown on screen now.
fn credits_on_screen(pty: &Pty) -> rust_decimal::Decimal {
    let text = pty.contents();
    let amount = text
        .split_whitespace()
        .zip(text.split_whitespace().skip(1))
        .find(|(_, unit)| *unit == "USD")
        .map(|(amount, _)| amount.to_owned())
        .expect("credits on screen");
    amount.parse().expect("a decimal")
}

#[test]
fn a_draining_balance_falls_shows_its_burn_rate_and_alerts_once() {
    use rust_decimal::Decimal;
    let sandbox = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        // 0.1 USD a second: from 1.809 past the 1.5 alert in about 3 s.
        drain_per_min: Decimal::from(6),
        ..plivo_dash::sandbox::Options::default()
    });
    let pty = Pty::spawn(
        &["--interval", "1", "--alert-below", "1.5"],
        &sandbox.env(),
        COLS,
        ROWS,
    );
    pty.wait_for("USD");
    let first = credits_on_screen(&pty);
    pty.wait_until("the balance to fall", |_| credits_on_screen(&pty) < first);
    pty.wait_for("balance below 1.5 USD");
    pty.wait_for("USD/h");
    let screen = pty.contents();
    let per_hour: f64 = screen
        .split("Burn rate  ≈ ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("a burn rate");
    // 0.1 USD a second is 360 USD an hour; polls land a little unevenly.
    assert!(
        (300.0..420.0).contains(&per_hour),
        "{per_hour} USD/h:\n{screen}"
    );
    // Several more polls below the line: still one bell.
    let polls_before = sandbox.handle.requests();
    pty.wait_until("three more polls", |_| {
        sandbox.handle.requests() >= polls_before + 3
    });
    assert_eq!(pty.bells(), 1, "one bell for one crossing");
}

/// The burn rate on screen, in USD an hour.
fn burn_on_screen(screen: &str) -> f64 {
    screen
        .split("Burn rate  ≈ ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a burn rate:\n{screen}"))
}

/// The highest balance the chart's axis shows.
fn chart_top(screen: &str) -> f64 {
    screen
        .lines()
        .find_map(|line| {
            // "│ 120.00│⢸ …": the panel's border, the label, the axis.
            let (label, _) = line.strip_prefix('│')?.split_once('│')?;
            label.trim().parse().ok()
        })
        .unwrap_or_else(|| panic!("a chart:\n{screen}"))
}

#[test]
fn the_chart_after_a_restart_shows_the_history_kept_in_the_store() {
    let mut account = plivo_dash::sandbox::demo_account();
    account.cash_credits = rust_decimal::Decimal::from(100);
    let sandbox = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        account,
        ..plivo_dash::sandbox::Options::default()
    });
    let state = sandbox.home().join("state");
    let dir = state.join("plivo-dash");
    std::fs::create_dir_all(&dir).expect("mkdir");
    // A history file from before the store: the last hour, 20 USD spent,
    // 1 USD every 3 minutes, from 120 down to the 100 the account has.
    let id = &sandbox.handle.auth_id;
    let now = jiff::Timestamp::now();
    let mut text = format!("# plivo-dash credit history v1 {id}\n");
    for minutes in (0..=60).step_by(3) {
        let at = now - jiff::SignedDuration::from_mins(62 - minutes);
        text.push_str(&format!("{at} {}.00000\n", 120 - minutes / 3));
    }
    let old = dir.join(format!("{id}.history"));
    std::fs::write(&old, text).expect("the old file");
    let state = state.to_string_lossy().into_owned();
    let mut env = sandbox.env().to_vec();
    env.push(("XDG_STATE_HOME", &state));

    let mut first = Pty::spawn(&["--interval", "600"], &env, COLS, ROWS);
    first.wait_for("credit history moved into");
    first.wait_for("USD/h");
    let screen = first.contents();
    assert!((19.0..=21.0).contains(&burn_on_screen(&screen)), "{screen}");
    assert!(
        chart_top(&screen) > 110.0,
        "the moved history drawn:\n{screen}"
    );
    first.send("q");
    assert_eq!(first.wait_exit(), 0);
    assert!(!old.exists(), "moved, renamed");

    // Restarted: the same history, now from the store, and nothing said.
    let mut second = Pty::spawn(&["--interval", "600"], &env, COLS, ROWS);
    second.wait_for("USD/h");
    let screen = second.contents();
    assert!((19.0..=21.0).contains(&burn_on_screen(&screen)), "{screen}");
    assert!(
        chart_top(&screen) > 110.0,
        "the stored history drawn:\n{screen}"
    );
    assert!(!screen.contains("moved"), "said once:\n{screen}");
    second.send("q");
    assert_eq!(second.wait_exit(), 0);
}

/// An account whose every text field is hostile.
fn hostile_sandbox() -> TestSandbox {
    let mut account = plivo_dash::sandbox::demo_account();
    account.name = "Mallory\u{1b}]0;PWNED-TITLE\u{7}\u{1b}[2J\u{1b}[31mRED".into();
    account.city = "Gotham\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}reversed\u{0}nul".into();
    account.address = "x".repeat(5000);
    account.state = "\u{9b}31mC1 escape".into();
    TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        account,
        ..plivo_dash::sandbox::Options::default()
    })
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let sandbox = hostile_sandbox();
    let mut pty = Pty::spawn(&[], &sandbox.env(), COLS, ROWS);
    pty.wait_for("PWNED-TITLE");
    let screen = pty.screen();
    let raw = pty.raw();
    let osc = raw.windows(2).filter(|w| w == b"\x1b]").count();
    assert_eq!(osc, 0, "no OSC sequence (title, clipboard) was written");
    assert_eq!(pty.bells(), 0, "no BEL smuggled in");
    assert!(
        !screen.contents().contains("RED\n"),
        "no screen clear took effect"
    );
    let header = screen.rows(0, COLS.get()).next().expect("header row");
    let col = header
        .find("␛[31mRED")
        .map(|byte| u16::try_from(header[..byte].chars().count()).expect("short") + 5)
        .expect("the defused colour code is shown as text");
    assert_eq!(
        screen.cell(0, col).map(|c| c.fgcolor()),
        Some(vt100::Color::Default),
        "the text after it is not red"
    );
    let text = pty.contents();
    assert!(
        text.contains("Mallory␛]0;PWNED-TITLE␇␛[2J"),
        "shown, defused:\n{text}"
    );
    pty.send(keys::CTRL_C);
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn hostile_text_is_defused_in_get_output_too() {
    let sandbox = hostile_sandbox();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .env_clear()
        .envs(sandbox.env())
        .arg("get")
        .output()
        .expect("runs");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        !stdout
            .chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
        "{stdout:?}"
    );
    assert!(stdout.contains("Mallory"));
    assert!(
        stdout.lines().all(|l| l.chars().count() < 600),
        "long values are cut"
    );
}

#[test]
fn typing_is_drawn_at_once_while_a_request_hangs() {
    let sandbox = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        latency: Duration::from_secs(5),
        ..plivo_dash::sandbox::Options::default()
    });
    let mut pty = Pty::spawn(&[], &sandbox.env(), COLS, ROWS);
    pty.wait_for("Fetching account");
    pty.wait_for("Wayne Enterprises Inc.");
    pty.send("r");
    pty.wait_for("refreshing…");
    pty.send(keys::TAB);
    pty.send("xyz");
    pty.wait_for("Bruce Waynexyz");
    assert!(
        pty.contents().contains("refreshing…"),
        "the keys were drawn while the 5 s request was still in flight:\n{}",
        pty.contents()
    );
    pty.send(keys::CTRL_C);
    pty.wait_for("Unsaved changes to Name");
    pty.send("y");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn with_output_redirected_the_dashboard_says_it_needs_a_terminal() {
    let mut pty = Pty::spawn_program(
        "/bin/sh",
        &["-c", "exec \"$PLIVO_DASH\" --demo >/dev/null"],
        &[],
        COLS,
        ROWS,
    );
    pty.wait_for("plivo-dash: the dashboard needs a terminal; from a script, try 'plivo-dash get' or 'check' (set up with 'plivo-dash login')");
    assert_eq!(pty.wait_exit(), 2);
    assert!(
        !pty.screen().alternate_screen(),
        "the screen was never taken"
    );
}

#[test]
fn m_lets_the_terminal_select_text_again() {
    let mut pty = Pty::spawn(&["--demo"], &[], COLS, ROWS);
    pty.wait_for("Bruce Wayne");
    let captured = |s: &vt100::Screen| s.mouse_protocol_mode() != vt100::MouseProtocolMode::None;
    pty.wait_screen("clicks captured at start", captured);
    pty.send("m");
    pty.wait_for("Mouse off");
    pty.wait_screen("capture off", |s| !captured(s));
    pty.send("m");
    pty.wait_for("Mouse on");
    pty.wait_screen("capture on again", captured);
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[cfg(unix)]
#[test]
fn a_config_file_others_can_read_is_flagged_inside_the_dashboard() {
    use std::os::unix::fs::PermissionsExt as _;
    let sandbox = TestSandbox::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "api_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\nmouse = false\n",
            sandbox.handle.base_url, sandbox.handle.auth_id
        ),
    )
    .expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let path = file.display().to_string();
    let mut pty = Pty::spawn(&[], &[("PLIVO_DASH_CONFIG", &path)], COLS, ROWS);
    pty.wait_for("Bruce Wayne");
    pty.wait_for("can be read by other users");
    assert_eq!(
        pty.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse = false in the config file"
    );
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn the_terminal_cursor_follows_graphemes_and_wide_characters() {
    let mut pty = Pty::spawn(&["--demo"], &[], COLS, ROWS);
    pty.wait_for("Bruce Wayne");
    pty.send(keys::TAB);
    pty.send(keys::END);
    // A two-column bat, and an e with a combining accent: one character.
    pty.send(" 🦇e\u{301}x");
    pty.wait_for("Name ● unsaved");
    pty.send(keys::LEFT);
    pty.wait_screen("the cursor on the x, after the é", |screen| {
        let (row, col) = screen.cursor_position();
        screen
            .contents_between(row, 0, row, col)
            .ends_with("Bruce Wayne 🦇e\u{301}")
    });
    // Backspace takes the accented e whole, then the bat.
    pty.send(keys::BACKSPACE);
    pty.send(keys::BACKSPACE);
    pty.wait_for("Bruce Wayne x");
    // A family emoji is one character too: no joiner is left behind.
    pty.send(keys::END);
    pty.send("👩\u{200d}👩\u{200d}👧");
    // Drawn unjoined, so terminals that would draw it six columns wide
    // (vt100 here, tmux, xterm) and ratatui agree: the border stays put.
    pty.wait_until("the family drawn, the box aligned", |text| {
        let lines: Vec<&str> = text.lines().collect();
        lines
            .iter()
            .position(|l| l.contains("Bruce Wayne x👩👩👧"))
            .is_some_and(|i| {
                let top = lines[i - 1];
                let width = |l: &str| {
                    l.chars()
                        .map(|c| if c == '👩' || c == '👧' { 2 } else { 1 })
                        .sum::<usize>()
                };
                lines[i].trim_end().ends_with('│')
                    && width(lines[i].trim_end()) == width(top.trim_end())
            })
    });
    pty.send(keys::BACKSPACE);
    std::thread::sleep(Duration::from_millis(100));
    let text = pty.contents();
    assert!(text.contains("Bruce Wayne x"), "{text}");
    assert!(
        !text.contains('\u{200d}') && !text.contains('👩'),
        "{text:?}"
    );
    pty.send(keys::CTRL_C);
    pty.wait_for("Unsaved changes");
    pty.send("y");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn a_key_rebound_in_the_config_file_works_and_help_shows_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "[keys]\nquit = \"x\"\nrefresh = [\"r\", \"F5\"]\n").expect("write");
    let path = file.display().to_string();
    let mut pty = Pty::spawn(&["--demo"], &[("PLIVO_DASH_CONFIG", &path)], COLS, ROWS);
    pty.wait_for("Bruce Wayne");
    pty.wait_for("x quit");
    pty.send("?");
    pty.wait_for("Keys");
    // Down through the help, noting where the two rebound actions show.
    let (mut quit, mut refresh) = (false, false);
    for _ in 0..45 {
        let screen = pty.contents();
        quit |= screen
            .lines()
            .any(|l| l.contains(" x ") && l.contains("quit (outside the form"));
        refresh |= screen
            .lines()
            .any(|l| l.contains(" r / F5 ") && l.contains("refresh now"));
        pty.send("\x1b[B");
    }
    assert!(
        quit && refresh,
        "help shows x for quit and r / F5 for refresh"
    );
    pty.send("\x1b");
    pty.wait_until("help closed", |s| !s.contains("Keys"));
    pty.send("q");
    std::thread::sleep(Duration::from_millis(200));
    assert!(pty.contents().contains("Bruce Wayne"), "q no longer quits");
    pty.send("x");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn subaccounts_are_created_renamed_enabled_and_deleted_from_the_dashboard() {
    let sandbox = TestSandbox::with(plivo_dash::sandbox::Options {
        auth_token: TOKEN.into(),
        subaccounts: 2,
        ..plivo_dash::sandbox::Options::default()
    });
    let mut pty = Pty::spawn(&[], &sandbox.env(), COLS, ROWS);
    pty.wait_for("Wayne Enterprises Inc.");
    pty.send("s");
    pty.wait_for("2 subaccounts");
    pty.send("n");
    pty.wait_for("New subaccount");
    pty.send("Wayne Tower");
    pty.send(keys::ENTER);
    pty.wait_for("Created Wayne Tower");
    let find = |name: &str| {
        sandbox
            .handle
            .subaccounts()
            .into_iter()
            .find(|s| s.1 == name)
    };
    let (id, _, enabled) = find("Wayne Tower").expect("created in the sandbox");
    assert!(!enabled, "created disabled unless asked");

    pty.send("e");
    pty.wait_for("Rename subaccount");
    pty.send("\x1b[H");
    pty.send("\x0b");
    pty.send("Wayne Manor");
    pty.send(keys::ENTER);
    pty.wait_for("Renamed Wayne Tower to Wayne Manor");
    assert_eq!(find("Wayne Manor").map(|s| s.0), Some(id.clone()));

    pty.send("t");
    pty.wait_until("enabled in the sandbox", |_| {
        find("Wayne Manor").is_some_and(|s| s.2)
    });

    pty.send("d");
    pty.wait_for("Delete subaccount");
    pty.send("Wayne Manor");
    pty.send(keys::ENTER);
    pty.wait_for("Deleted Wayne Manor");
    assert!(find("Wayne Manor").is_none());
    assert_eq!(sandbox.handle.subaccounts().len(), 2);
    assert!(!pty.contents().contains(TOKEN));

    pty.send("c");
    pty.wait_for("Copied the token");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(
        raw.contains("\x1b]52;c;"),
        "an OSC 52 copy went to the terminal"
    );
    pty.send("\x1b");
    pty.wait_for("Wayne Enterprises Inc.");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}
