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
