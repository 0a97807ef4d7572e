//! Building an `App` and feeding it keys, for behaviour and screen tests.

use jiff::Timestamp;
use plivo_dash::app::{App, Msg, Outcome, Session};
use plivo_dash::monitor::Sample;
use plivo_dash::plivo::Account;
use plivo_dash::sandbox::demo_account;
use plivo_dash::screens::Screen;
use plivo_dash::screens::account::{AccountScreen, Form, Review};
use plivo_dash::worker::Report;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The polling period of the test apps.
pub const PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// 2026-11-26 19:03:22 UTC: a fixed "now" so screens never change.
pub fn now() -> Timestamp {
    "2026-11-26T19:03:22Z".parse().expect("timestamp")
}

pub fn session() -> Session {
    Session {
        auth_id: "MA2025RK4E639VJFZAGV".into(),
        api_url: "http://127.0.0.1:8080".into(),
        demo: false,
        color: true,
        alert_below: None,
        retention: plivo_dash::monitor::RETENTION,
        token_source: "PLIVO_AUTH_TOKEN".into(),
        mouse: true,
        warnings: Vec::new(),
        keymap: plivo_dash::keymap::Keymap::default(),
        tz: jiff::tz::TimeZone::UTC,
        profile: None,
        in_fleet: false,
        back_to_welcome: false,
    }
}

/// An app that has loaded `account`, fetched 12 s before `now()`.
pub fn loaded_with(account: Account) -> App {
    let mut app = App::new(session(), now(), (120, 35), PERIOD);
    app.start();
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(account),
        at: now() - jiff::SignedDuration::from_secs(12),
    }));
    app
}

/// An app that has loaded the demo account.
pub fn loaded() -> App {
    loaded_with(demo_account())
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn shift_tab() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
}

pub fn release(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new_with_kind(
        code,
        KeyModifiers::NONE,
        KeyEventKind::Release,
    ))
}

/// Types `text` one key at a time.
pub fn type_str(app: &mut App, text: &str) -> Vec<Outcome> {
    text.chars()
        .map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

/// Empties the focused field (Home, then Ctrl-K deletes to the end).
pub fn clear_field(app: &mut App) {
    app.update(key(KeyCode::Home));
    app.update(ctrl('k'));
}

/// The account screen, under whatever is open over it.
fn account(app: &App) -> &AccountScreen {
    app.screens
        .all()
        .find_map(|s| match s {
            Screen::Account(screen) => Some(&**screen),
            _ => None,
        })
        .expect("an account screen")
}

/// The account screen's form.
pub fn form(app: &App) -> &Form {
    &account(app).form
}

/// The changes under review, while "Save changes?" is open.
pub fn review(app: &App) -> Option<&Review> {
    account(app).review.as_ref()
}

/// Whether nothing covers the dashboard: no overlay, no review.
pub fn plain(app: &App) -> bool {
    app.overlay.is_none() && review(app).is_none()
}

/// Gives a started app a monitor's history: every sample but the last as
/// the history read at start, the last as the latest poll's balance.
pub fn feed(app: &mut App, samples: &[Sample]) {
    let (latest, earlier) = samples.split_last().expect("one sample at least");
    app.update(Msg::Worker(Report::History {
        samples: earlier.to_vec(),
        warning: None,
        moved: None,
    }));
    let mut account = demo_account();
    account.cash_credits = latest.credits;
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(account),
        at: latest.at,
    }));
}

/// Every row of `buffer` as text, joined by newlines.
pub fn screen_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The account panel's text (the left column) on a `w`×`h` terminal, one
/// line per row, and the whole buffer for colours.
pub fn panel(app: &App, w: u16, h: u16) -> (String, Buffer) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| app.render(f)).expect("draw");
    let buffer = t.backend().buffer().clone();
    let right = (0..w)
        .find(|x| buffer[(*x, 1)].symbol() == "┐")
        .expect("the panel's corner");
    let text = (0..h)
        .map(|y| {
            (0..=right)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n");
    (text, buffer)
}
