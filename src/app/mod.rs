//! All the dashboard's state, and the one function that changes it.
//!
//! `App::update` takes a `Msg` (a key, a paste, a click, a worker report, a
//! tick) and returns the requests for the worker and whether to redraw.
//! Keys become actions through the keymap ([`keys`]), worker reports change
//! the account's state ([`events`]), and what a screen does with an action
//! is the screen's own ([`crate::screens`]), which also draw it (`render`
//! hands them the state). No I/O: every behaviour is testable by feeding
//! messages.

mod events;
pub mod fleet;
mod keys;

pub use crate::state::{
    AccountText, Clipboard, FetchState, Msg, Notice, NoticeKind, Outcome, Overlay, PERIODS,
    SaveState, Session,
};
pub use crate::state::{Edit, LineInput};

pub use crate::state::AccountState;

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use jiff::Timestamp;

use crate::screens::Router;
use crate::worker::Request;

/// The dashboard's state: one account's, and the screens open on it.
#[derive(Debug, Clone)]
pub struct App {
    /// The account: what was fetched, its history and estimate, where
    /// fetching and saving stand, the footer.
    pub state: AccountState,
    /// The screens, the one on top shown.
    pub screens: Router,
    quit: bool,
}

impl App {
    /// A fresh app, before anything is fetched, polling every `period`.
    pub fn new(session: Session, now: Timestamp, size: (u16, u16), period: Duration) -> Self {
        Self {
            state: AccountState::new(session, now, size, period),
            screens: Router::default(),
            quit: false,
        }
    }

    /// The first requests: fetch the account.
    pub fn start(&mut self) -> Vec<Request> {
        vec![Request::Refresh]
    }

    /// Draws the whole screen: the account's state, under the screens
    /// open on it.
    pub fn render(&self, frame: &mut ratatui::Frame) {
        crate::screens::render(&self.state, &self.screens, frame);
    }

    /// Whether the user has asked to quit (and confirmed, if need be).
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Handles one message. Every key and paste draws a frame: whatever it
    /// did (text, cursor, focus, nothing), the screen is then known to show
    /// it, so no key can leave the user looking at a stale cursor.
    pub fn update(&mut self, msg: Msg) -> Outcome {
        match msg {
            Msg::Key(key) => Outcome {
                redraw: true,
                ..keys::key(self, &key).unwrap_or_default()
            },
            Msg::Paste(text) => {
                if self.overlay.is_none() && self.fits() {
                    self.notice = self.screens.paste(&text);
                }
                Outcome::redraw()
            }
            Msg::Mouse(mouse) => self.mouse(mouse),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.refresh_plot();
                // A screen too small to draw has no rows in view to keep.
                if self.fits() {
                    let body = self.body();
                    self.screens.resized(&self.state.session.keymap, body);
                }
                Outcome::redraw()
            }
            Msg::Worker(report) => self.report(report),
            Msg::Tick(now) => {
                let before = self.clock_labels();
                self.now = now;
                let after = self.clock_labels();
                let changed = after != before;
                if after[2] != before[2] {
                    // The chart ends at "now", which moved on a minute:
                    // downsampled again once a minute, not every second
                    // (a fleet ticks every account).
                    self.refresh_plot();
                }
                Outcome {
                    redraw: changed,
                    ..Outcome::default()
                }
            }
            Msg::WorkerStopped => {
                self.fetch = FetchState::Stopped;
                self.save = SaveState::Idle;
                self.notice = Some(Notice::error(
                    "The background worker stopped: nothing will be fetched or saved. \
                     Quit and start plivo-dash again; your edits are still on screen.",
                ));
                Outcome::redraw()
            }
        }
    }
}

/// An app reads and changes its account's state as its own: the screens
/// draw that state alone, below the app.
impl Deref for App {
    type Target = AccountState;

    fn deref(&self) -> &AccountState {
        &self.state
    }
}

impl DerefMut for App {
    fn deref_mut(&mut self) -> &mut AccountState {
        &mut self.state
    }
}
