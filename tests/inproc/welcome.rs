//! The welcome screen: a first run with nothing set up. Its state fed keys
//! and answers, its drawing on `TestBackend`, and the real binary in a
//! pseudo-terminal from an empty config to a loaded account.

use crate::support;

use std::num::NonZeroU16;

use plivo_dash::keymap::Keymap;
use plivo_dash::screens::welcome::{Field, Welcome, WelcomeEnd, WelcomeMsg};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::ExposeSecret as _;
use support::app::screen_text;
use support::pty::{Pty, keys};
use support::{TOKEN, TestSandbox};

fn press(welcome: &mut Welcome, code: KeyCode) -> plivo_dash::screens::welcome::WelcomeOutcome {
    welcome.update(WelcomeMsg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(welcome: &mut Welcome, text: &str) {
    for c in text.chars() {
        press(welcome, KeyCode::Char(c));
    }
}

fn draw(welcome: &Welcome) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(90, 28)).unwrap();
    terminal
        .draw(|f| plivo_dash::screens::welcome::view::render(welcome, f))
        .unwrap();
    terminal
}

#[test]
fn typed_credentials_are_checked_and_the_token_is_never_drawn() {
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    typed(&mut welcome, "ma2025rk4e639vjfzagv");
    press(&mut welcome, KeyCode::Tab);
    // A token pasted with the spaces a copy picks up.
    welcome.update(WelcomeMsg::Paste(format!("  {TOKEN}\n")));
    let mut terminal = draw(&welcome);
    let screen = screen_text(terminal.backend().buffer());
    assert!(!screen.contains("tok3n"), "{screen}");
    assert!(
        screen.contains(&"•".repeat(TOKEN.len())),
        "one dot a character: {screen}"
    );
    assert!(screen.contains("ma2025rk4e639vjfzagv"), "{screen}");
    assert!(
        screen.contains("Enter check and save"),
        "the keys: {screen}"
    );
    assert!(screen.contains("F2 demo"), "{screen}");
    // The cursor sits after the last dot.
    let cursor = terminal.get_cursor_position().unwrap();
    let row: String = (0..90)
        .map(|x| {
            terminal.backend().buffer()[(x, cursor.y)]
                .symbol()
                .to_owned()
        })
        .collect();
    assert!(row.contains("Token"), "on the token's row: {row}");
    insta::assert_snapshot!("welcome_typed", screen);
    assert!(
        !format!("{welcome:?}").contains("tok3n"),
        "Debug never shows it"
    );

    let outcome = press(&mut welcome, KeyCode::Enter);
    let login = outcome.check.expect("sent to be checked");
    assert_eq!(login.auth_id, "MA2025RK4E639VJFZAGV", "upper-cased");
    assert_eq!(login.token.expose_secret(), TOKEN, "trimmed");
    assert_eq!(login.profile, None, "empty: the top level");
    assert!(welcome.checking);
    // Keys wait while the check is out.
    typed(&mut welcome, "x");
    assert_eq!(welcome.text(Field::Token), TOKEN);

    // Refused: why, in red, and everything typed kept.
    welcome.update(WelcomeMsg::Checked(Err(
        "authentication failed (401): check the auth id and token; nothing was kept".into(),
    )));
    assert!(!welcome.checking);
    assert_eq!(welcome.text(Field::AuthId), "ma2025rk4e639vjfzagv");
    assert_eq!(welcome.text(Field::Token), TOKEN);
    welcome.color = true;
    let terminal = draw(&welcome);
    let buffer = terminal.backend().buffer();
    let screen = screen_text(buffer);
    assert!(screen.contains("✗ authentication failed (401)"), "{screen}");
    let (x, y) = (0..28u16)
        .find_map(|y| {
            (0..90u16)
                .find(|x| buffer[(*x, y)].symbol() == "✗")
                .map(|x| (x, y))
        })
        .expect("the cross");
    assert_eq!(buffer[(x, y)].fg, ratatui::style::Color::Red, "said in red");
    assert!(welcome.end().is_none());

    welcome.update(WelcomeMsg::Checked(Ok(
        "token stored in the keychain".into()
    )));
    assert_eq!(
        welcome.end(),
        Some(&WelcomeEnd::LoggedIn {
            profile: None,
            kept: "token stored in the keychain".into()
        })
    );
}

#[test]
fn what_cannot_be_sent_is_said_on_its_field() {
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    typed(&mut welcome, "MA123");
    press(&mut welcome, KeyCode::Tab);
    typed(&mut welcome, "sometoken0123456789");
    press(&mut welcome, KeyCode::Tab);
    typed(&mut welcome, "work");
    assert!(press(&mut welcome, KeyCode::Enter).check.is_none());
    assert_eq!(welcome.focus, Field::AuthId, "taken to the field at fault");
    let problem = welcome.problem.clone().unwrap_or_default();
    assert!(problem.contains("not an auth id"), "{problem}");
    assert!(
        !problem.contains("MA123"),
        "what was typed is not quoted back: {problem}"
    );
    // Mended: sent, under the profile typed.
    for _ in 0..5 {
        press(&mut welcome, KeyCode::Backspace);
    }
    typed(&mut welcome, "MA2025RK4E639VJFZAGV");
    let login = press(&mut welcome, KeyCode::Enter).check.expect("sent");
    assert_eq!(login.profile.as_deref(), Some("work"));
}

#[test]
fn a_paste_of_both_values_is_split_and_the_token_never_lands_in_sight() {
    // Both copied at once, on two lines.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    welcome.update(WelcomeMsg::Paste(format!(
        "MA2025RK4E639VJFZAGV\n{TOKEN}\n"
    )));
    assert_eq!(welcome.text(Field::AuthId), "MA2025RK4E639VJFZAGV");
    assert_eq!(welcome.text(Field::Token), TOKEN);
    // The lines `plivo-dash sandbox` prints.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    welcome.update(WelcomeMsg::Paste(format!(
        "export PLIVO_API_URL=http://127.0.0.1:1\nexport PLIVO_AUTH_ID=MA2025RK4E639VJFZAGV\nexport PLIVO_AUTH_TOKEN={TOKEN}\n"
    )));
    assert_eq!(welcome.text(Field::AuthId), "MA2025RK4E639VJFZAGV");
    assert_eq!(welcome.text(Field::Token), TOKEN);
    // A token alone pasted where the auth id goes: refused, not shown.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    welcome.update(WelcomeMsg::Paste(TOKEN.to_owned()));
    assert_eq!(welcome.text(Field::AuthId), "");
    let screen = screen_text(draw(&welcome).backend().buffer());
    assert!(!screen.contains("tok3n"), "{screen}");
    assert!(screen.contains("not an auth id"), "{screen}");
    // A token wrapped over two lines is one token.
    press(&mut welcome, KeyCode::Tab);
    welcome.update(WelcomeMsg::Paste("abcdefghij\nklmnopqrst0123".to_owned()));
    assert_eq!(welcome.text(Field::Token), "abcdefghijklmnopqrst0123");
}

#[test]
fn labelled_reversed_and_joined_pastes_find_the_token_or_say_so() {
    let long = "sandboxtoken0123456789abcdef";
    for paste in [
        format!("Auth ID: MA2025RK4E639VJFZAGV\nAuth Token: {long}\n"),
        format!("Auth ID\tMA2025RK4E639VJFZAGV\tAuth Token\t{long}"),
        format!("{long} ma2025rk4e639vjfzagv"),
        format!("MA2025RK4E639VJFZAGV:{long}"),
        format!("curl -u 'MA2025RK4E639VJFZAGV:{long}' https://api.plivo.com/v1/Account/"),
    ] {
        let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
        welcome.update(WelcomeMsg::Paste(paste.clone()));
        assert_eq!(
            welcome.text(Field::AuthId),
            "MA2025RK4E639VJFZAGV",
            "{paste}"
        );
        assert_eq!(welcome.text(Field::Token), long, "{paste}");
        assert_eq!(welcome.problem, None, "{paste}");
    }
    // Where the token cannot be told apart, the id is kept and that said.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    welcome.update(WelcomeMsg::Paste("id MA2025RK4E639VJFZAGV tok en".into()));
    assert_eq!(welcome.text(Field::AuthId), "MA2025RK4E639VJFZAGV");
    assert_eq!(welcome.text(Field::Token), "");
    assert_eq!(welcome.focus, Field::Token);
    assert!(
        welcome
            .problem
            .as_deref()
            .unwrap()
            .contains("paste it on its own")
    );
    // Words side by side on a line are no token.
    welcome.update(WelcomeMsg::Paste("foo bar\nbaz qux".into()));
    assert_eq!(welcome.text(Field::Token), "");
    assert_eq!(
        welcome.problem.as_deref(),
        Some("That paste has spaces: a token has none")
    );
    // A token may end in `=`: only a variable's name is taken off.
    let mut padded = Welcome::new(Keymap::default(), (90, 28), false);
    press(&mut padded, KeyCode::Tab);
    padded.update(WelcomeMsg::Paste("c2FuZGJveHRva2Vu==\n".into()));
    assert_eq!(padded.text(Field::Token), "c2FuZGJveHRva2Vu==");
    // A token alone, pasted where the profile's name goes, is not drawn.
    let mut named = Welcome::new(Keymap::default(), (90, 28), false);
    press(&mut named, KeyCode::BackTab);
    assert_eq!(named.focus, Field::Profile);
    named.update(WelcomeMsg::Paste(long.to_owned()));
    assert_eq!(named.text(Field::Profile), "");
    assert_eq!(named.text(Field::Token), long);
    let screen = screen_text(draw(&named).backend().buffer());
    assert!(!screen.contains(long), "{screen}");
    // Typing makes the answer stale.
    typed(&mut welcome, "x");
    assert_eq!(welcome.problem, None);
    // Typed (or pasted by a terminal that types it) after the auth id, a
    // space goes on to the token's field: the token is never drawn.
    for separator in [" ", ":"] {
        let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
        typed(
            &mut welcome,
            &format!("MA2025RK4E639VJFZAGV{separator}{long}"),
        );
        assert_eq!(welcome.text(Field::AuthId), "MA2025RK4E639VJFZAGV");
        assert_eq!(welcome.text(Field::Token), long);
    }
}

#[test]
fn a_token_pasted_into_the_profile_field_never_becomes_its_name() {
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    press(&mut welcome, KeyCode::Tab);
    press(&mut welcome, KeyCode::Tab);
    assert_eq!(welcome.focus, Field::Profile);
    welcome.update(WelcomeMsg::Paste(format!("MA2025RK4E639VJFZAGV {TOKEN}")));
    assert_eq!(welcome.text(Field::Profile), "");
    assert_eq!(welcome.text(Field::Token), TOKEN);
    let screen = screen_text(draw(&welcome).backend().buffer());
    assert!(!screen.contains("tok3n"), "{screen}");
    // Typed there by hand, it is refused, not saved.
    typed(&mut welcome, &format!("work {TOKEN}"));
    assert!(press(&mut welcome, KeyCode::Enter).check.is_none());
    assert_eq!(welcome.focus, Field::Profile);
    assert!(
        welcome
            .problem
            .as_deref()
            .unwrap()
            .contains("holds the token")
    );
    for _ in 0..80 {
        press(&mut welcome, KeyCode::Backspace);
    }
    typed(&mut welcome, "(environment)");
    assert!(press(&mut welcome, KeyCode::Enter).check.is_none());
    let why = welcome.problem.clone().unwrap_or_default();
    assert!(why.contains("choose another name"), "{why}");
}

/// A token pasted or typed with its label into a drawn field (the
/// profile's, the auth id's) goes to the Token field as it arrives: at no
/// point is any of it drawn.
#[test]
fn a_labelled_token_in_a_drawn_field_is_never_drawn() {
    // Token-shaped, without the dashes of TOKEN, so its look counts too.
    let shaped = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdo";
    let labelled = [
        format!("PLIVO_AUTH_TOKEN={TOKEN}"),
        format!("auth_token: {TOKEN}"),
        format!("token {TOKEN}"),
        format!("Auth Token: {TOKEN}"),
        format!("export PLIVO_AUTH_TOKEN='{TOKEN}'"),
        format!("AUTH-TOKEN=\"{TOKEN}\""),
    ];
    for line in &labelled {
        for field in [Field::Profile, Field::AuthId] {
            for by_hand in [false, true] {
                let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
                while welcome.focus != field {
                    press(&mut welcome, KeyCode::Tab);
                }
                let seen = |welcome: &Welcome| {
                    let screen = screen_text(draw(welcome).backend().buffer());
                    assert!(
                        !screen.contains("tok3n") && !screen.contains("NEVER"),
                        "{line:?} into {field:?}, typed: {by_hand}\n{screen}"
                    );
                };
                if by_hand {
                    for c in line.chars() {
                        press(&mut welcome, KeyCode::Char(c));
                        seen(&welcome);
                    }
                } else {
                    welcome.update(WelcomeMsg::Paste(line.clone()));
                    seen(&welcome);
                }
                assert_eq!(welcome.text(Field::Profile), "", "{line:?}");
                assert_eq!(welcome.text(Field::AuthId), "", "{line:?}");
                assert_eq!(welcome.focus, Field::Token, "{line:?}");
                assert!(
                    welcome.text(Field::Token).contains(TOKEN),
                    "{line:?}: {by_hand}"
                );
            }
        }
    }
    // Typed after a name, the name stays; the quotes of a shell line do not
    // go to Plivo.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    typed(&mut welcome, "MA2025RK4E639VJFZAGV");
    press(&mut welcome, KeyCode::Tab);
    press(&mut welcome, KeyCode::Tab);
    typed(&mut welcome, &format!("work token='{TOKEN}'"));
    assert_eq!(welcome.text(Field::Profile), "work");
    let login = press(&mut welcome, KeyCode::Enter).check.expect("sent");
    assert_eq!(login.token.expose_secret(), TOKEN);
    assert_eq!(login.profile.as_deref(), Some("work"));
    // Unlabelled, a token's look is enough: typed into the profile, it
    // moves once it has that look, and the rest follows it.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    press(&mut welcome, KeyCode::BackTab);
    typed(&mut welcome, shaped);
    let screen = screen_text(draw(&welcome).backend().buffer());
    assert!(!screen.contains(shaped), "{screen}");
    assert_eq!(welcome.text(Field::Token), shaped);
    assert_eq!(welcome.text(Field::Profile), "");
    // A profile merely named so is a name.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    press(&mut welcome, KeyCode::BackTab);
    typed(&mut welcome, "tokens");
    assert_eq!(welcome.text(Field::Profile), "tokens");
    assert_eq!(welcome.focus, Field::Profile);
}

#[test]
fn the_demo_waits_while_a_check_is_out() {
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    welcome.update(WelcomeMsg::Paste(format!("MA2025RK4E639VJFZAGV {TOKEN}")));
    assert!(press(&mut welcome, KeyCode::Enter).check.is_some());
    // Only what still works is offered meanwhile: leaving waits for the
    // answer (which says what was kept); the interrupt key quits at once.
    let screen = screen_text(draw(&welcome).backend().buffer());
    assert!(screen.contains("Ctrl-C quit"), "{screen}");
    assert!(!screen.contains("Esc quit"), "{screen}");
    assert!(!screen.contains("F2 demo"), "{screen}");
    press(&mut welcome, KeyCode::F(2));
    assert_eq!(
        welcome.end(),
        None,
        "the check would keep them behind the demo's back"
    );
    welcome.update(WelcomeMsg::Checked(Err("network error".into())));
    press(&mut welcome, KeyCode::F(2));
    assert_eq!(welcome.end(), Some(&WelcomeEnd::Demo));
}

#[test]
fn a_known_account_needs_only_its_token() {
    let welcome = Welcome::known(
        Keymap::default(),
        (90, 28),
        false,
        Some("MA2025RK4E639VJFZAGV"),
        Some("work"),
    );
    assert_eq!(welcome.text(Field::AuthId), "MA2025RK4E639VJFZAGV");
    assert_eq!(welcome.text(Field::Profile), "work");
    assert_eq!(welcome.focus, Field::Token);
    let screen = screen_text(draw(&welcome).backend().buffer());
    assert!(screen.contains("token is not set up here"), "{screen}");
    assert!(!screen.contains("No Plivo account"), "{screen}");
    let first = Welcome::new(Keymap::default(), (90, 28), false);
    let screen = screen_text(draw(&first).backend().buffer());
    assert!(
        screen.contains("No Plivo account is set up yet"),
        "{screen}"
    );
}

#[test]
fn f2_opens_the_demo_and_esc_leaves() {
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    press(&mut welcome, KeyCode::F(2));
    assert_eq!(welcome.end(), Some(&WelcomeEnd::Demo));
    // Nothing typed: nothing to lose, Esc leaves at once.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    press(&mut welcome, KeyCode::Esc);
    assert_eq!(welcome.end(), Some(&WelcomeEnd::Quit));
    // Nor when what is there was there from the start.
    let mut known = Welcome::known(
        Keymap::default(),
        (90, 28),
        false,
        Some("MA2025RK4E639VJFZAGV"),
        Some("work"),
    );
    press(&mut known, KeyCode::Esc);
    assert_eq!(known.end(), Some(&WelcomeEnd::Quit));
}

#[test]
fn esc_after_typing_asks_before_what_was_typed_is_lost() {
    // Each way to answer: what it ends as.
    let answers = [
        (KeyCode::Char('n'), None),
        (KeyCode::Esc, None),
        (KeyCode::Char('y'), Some(WelcomeEnd::Quit)),
        (KeyCode::Enter, Some(WelcomeEnd::Quit)),
    ];
    for (answer, ends) in answers {
        let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
        typed(&mut welcome, "q");
        assert!(welcome.end().is_none(), "q is typed, not quit");
        press(&mut welcome, KeyCode::Esc);
        assert!(welcome.quitting, "asked");
        assert_eq!(welcome.end(), None, "not gone yet");
        let screen = screen_text(draw(&welcome).backend().buffer());
        assert!(screen.contains("Quit?"), "{screen}");
        assert!(
            screen.contains("What was typed here will be lost"),
            "{screen}"
        );
        assert!(
            screen.contains("y / Enter quit, n keep editing"),
            "{screen}"
        );
        if answer == KeyCode::Char('n') {
            insta::assert_snapshot!("welcome_quit_asked", screen);
            // While asked, nothing lands in a field.
            typed(&mut welcome, "x");
            welcome.update(WelcomeMsg::Paste("pasted".into()));
            assert_eq!(welcome.text(Field::AuthId), "q");
        }
        press(&mut welcome, answer);
        assert_eq!(welcome.end(), ends.as_ref(), "{answer:?}");
        if ends.is_none() {
            assert!(!welcome.quitting, "{answer:?}");
            let screen = screen_text(draw(&welcome).backend().buffer());
            assert!(!screen.contains("Quit?"), "{screen}");
            typed(&mut welcome, "z");
            assert_eq!(welcome.text(Field::AuthId), "qz", "editing goes on");
        }
    }
    // Ctrl-C asks too, and insists the second time.
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    typed(&mut welcome, "MA");
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    welcome.update(WelcomeMsg::Key(ctrl_c));
    assert!(welcome.quitting);
    welcome.update(WelcomeMsg::Key(ctrl_c));
    assert_eq!(welcome.end(), Some(&WelcomeEnd::Quit));
}

#[test]
fn back_from_the_demo_what_was_typed_is_still_there() {
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    typed(&mut welcome, "MA2025RK4E639VJFZAGV");
    press(&mut welcome, KeyCode::Tab);
    typed(&mut welcome, "half-a-token");
    press(&mut welcome, KeyCode::F(2));
    assert_eq!(welcome.end(), Some(&WelcomeEnd::Demo));
    welcome.resume();
    assert_eq!(welcome.end(), None);
    assert_eq!(welcome.text(Field::AuthId), "MA2025RK4E639VJFZAGV");
    assert_eq!(welcome.text(Field::Token), "half-a-token");
    assert_eq!(welcome.focus, Field::Token);
    // Only the demo is come back from: a quit stays a quit.
    press(&mut welcome, KeyCode::Esc);
    press(&mut welcome, KeyCode::Char('y'));
    welcome.resume();
    assert_eq!(welcome.end(), Some(&WelcomeEnd::Quit));
}

#[test]
fn nothing_is_typed_unseen_into_a_terminal_too_small() {
    let mut welcome = Welcome::new(Keymap::default(), (90, 28), false);
    typed(&mut welcome, "MA");
    welcome.update(WelcomeMsg::Resize(40, 10));
    typed(&mut welcome, "xyz");
    welcome.update(WelcomeMsg::Paste(
        "MA2025RK4E639VJFZAGV secret-token".into(),
    ));
    assert!(press(&mut welcome, KeyCode::Enter).check.is_none());
    press(&mut welcome, KeyCode::F(2));
    assert_eq!(welcome.end(), None, "the demo waits for room too");
    assert_eq!(welcome.text(Field::AuthId), "MA");
    assert_eq!(welcome.text(Field::Token), "");
    welcome.update(WelcomeMsg::Resize(90, 28));
    typed(&mut welcome, "2025");
    assert_eq!(welcome.text(Field::AuthId), "MA2025");
    // Esc leaves at any size, asking there too.
    welcome.update(WelcomeMsg::Resize(40, 10));
    press(&mut welcome, KeyCode::Esc);
    let mut terminal = Terminal::new(TestBackend::new(40, 10)).unwrap();
    terminal
        .draw(|f| plivo_dash::screens::welcome::view::render(&welcome, f))
        .unwrap();
    let screen = screen_text(terminal.backend().buffer());
    assert!(screen.contains("Quit? What was typed is lost."), "{screen}");
    press(&mut welcome, KeyCode::Char('y'));
    assert_eq!(welcome.end(), Some(&WelcomeEnd::Quit));
}

#[test]
fn a_tiny_terminal_says_what_it_needs() {
    let welcome = Welcome::new(Keymap::default(), (59, 23), false);
    let mut terminal = Terminal::new(TestBackend::new(59, 23)).unwrap();
    terminal
        .draw(|f| plivo_dash::screens::welcome::view::render(&welcome, f))
        .unwrap();
    let screen = screen_text(terminal.backend().buffer());
    assert!(screen.contains("Terminal too small"), "{screen}");
    assert!(screen.contains("Esc quits"), "{screen}");
    // Much smaller, the wrapped lines still all show: how to leave, and
    // the size now.
    let welcome = Welcome::new(Keymap::default(), (20, 6), false);
    let mut terminal = Terminal::new(TestBackend::new(20, 6)).unwrap();
    terminal
        .draw(|f| plivo_dash::screens::welcome::view::render(&welcome, f))
        .unwrap();
    let screen = screen_text(terminal.backend().buffer());
    assert!(screen.contains("quits"), "{screen}");
    assert!(screen.contains("now 20×6"), "{screen}");
}

const COLS: NonZeroU16 = NonZeroU16::new(100).unwrap();
const ROWS: NonZeroU16 = NonZeroU16::new(30).unwrap();

/// The dashboard with `args` on a config file holding `config` (its path
/// returned), no keychain, and a state directory of its own; both live
/// in the returned directory.
fn spawn_on(config: &str, args: &[&str]) -> (Pty, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).expect("config");
    let state = dir.path().join("state").display().to_string();
    let pty = Pty::spawn(
        args,
        &[
            ("PLIVO_DASH_CONFIG", &path.display().to_string()),
            ("PLIVO_DASH_NO_KEYCHAIN", "1"),
            ("XDG_STATE_HOME", &state),
        ],
        COLS,
        ROWS,
    );
    (pty, path, dir)
}

#[test]
fn from_an_empty_config_to_a_loaded_account() {
    let sandbox = TestSandbox::start();
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().display().to_string();
    let mut pty = Pty::spawn(
        &[],
        &[
            ("PLIVO_API_URL", &sandbox.handle.base_url),
            ("PLIVO_DASH_NO_KEYCHAIN", "1"),
            ("XDG_STATE_HOME", &state_dir),
        ],
        COLS,
        ROWS,
    );
    pty.wait_for("Welcome to plivo-dash");
    pty.send("MA2025RK4E639VJFZAGV\t");
    pty.send("not-the-token-0123456789");
    pty.send(keys::ENTER);
    pty.wait_for("authentication failed");
    // Mend the token: clear it and type the right one.
    pty.send("\x15");
    pty.send(&"\x7f".repeat(40));
    pty.send(TOKEN);
    pty.send(keys::ENTER);
    pty.wait_for("Bruce Wayne");
    pty.wait_for("1.80900 USD");
    pty.wait_for("Logged in · token stored in the config file");
    let config = pty.home().join("plivo-dash").join("config.toml");
    let text = std::fs::read_to_string(&config).expect("the config was written");
    assert!(
        text.contains("auth_id = \"MA2025RK4E639VJFZAGV\""),
        "{text}"
    );
    assert!(text.contains(&sandbox.handle.base_url), "{text}");
    assert!(!pty.contents().contains("tok3n"), "{}", pty.contents());
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn a_profile_without_its_token_is_named_and_the_demo_comes_back_here() {
    let sandbox = TestSandbox::start();
    let (mut pty, config, _dir) = spawn_on(
        &format!(
            "# my accounts\n[profiles.work]\nauth_id = \"{}\"\napi_url = \"{}\"\n",
            sandbox.handle.auth_id, sandbox.handle.base_url
        ),
        &[],
    );
    pty.wait_for("Welcome to plivo-dash");
    // After a logout, say: whose account it is, and where it is kept.
    pty.wait_for(&sandbox.handle.auth_id);
    pty.wait_for("work");
    pty.send(&TOKEN[..10]);
    pty.send("\x1bOQ");
    pty.wait_for(" DEMO ");
    pty.wait_for("The demo: q goes back to the welcome screen");
    pty.send("q");
    pty.wait_until("the welcome screen again", |screen| {
        screen.contains("Welcome to plivo-dash") && !screen.contains(" DEMO ")
    });
    assert!(pty.contents().contains(&sandbox.handle.auth_id));
    // The token typed before the demo is still there: finish it.
    pty.send(&TOKEN[10..]);
    pty.send(keys::ENTER);
    pty.wait_for("1.80900 USD");
    pty.wait_for("Logged in · token stored in the config file");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.starts_with("# my accounts\n[profiles.work]\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("auth_token = \"{TOKEN}\"")),
        "{text}"
    );
    assert_eq!(text.matches("auth_id").count(), 1, "{text}");
    assert!(!pty.contents().contains("tok3n"), "{}", pty.contents());
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn ctrl_c_in_the_demo_opened_from_the_welcome_screen_leaves_altogether() {
    let (mut pty, _config, _dir) = spawn_on("", &[]);
    pty.wait_for("No Plivo account is set up yet");
    pty.send("\x1bOQ");
    pty.wait_for(" DEMO ");
    // Not back to the welcome screen, as q would: the process ends.
    pty.send(keys::CTRL_C);
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn a_chosen_profile_without_a_token_is_welcomed_and_kept_with_its_api_under_a_new_name() {
    let sandbox = TestSandbox::start();
    let (mut pty, config, _dir) = spawn_on(
        &format!(
            "[profiles.personal]\nauth_id = \"{id}\"\nauth_token = \"{TOKEN}\"\napi_url = \"{url}\"\n\n\
             [profiles.work]\nauth_id = \"{id}\"\nauth_token = \"\"\napi_url = \"{url}\"\n",
            id = sandbox.handle.auth_id,
            url = sandbox.handle.base_url
        ),
        &["--profile", "work"],
    );
    // An empty token is no token: welcomed, among other profiles too.
    pty.wait_for("token is not set up here");
    pty.send(TOKEN);
    pty.send("\t");
    pty.send(&"\x7f".repeat(4));
    pty.send("home");
    pty.send(keys::ENTER);
    pty.wait_for("1.80900 USD");
    pty.wait_for("Logged in");
    let text = std::fs::read_to_string(&config).unwrap();
    let home = text.split("[profiles.home]").nth(1).expect(&text);
    assert!(
        home.contains(&format!("api_url = \"{}\"", sandbox.handle.base_url)),
        "checked against the sandbox, kept with it: {text}"
    );
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn a_config_file_named_but_not_there_yet_is_where_the_welcome_screen_writes() {
    let sandbox = TestSandbox::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("new").join("my.toml");
    // No PLIVO_API_URL: the API comes from the paste of what `plivo-dash
    // sandbox` prints, and the token goes there, not to Plivo.
    let mut pty = Pty::spawn(
        &[],
        &[
            ("PLIVO_DASH_CONFIG", &config.display().to_string()),
            ("PLIVO_DASH_NO_KEYCHAIN", "1"),
        ],
        COLS,
        ROWS,
    );
    pty.wait_for("No Plivo account is set up yet");
    pty.send(&format!(
        "\x1b[200~export PLIVO_API_URL={}\nexport PLIVO_AUTH_ID={}\nexport PLIVO_AUTH_TOKEN={TOKEN}\n\x1b[201~",
        sandbox.handle.base_url, sandbox.handle.auth_id
    ));
    pty.wait_for(&format!("API {}, from the paste", sandbox.handle.base_url));
    pty.send(keys::ENTER);
    pty.wait_for("1.80900 USD");
    let text = std::fs::read_to_string(&config).expect("created where it was named");
    assert!(text.contains(&sandbox.handle.auth_id), "{text}");
    assert!(
        text.contains(&format!("api_url = \"{}\"", sandbox.handle.base_url)),
        "{text}"
    );
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

/// The real binary: a labelled token typed and pasted into the Profile
/// field is never written to the terminal, and Esc with that typed asks
/// before leaving.
#[test]
fn a_labelled_token_in_the_profile_field_never_reaches_the_terminal() {
    let (mut pty, _path, _dir) = spawn_on("", &[]);
    pty.wait_for("Welcome to plivo-dash");
    pty.send("MA2025RK4E639VJFZAGV\t\t");
    pty.send(&format!("export PLIVO_AUTH_TOKEN='{TOKEN}'"));
    pty.wait_for(&"•".repeat(10));
    // Back to the profile: the label took the focus to the token.
    pty.send("\t");
    pty.send(&format!("\x1b[200~auth_token: {TOKEN}\x1b[201~"));
    pty.wait_for("it went to the Token field");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(!raw.contains("NEVER") && !raw.contains("tok3n"), "{raw}");
    pty.send("\x1b");
    pty.wait_for("What was typed here will be lost");
    pty.send("n");
    pty.wait_until("the question gone", |s| !s.contains("Quit?"));
    pty.send("\x1b");
    pty.wait_for("What was typed here will be lost");
    pty.send("y");
    assert_eq!(pty.wait_exit(), 0);
}
