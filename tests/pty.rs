//! The real binary in a pseudo-terminal, driven by keys as a person would.

mod support;

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
    let mut pty = Pty::spawn(
        &[],
        &[
            ("PLIVO_API_URL", &sandbox.handle.base_url),
            ("PLIVO_AUTH_ID", &sandbox.handle.auth_id),
            ("PLIVO_AUTH_TOKEN", TOKEN),
        ],
        COLS,
        ROWS,
    );
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

#[cfg(unix)]
#[test]
fn sigterm_leaves_the_terminal_restored() {
    let mut pty = Pty::spawn(&["--demo"], &[], COLS, ROWS);
    pty.wait_for("Bruce Wayne");
    let pid = pty.pid().expect("pid");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    assert_eq!(pty.wait_exit(), 0, "a clean exit, not death by signal");
    let screen = pty.screen();
    assert!(!screen.alternate_screen(), "left the alternate screen");
    assert!(!screen.hide_cursor(), "cursor shown again");
    assert!(!screen.bracketed_paste(), "bracketed paste off");
    assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
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
        &[
            ("PLIVO_API_URL", &sandbox.handle.base_url),
            ("PLIVO_AUTH_ID", &sandbox.handle.auth_id),
            ("PLIVO_AUTH_TOKEN", TOKEN),
        ],
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
