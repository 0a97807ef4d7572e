//! Input mapping, the one path every key takes: through the keymap, in
//! the contexts the overlay or the screen on top has active, to an action
//! (else the character it types); the actions that mean the same on every
//! stack of screens (quit, help, the mouse) are the shell's ([`Shell`]),
//! the account's (its polling, its screens) the app's, the rest the top
//! screen's. Clicks and pastes go to the screen too.

use std::time::Duration;

use ratatui::crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::{App, Notice, Outcome, Overlay, PERIODS};

use crate::keymap::{Action, Context, Keymap};
use crate::screens::subaccounts::SubaccountsScreen;
use crate::screens::usage::UsageScreen;
use crate::screens::{Ctx, Router, Screen};
use crate::state::ToFleet;
use crate::worker::Request;

/// What a key reaches: an account's screens, or the fleet's.
pub(super) trait Keyed {
    /// What acting gives back.
    type Out: Default;
    /// The keys.
    fn keymap(&self) -> &Keymap;
    /// The contexts whose keys act now: `Global`, then the overlay's or
    /// the top screen's, most specific first.
    fn contexts(&self) -> Vec<Context>;
    /// While the screen is too small to show the screens: the contexts
    /// read then, and the actions that still act (leaving). `None` when
    /// it fits.
    fn too_small(&self) -> Option<(Vec<Context>, &'static [Action])>;
    /// The footer's message.
    fn notice(&mut self) -> &mut Option<Notice>;
    /// Does `action`.
    fn act(&mut self, action: Action) -> Self::Out;
    /// A character typed where the top screen takes text; anything the
    /// user should be told (it did not fit).
    fn type_char(&mut self, c: char) -> Option<Notice>;
}

/// One key, the one way; `None` when it does nothing at all (a release,
/// or anything but leaving while the screen is too small).
pub(super) fn key<K: Keyed>(target: &mut K, key: &KeyEvent) -> Option<K::Out> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    // While the screen is too small to show anything, a key acts only if
    // it leaves (wherever the focus was): an edit or a save made unseen is
    // worse than none.
    if let Some((contexts, leaving)) = target.too_small() {
        return target
            .keymap()
            .action(&contexts, key)
            .filter(|action| leaving.contains(action))
            .map(|action| target.act(action));
    }
    let contexts = target.contexts();
    let action = target.keymap().action(&contexts, key);
    // The footer answers the last thing the user did; a new key makes
    // the old answer stale (a fixed field is no longer "Cannot save").
    *target.notice() = None;
    Some(match action {
        Some(action) => target.act(action),
        None => {
            if let Some(c) = crate::keymap::typed(key, &contexts)
                && let Some(notice) = target.type_char(c)
            {
                *target.notice() = Some(notice);
            }
            K::Out::default()
        }
    })
}

/// The frame a stack of screens is shown in, as the actions every stack
/// answers alike change it: an account's, or the fleet's.
pub(super) struct Shell<'a> {
    /// The keys.
    pub keymap: &'a Keymap,
    /// The screens in the frame.
    pub screens: &'a Router,
    /// What covers them.
    pub overlay: &'a mut Option<Overlay>,
    /// The footer's message.
    pub notice: &'a mut Option<Notice>,
    /// Whether the terminal's mouse capture is on.
    pub mouse: &'a mut bool,
    /// Whether the user has asked to quit.
    pub quit: &'a mut bool,
    /// Where the help is drawn (its height a page).
    pub body: Rect,
}

impl Shell<'_> {
    /// The actions every stack answers alike: quitting (asked first while
    /// an edit is unsaved), the help and the quit question over the
    /// screens, the mouse. `None`: `action` is not one of them.
    pub(super) fn act(self, action: Action) -> Option<Outcome> {
        match action {
            Action::Interrupt => {
                if *self.overlay == Some(Overlay::ConfirmQuit) || self.screens.unsaved().is_empty()
                {
                    *self.quit = true;
                } else {
                    *self.overlay = Some(Overlay::ConfirmQuit);
                }
            }
            Action::Quit => {
                if self.screens.unsaved().is_empty() {
                    *self.quit = true;
                } else {
                    *self.overlay = Some(Overlay::ConfirmQuit);
                }
            }
            Action::Yes => *self.quit = true,
            Action::No | Action::Close => *self.overlay = None,
            Action::Help => {
                // The keys of the screen it is asked from, and only those.
                let screen = self
                    .screens
                    .contexts()
                    .first()
                    .copied()
                    .unwrap_or(Context::Dashboard);
                *self.overlay = Some(Overlay::Help {
                    scroll: crate::scroll::Text::default(),
                    screen,
                });
            }
            Action::ScrollDown | Action::ScrollUp | Action::PageDown | Action::PageUp
                if matches!(self.overlay, Some(Overlay::Help { .. })) =>
            {
                if let Some(Overlay::Help { scroll, screen }) = self.overlay {
                    scroll.act(action, self.keymap.help(*screen).len(), self.body.height);
                }
            }
            Action::Mouse => {
                *self.mouse = !*self.mouse;
                let key = self.keymap.key_label(Action::Mouse);
                *self.notice = Some(Notice::info(if *self.mouse {
                    format!(
                        "Mouse on: {} ({key} turns it off to select text)",
                        self.screens.click_does()
                    )
                } else {
                    format!("Mouse off: the terminal selects text again ({key} turns it back on)")
                }));
                return Some(Outcome {
                    mouse_capture: Some(*self.mouse),
                    ..Outcome::redraw()
                });
            }
            _ => return None,
        }
        Some(Outcome::redraw())
    }
}

impl Keyed for App {
    type Out = Outcome;

    fn keymap(&self) -> &Keymap {
        &self.session.keymap
    }

    fn contexts(&self) -> Vec<Context> {
        App::contexts(self)
    }

    fn too_small(&self) -> Option<(Vec<Context>, &'static [Action])> {
        if self.fits() {
            return None;
        }
        let mut contexts = vec![Context::Global, Context::Dashboard];
        if self.overlay == Some(Overlay::ConfirmQuit) {
            contexts.insert(1, Context::ConfirmQuit);
        }
        // What the notice offers, and only that: the fleet's table where
        // it fits (it may where an account does not).
        let leaving: &'static [Action] =
            if crate::screens::fleet_in_reach(&self.state, &self.screens) {
                &[
                    Action::Interrupt,
                    Action::Quit,
                    Action::Yes,
                    Action::No,
                    Action::Fleet,
                ]
            } else {
                &[Action::Interrupt, Action::Quit, Action::Yes, Action::No]
            };
        Some((contexts, leaving))
    }

    fn notice(&mut self) -> &mut Option<Notice> {
        &mut self.state.notice
    }

    fn act(&mut self, action: Action) -> Outcome {
        App::act(self, action)
    }

    fn type_char(&mut self, c: char) -> Option<Notice> {
        self.screens.type_char(c)
    }
}

impl App {
    /// The contexts whose keys act now: `Global`, then the overlay's or
    /// the screen's, most specific first.
    pub(crate) fn contexts(&self) -> Vec<Context> {
        crate::screens::contexts(self.overlay, || self.screens.contexts())
    }

    fn act(&mut self, action: Action) -> Outcome {
        let body = self.body();
        let state = &mut self.state;
        let shell = Shell {
            keymap: &state.session.keymap,
            screens: &self.screens,
            overlay: &mut state.overlay,
            notice: &mut state.notice,
            mouse: &mut state.mouse,
            quit: &mut self.quit,
            body,
        };
        if let Some(outcome) = shell.act(action) {
            return outcome;
        }
        match action {
            Action::ChartRange => {
                self.next_range();
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
            Action::Subaccounts => {
                let (screen, request) = SubaccountsScreen::open();
                self.screens.push(Screen::Subaccounts(Box::new(screen)));
                Outcome::request(request)
            }
            Action::Usage => Outcome::request(self.open_usage()),
            // A kept filter goes first, then a narrowing, then the screen.
            Action::Back => {
                if self.screens.clear_kept_filter() {
                    return Outcome::redraw();
                }
                if let Some(request) = self.screens.widen() {
                    return Outcome::request(request);
                }
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
                to_fleet: Some(ToFleet::Table),
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
                    rows: &[],
                };
                self.screens.act(action, &mut ctx)
            }
        }
    }

    /// Opens the usage screen over the others (its month in the account's
    /// zone): the request that reads its view.
    pub(crate) fn open_usage(&mut self) -> Request {
        let zone = self.account.as_ref().map_or("", |a| a.timezone.as_str());
        let (screen, request) = UsageScreen::open(zone);
        self.screens.push(Screen::Usage(Box::new(screen)));
        request
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
        // Nothing moves unseen behind the too-small notice.
        if self.overlay.is_some() || self.account.is_none() || !self.fits() {
            return Outcome::default();
        }
        // The wheel moves the selection where there are rows to select.
        let rows = matches!(
            self.screens.contexts()[..],
            [Context::Rows | Context::Usage]
        );
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
