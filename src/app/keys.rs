//! Input mapping: a key becomes an action through the keymap, in the
//! contexts the overlay or the screen on top has active; the actions that
//! mean the same on every screen (quit, help, the monitor's polling, the
//! mouse) are handled here, the rest by the screen. Clicks and pastes go to
//! the screen too.

use std::time::Duration;

use ratatui::crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::{App, Notice, Outcome, Overlay, PERIODS};

use crate::keymap::{Action, Context};
use crate::screens::subaccounts::SubaccountsScreen;
use crate::screens::{Ctx, Screen};
use crate::worker::Request;

impl App {
    pub(super) fn key(&mut self, key: KeyEvent) -> Outcome {
        if key.kind == KeyEventKind::Release {
            return Outcome::default();
        }
        // While the screen is too small to show anything, a key acts only
        // if it quits or leaves for the fleet screen (wherever the focus
        // was): an edit or a save made unseen is worse than none.
        if !self.fits() {
            let mut contexts = vec![Context::Global, Context::Dashboard];
            if self.overlay == Some(Overlay::ConfirmQuit) {
                contexts.insert(1, Context::ConfirmQuit);
            }
            return match self.session.keymap.action(&contexts, &key) {
                // The fleet screen fits where an account does not.
                Some(
                    action @ (Action::Interrupt
                    | Action::Quit
                    | Action::Yes
                    | Action::No
                    | Action::Fleet),
                ) => self.act(action),
                _ => Outcome::default(),
            };
        }
        let contexts = self.contexts();
        let action = self.session.keymap.action(&contexts, &key);
        // The footer answers the last thing the user did; a new key makes
        // the old answer stale (a fixed field is no longer "Cannot save").
        self.notice = None;
        match action {
            Some(action) => self.act(action),
            None => {
                if let Some(c) = crate::keymap::typed(&key, &contexts)
                    && let Some(notice) = self.screens.type_char(c)
                {
                    self.notice = Some(notice);
                }
                Outcome::default()
            }
        }
    }

    /// The contexts whose keys act now: `Global`, then the overlay's or
    /// the screen's, most specific first.
    pub(crate) fn contexts(&self) -> Vec<Context> {
        crate::screens::contexts(self.overlay, || self.screens.contexts())
    }

    fn act(&mut self, action: Action) -> Outcome {
        match action {
            Action::Interrupt => {
                if self.overlay == Some(Overlay::ConfirmQuit) || self.screens.unsaved().is_empty() {
                    self.quit = true;
                } else {
                    self.overlay = Some(Overlay::ConfirmQuit);
                }
                Outcome::redraw()
            }
            Action::Quit => {
                if self.screens.unsaved().is_empty() {
                    self.quit = true;
                } else {
                    self.overlay = Some(Overlay::ConfirmQuit);
                }
                Outcome::redraw()
            }
            Action::Yes => {
                self.quit = true;
                Outcome::redraw()
            }
            Action::No | Action::Close => {
                self.overlay = None;
                Outcome::redraw()
            }
            Action::ChartRange => {
                self.next_range();
                Outcome::redraw()
            }
            Action::Help => {
                // The keys of the screen it is asked from, and only those.
                let screen = self
                    .screens
                    .contexts()
                    .first()
                    .copied()
                    .unwrap_or(Context::Dashboard);
                self.overlay = Some(Overlay::Help {
                    scroll: crate::scroll::Text::default(),
                    screen,
                });
                Outcome::redraw()
            }
            Action::ScrollDown | Action::ScrollUp | Action::PageDown | Action::PageUp
                if matches!(self.overlay, Some(Overlay::Help { .. })) =>
            {
                let height = self.body().height;
                let state = &mut self.state;
                if let Some(Overlay::Help { scroll, screen }) = &mut state.overlay {
                    scroll.act(action, state.session.keymap.help(*screen).len(), height);
                }
                Outcome::redraw()
            }
            // The account's refresh on the account screen; another screen
            // reloads what it shows.
            Action::Refresh if self.screens.contexts().contains(&Context::Dashboard) => Outcome {
                requests: self.refresh().into_iter().collect(),
                ..Outcome::redraw()
            },
            Action::Pause => {
                self.paused = !self.paused;
                Outcome::request(Request::Pause(self.paused))
            }
            Action::Slower => self.step_period(true),
            Action::Faster => self.step_period(false),
            Action::Mouse => {
                self.mouse = !self.mouse;
                let key = self.session.keymap.key_label(Action::Mouse);
                self.notice = Some(Notice::info(if self.mouse {
                    format!(
                        "Mouse on: a click focuses a field or selects a row ({key} turns it off to select text)"
                    )
                } else {
                    format!("Mouse off: the terminal selects text again ({key} turns it back on)")
                }));
                Outcome {
                    mouse_capture: Some(self.mouse),
                    ..Outcome::redraw()
                }
            }
            Action::Subaccounts => {
                let (screen, request) = SubaccountsScreen::open();
                self.screens.push(Screen::Subaccounts(Box::new(screen)));
                Outcome::request(request)
            }
            Action::Back => {
                self.screens.pop();
                Outcome::redraw()
            }
            Action::Fleet if !self.session.in_fleet => {
                self.notice = Some(Notice::info(
                    "One account is watched: `plivo-dash --all-profiles` watches every profile \
                     in the config file",
                ));
                Outcome::redraw()
            }
            // Edits stay with the account they belong to: the fleet screen
            // quits from there, and unsaved edits of another account would
            // be lost without a word.
            Action::Fleet if !self.screens.unsaved().is_empty() => {
                self.notice = Some(Notice::error(format!(
                    "Unsaved edits ({}): save them ({}) or revert them before leaving this account",
                    self.screens.unsaved().join(", "),
                    self.session.keymap.key_label(Action::Save)
                )));
                Outcome::redraw()
            }
            Action::Fleet => Outcome {
                to_fleet: true,
                ..Outcome::redraw()
            },
            action => {
                let body = self.body();
                let state = &mut self.state;
                let mut ctx = Ctx {
                    body,
                    account: state.account.as_ref(),
                    save: &mut state.save,
                    notice: &mut state.notice,
                    stopped: state.fetch == super::FetchState::Stopped,
                    keymap: &state.session.keymap,
                };
                self.screens.act(action, &mut ctx)
            }
        }
    }

    /// A fetch now, unless one is in flight (however often `r` is pressed)
    /// or the worker is gone.
    pub(super) fn refresh(&mut self) -> Option<Request> {
        // A profile with no usable account has no worker to ask.
        let unusable = matches!(self.fetch.error(), Some(crate::plivo::ApiError::Config(_)));
        if self.fetch.in_flight() || self.fetch == super::FetchState::Stopped || unusable {
            return None;
        }
        self.fetch = self.fetch.clone().with_in_flight(true);
        Some(Request::Refresh)
    }

    /// The next longer (or shorter) period from [`PERIODS`].
    fn step_period(&mut self, longer: bool) -> Outcome {
        let now = self.period.as_secs();
        let next = if longer {
            PERIODS.iter().find(|p| **p > now)
        } else {
            PERIODS.iter().rev().find(|p| **p < now)
        };
        match next {
            Some(secs) => {
                self.period = Duration::from_secs(*secs);
                self.refresh_estimate();
                Outcome::request(Request::SetPeriod(self.period))
            }
            None => Outcome::default(),
        }
    }

    pub(super) fn mouse(&mut self, mouse: MouseEvent) -> Outcome {
        if self.overlay.is_some() || self.account.is_none() {
            return Outcome::default();
        }
        // The wheel moves the selection where there are rows to select.
        let rows = self.screens.contexts() == [Context::Rows];
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {}
            MouseEventKind::ScrollDown if rows => return self.act(Action::RowDown),
            MouseEventKind::ScrollUp if rows => return self.act(Action::RowUp),
            _ => return Outcome::default(),
        }
        let Some(areas) = self.areas() else {
            return Outcome::default();
        };
        let at = Position::new(mouse.column, mouse.row);
        if self.screens.click(&areas, &self.state.session.keymap, at) {
            Outcome::redraw()
        } else {
            Outcome::default()
        }
    }
}
