//! Property tests: any sequence of keys, pastes, clicks, resizes and worker
//! events fed to `App` never panics, keeps every field on one line within its
//! limit, never lets a refresh or failure touch typed text, and every state
//! renders at any size from 1×1 up.

use crate::support;

use plivo_dash::app::{App, Msg};
use plivo_dash::plivo::{Account, ApiError, Field};
use plivo_dash::sandbox::demo_account;
use plivo_dash::screens::account::MAX_CHARS;
use plivo_dash::worker::{Op, Report};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use support::app::{PERIOD, form, now, session};

#[derive(Debug, Clone)]
enum Action {
    Key(KeyCode, KeyModifiers),
    Paste(String),
    Resize(u16, u16),
    Click(u16, u16),
    Loaded([String; 5]),
    Failed,
    Tick(i64),
}

fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        4 => any::<char>().prop_map(KeyCode::Char),
        2 => "[a-zA-Z0-9 /_]".prop_map(|s: String| KeyCode::Char(s.chars().next().unwrap_or('a'))),
        1 => Just(KeyCode::Enter),
        1 => Just(KeyCode::Tab),
        1 => Just(KeyCode::BackTab),
        1 => Just(KeyCode::Up),
        1 => Just(KeyCode::Down),
        1 => Just(KeyCode::Left),
        1 => Just(KeyCode::Right),
        1 => Just(KeyCode::Home),
        1 => Just(KeyCode::End),
        1 => Just(KeyCode::Backspace),
        1 => Just(KeyCode::Delete),
        1 => Just(KeyCode::Esc),
        1 => Just(KeyCode::F(1)),
    ]
}

fn modifiers() -> impl Strategy<Value = KeyModifiers> {
    prop_oneof![
        6 => Just(KeyModifiers::NONE),
        2 => Just(KeyModifiers::CONTROL),
        1 => Just(KeyModifiers::ALT),
        1 => Just(KeyModifiers::SHIFT),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[a-zA-Z /]{0,20}",
        Just("Europe/Paris".to_owned()),
        Just("東京 🦇 Zoë\u{1b}[31m\n\r\t\u{202e}".to_owned()),
        ".{200,300}",
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        12 => (key_code(), modifiers()).prop_map(|(c, m)| Action::Key(c, m)),
        2 => text().prop_map(Action::Paste),
        1 => (1u16..300, 1u16..100).prop_map(|(w, h)| Action::Resize(w, h)),
        1 => (0u16..130, 0u16..40).prop_map(|(x, y)| Action::Click(x, y)),
        2 => [text(), text(), text(), text(), text()].prop_map(Action::Loaded),
        1 => Just(Action::Failed),
        1 => (0i64..100_000).prop_map(Action::Tick),
    ]
}

fn account_with(values: &[String; 5]) -> Account {
    let mut account = demo_account();
    account.name.clone_from(&values[0]);
    account.address.clone_from(&values[1]);
    account.city.clone_from(&values[2]);
    account.state.clone_from(&values[3]);
    account.timezone.clone_from(&values[4]);
    account
}

fn texts(app: &App) -> Vec<String> {
    Field::ALL
        .iter()
        .map(|f| form(app).field(*f).text().to_owned())
        .collect()
}

fn render(app: &App, width: u16, height: u16) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| app.render(f)).expect("draw");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_input_keeps_the_form_sound(
        actions in prop::collection::vec(action(), 0..60),
        size in (1u16..250, 1u16..80),
    ) {
        let mut app = App::new(session(), now(), (120, 35), PERIOD);
        app.start();
        app.update(Msg::Worker(Report::Loaded { account: Box::new(demo_account()), at: now() }));
        // A field may hold a longer value the server sent; typing never makes
        // it longer than that or than MAX_CHARS.
        let mut longest = [MAX_CHARS; 5];
        // Likewise a field keeps line breaks a server value had (it is kept
        // as the server has it); typing and pasting never add one.
        let breaks = |s: &str| s.chars().filter(|c| *c == '\n' || *c == '\r').count();
        let mut most_breaks = [0usize; 5];
        for action in actions {
            let before = texts(&app);
            let dirty: Vec<bool> = form(&app).fields().iter().map(|s| s.dirty()).collect();
            match action {
                Action::Key(code, mods) => {
                    app.update(Msg::Key(KeyEvent::new(code, mods)));
                }
                Action::Paste(text) => {
                    app.update(Msg::Paste(text));
                }
                Action::Resize(w, h) => {
                    app.update(Msg::Resize(w, h));
                }
                Action::Click(column, row) => {
                    app.update(Msg::Mouse(MouseEvent {
                        kind: MouseEventKind::Down(MouseButton::Left),
                        column,
                        row,
                        modifiers: KeyModifiers::NONE,
                    }));
                }
                Action::Loaded(values) => {
                    app.update(Msg::Worker(Report::Loaded {
                        account: Box::new(account_with(&values)),
                        at: now(),
                    }));
                    let after = texts(&app);
                    for (i, was_dirty) in dirty.iter().enumerate() {
                        if *was_dirty {
                            prop_assert_eq!(&after[i], &before[i], "a refresh changed typed text");
                        }
                    }
                }
                Action::Failed => {
                    app.update(Msg::Worker(Report::Failed {
                        op: Op::Save,
                        error: ApiError::Network("down".into()),
                        retry_in: None,
                    }));
                    prop_assert_eq!(texts(&app), before, "a failure changed typed text");
                }
                Action::Tick(secs) => {
                    app.update(Msg::Tick(now() + jiff::SignedDuration::from_secs(secs)));
                    prop_assert_eq!(texts(&app), before, "time changed typed text");
                }
            }
            for ((state, longest), most) in form(&app).fields().iter().zip(longest.iter_mut()).zip(most_breaks.iter_mut()) {
                prop_assert!(state.text().is_char_boundary(state.input.cursor()), "{:?}: cursor inside a character", state.field);
                *longest = (*longest).max(state.server.chars().count());
                prop_assert!(state.text().chars().count() <= *longest, "{:?} over its limit", state.field);
                *most = (*most).max(breaks(&state.server));
                prop_assert!(breaks(state.text()) <= *most, "{:?} gained a line break", state.field);
            }
            if app.should_quit() {
                break;
            }
        }
        render(&app, size.0, size.1);
        render(&app, app.size.0.max(1), app.size.1.max(1));
    }

    #[test]
    fn every_screen_renders_at_every_size(w in 1u16..300, h in 1u16..120, help in any::<bool>()) {
        let mut app = App::new(session(), now(), (w, h), PERIOD);
        render(&app, w, h);
        app.update(Msg::Worker(Report::Loaded { account: Box::new(demo_account()), at: now() }));
        if help {
            app.update(Msg::Key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE)));
        }
        render(&app, w, h);
    }
}

/// A piece of a paste: what it should leave in a field, and how it is sent.
fn paste_piece() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        "[a-zA-Z0-9 .,;\\[\\]é漢]{1,8}".prop_map(|t| (t.clone(), t)),
        Just((" ".to_owned(), "\r\n".to_owned())),
        // A CR before an LF is a CRLF: this one has text after it.
        Just((" x".to_owned(), "\rx".to_owned())),
        Just((" ".to_owned(), "\n".to_owned())),
        prop::collection::vec(0u16..300, 0..4).prop_map(|p| {
            let p: Vec<String> = p.iter().map(ToString::to_string).collect();
            (String::new(), format!("\x1b[{}m", p.join(";")))
        }),
        "[a-z0-9 ;:/.]{0,12}".prop_map(|t| (String::new(), format!("\x1b]0;{t}\x07"))),
        "[a-z0-9 ;:/.]{0,12}".prop_map(|t| (String::new(), format!("\x1b]8;;{t}\x1b\\"))),
    ]
}

proptest! {
    /// Whatever escape sequences a paste holds go whole, and each line
    /// break (CRLF, CR, LF) is one space: the text around them is kept as
    /// it was.
    #[test]
    fn a_paste_keeps_its_text_and_nothing_of_its_escapes(
        pieces in prop::collection::vec(paste_piece(), 0..12),
    ) {
        let kept: String = pieces.iter().map(|(k, _)| k.as_str()).collect();
        let sent: String = pieces.iter().map(|(_, s)| s.as_str()).collect();
        let clean: String = plivo_dash::text::pasted(&sent).collect();
        prop_assert_eq!(clean, kept);
    }
}
