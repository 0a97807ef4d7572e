//! All the dashboard's state, and the one function that changes it.
//!
//! `App::update` takes a `Msg` (a key, a paste, a click, a worker event, a
//! tick) and returns the `Command`s for the worker and whether to redraw.
//! No I/O, no drawing: every behaviour is testable by feeding messages.

mod form;
mod input;

pub use form::{FieldState, Form, MAX_CHARS, SUGGESTIONS};
pub use input::{Edit, LineInput};

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use rust_decimal::Decimal;

use crate::layout;
use crate::monitor::{self, Estimate, History, Sample};
use crate::plivo::{Account, AccountUpdate, ApiError, ErrorClass, Field};
use crate::threshold::{Alarm, Level};
use crate::worker::{Command, Event, Op};

/// The furthest an overlay scrolls: more than five fields of 128
/// characters ever take.
const MAX_SCROLL: u16 = 200;

/// The polling periods `+` and `-` step through, in seconds.
pub const PERIODS: [u64; 13] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/// Everything that can happen to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste).
    Paste(String),
    /// The mouse was used.
    Mouse(MouseEvent),
    /// The terminal is now this many columns and rows.
    Resize(u16, u16),
    /// The worker reported.
    Worker(Event),
    /// Time passed; this is the time now.
    Tick(Timestamp),
    /// The worker is gone (its task ended): nothing will be fetched or
    /// saved any more.
    WorkerStopped,
}

/// What `update` asks of the caller.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// Requests for the worker, in order.
    pub commands: Vec<Command>,
    /// Whether the screen needs drawing again.
    pub redraw: bool,
    /// Whether to ring the terminal bell (the balance just crossed the alert).
    pub bell: bool,
    /// Turn the terminal's mouse capture on (true) or off (false).
    pub mouse_capture: Option<bool>,
}

/// What has the keyboard, besides the form.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The dashboard itself.
    Normal,
    /// The help overlay.
    Help,
    /// "Save these changes?", with the changes.
    ConfirmSave(AccountUpdate),
    /// "Quit and lose the unsaved edits?"
    ConfirmQuit,
}

/// How the last fetch went.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch {
    /// Nothing has come back yet.
    Loading,
    /// The last fetch succeeded.
    Fresh,
    /// The last fetch failed; any account shown is from an earlier one.
    Failed(ApiError),
}

/// A one-line message in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// How to colour it.
    pub kind: NoticeKind,
}

impl Notice {
    /// Neutral information.
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            kind: NoticeKind::Info,
        }
    }

    /// Something worked.
    pub fn success(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            kind: NoticeKind::Success,
        }
    }

    /// Something went wrong.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            kind: NoticeKind::Error,
        }
    }
}

/// The tone of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Neutral information.
    Info,
    /// Something worked.
    Success,
    /// Something went wrong.
    Error,
}

/// Fixed facts about the session, shown but never changed.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account id.
    pub auth_id: String,
    /// Where the API is.
    pub api_url: String,
    /// Running on the embedded sandbox.
    pub demo: bool,
    /// Colours allowed (`NO_COLOR` unset).
    pub color: bool,
    /// Alert when the balance falls below this many USD.
    pub alert_below: Option<Decimal>,
    /// How long credit history is kept.
    pub retention: SignedDuration,
    /// Where the token came from, for "check …" after a refusal
    /// (`PLIVO_AUTH_TOKEN`, or the config file and profile).
    pub token_source: String,
    /// Capture the mouse at start (`mouse` in the config file).
    pub mouse: bool,
    /// What the configuration warned about (a token file others can read),
    /// shown inside the dashboard rather than printed before it.
    pub warnings: Vec<String>,
}

/// The dashboard's state.
#[derive(Debug, Clone)]
pub struct App {
    /// Fixed facts.
    pub session: Session,
    /// The last account fetched successfully.
    pub account: Option<Account>,
    /// When that account was fetched.
    pub fetched_at: Option<Timestamp>,
    /// How the last fetch went.
    pub fetch: Fetch,
    /// A fetch is in flight.
    pub refreshing: bool,
    /// A save is in flight.
    pub saving: bool,
    /// A save was accepted; the next fetch confirms these values.
    pub confirming: Option<AccountUpdate>,
    /// The profile form.
    pub form: Form,
    /// What has the keyboard.
    pub mode: Mode,
    /// The footer's message: the answer to the user's last action.
    pub notice: Option<Notice>,
    /// Problems with the setup that stay true (an unwritable history file,
    /// a config file others can read): shown in the panel, each once.
    pub warnings: Vec<String>,
    /// Whether the terminal's mouse capture is on (clicks focus fields; off
    /// lets the terminal select text to copy).
    pub mouse: bool,
    /// The time now, as of the last tick.
    pub now: Timestamp,
    /// The terminal's size.
    pub size: (u16, u16),
    /// Balances seen, for the chart and the burn rate.
    pub history: History,
    /// The alert, if a threshold is set.
    pub alarm: Option<Alarm>,
    /// How often the worker polls.
    pub period: Duration,
    /// Background polling is paused.
    pub paused: bool,
    /// When a failed fetch will be retried by itself.
    pub retry_at: Option<Timestamp>,
    /// Burn rate and runway, worked out when a balance arrives or the
    /// period changes rather than at every frame.
    estimate: Estimate,
    /// How far the save confirmation is scrolled, in lines.
    pub overlay_scroll: u16,
    /// The worker's task has ended.
    worker_stopped: bool,
    quit: bool,
}

impl App {
    /// A fresh app, before anything is fetched, polling every `period`.
    pub fn new(session: Session, now: Timestamp, size: (u16, u16), period: Duration) -> Self {
        let mut app = Self {
            alarm: session.alert_below.map(Alarm::new),
            history: History::new(session.retention),
            period,
            paused: false,
            retry_at: None,
            estimate: Estimate::NotEnoughData {
                have: SignedDuration::ZERO,
                need: SignedDuration::ZERO,
            },
            notice: session.warnings.first().cloned().map(Notice::error),
            warnings: session.warnings.clone(),
            mouse: session.mouse,
            worker_stopped: false,
            overlay_scroll: 0,
            session,
            account: None,
            fetched_at: None,
            fetch: Fetch::Loading,
            refreshing: false,
            saving: false,
            confirming: None,
            form: Form::default(),
            mode: Mode::Normal,
            now,
            size,
            quit: false,
        };
        app.refresh_estimate();
        app
    }

    /// The first commands to run: fetch the account.
    pub fn start(&mut self) -> Vec<Command> {
        self.refresh().into_iter().collect()
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
                ..self.key(key)
            },
            Msg::Paste(text) => {
                if self.mode == Mode::Normal && self.fits() {
                    self.form.paste(&text);
                }
                redraw()
            }
            Msg::Mouse(mouse) => self.mouse(mouse),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                redraw()
            }
            Msg::Worker(event) => self.worker(event),
            Msg::Tick(now) => {
                let before = self.clock_labels();
                self.now = now;
                Outcome {
                    redraw: self.clock_labels() != before,
                    ..Outcome::default()
                }
            }
            Msg::WorkerStopped => {
                self.worker_stopped = true;
                self.refreshing = false;
                self.saving = false;
                self.confirming = None;
                self.retry_at = None;
                self.notice = Some(Notice::error(
                    "The background worker stopped: nothing will be fetched or saved. \
                     Quit and start plivo-dash again; your edits are still on screen.",
                ));
                redraw()
            }
        }
    }

    /// Where everything is on the screen now, or `None` when it is too
    /// small to show the dashboard.
    pub fn areas(&self) -> Option<layout::Areas> {
        let notice = self.notice.as_ref().map(|n| n.text.as_str());
        let lines = layout::notice_lines(notice, self.size.0);
        layout::areas(Rect::new(0, 0, self.size.0, self.size.1), lines)
    }

    fn fits(&self) -> bool {
        self.areas().is_some()
    }

    /// Everything on screen that moves with the clock alone, so a tick
    /// redraws only when one of them changed.
    fn clock_labels(&self) -> [Option<String>; 3] {
        [
            self.fetched_at.map(|at| monitor::ago(self.now, at)),
            Some((self.now.as_second() / 60).to_string()),
            self.retry_in().map(|d| d.as_secs().to_string()),
        ]
    }

    /// How long until a failed fetch is retried, while one is pending.
    pub fn retry_in(&self) -> Option<SignedDuration> {
        self.retry_at
            .map(|at| at.duration_since(self.now).max(SignedDuration::ZERO))
    }

    /// How the current balance stands against the alert.
    pub fn level(&self) -> Level {
        match (&self.alarm, &self.account) {
            (Some(alarm), Some(account)) => alarm.level(account.cash_credits),
            _ => Level::Ok,
        }
    }

    /// Burn rate and runway from the history.
    pub fn estimate(&self) -> &Estimate {
        &self.estimate
    }

    /// Works the estimate out again. It wants at least two polling periods
    /// (and 10 s) of data before it says anything.
    fn refresh_estimate(&mut self) {
        let min_span = SignedDuration::try_from(self.period.saturating_mul(2))
            .unwrap_or(SignedDuration::MAX)
            .max(SignedDuration::from_secs(10));
        let latest = match (&self.account, self.fetched_at) {
            (Some(account), Some(at)) => Some(Sample {
                at,
                credits: account.cash_credits,
            }),
            _ => None,
        };
        self.estimate = monitor::estimate(
            &self.history,
            latest,
            min_span,
            self.alarm.as_ref().map(Alarm::alert_below),
        );
    }

    fn key(&mut self, key: KeyEvent) -> Outcome {
        if key.kind == KeyEventKind::Release {
            return Outcome::default();
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            if self.mode == Mode::ConfirmQuit || !self.form.is_dirty() {
                self.quit = true;
            } else {
                self.mode = Mode::ConfirmQuit;
            }
            return redraw();
        }
        // While the screen is too small to show anything, a key acts only
        // if it quits: an edit or a save made unseen is worse than none.
        if !self.fits() {
            return match (&self.mode, key.code) {
                (Mode::ConfirmQuit, _) => self.confirm_quit(key.code),
                (_, KeyCode::Char('q')) => self.ask_quit(),
                _ => Outcome::default(),
            };
        }
        match self.mode.clone() {
            Mode::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter
                ) {
                    self.mode = Mode::Normal;
                    return redraw();
                }
                Outcome::default()
            }
            Mode::ConfirmQuit => self.confirm_quit(key.code),
            Mode::ConfirmSave(update) => match key.code {
                KeyCode::Enter => {
                    self.mode = Mode::Normal;
                    self.saving = true;
                    self.notice = Some(Notice::info("Saving…"));
                    command(Command::Save(update))
                }
                KeyCode::Esc => {
                    self.mode = Mode::Normal;
                    redraw()
                }
                // Long values on a short screen: the list scrolls (the
                // overlay stops at its end).
                KeyCode::Down | KeyCode::PageDown => {
                    self.overlay_scroll = self.overlay_scroll.saturating_add(1).min(MAX_SCROLL);
                    redraw()
                }
                KeyCode::Up | KeyCode::PageUp => {
                    self.overlay_scroll = self.overlay_scroll.saturating_sub(1);
                    redraw()
                }
                _ => Outcome::default(),
            },
            Mode::Normal => self.normal_key(key, ctrl),
        }
    }

    fn confirm_quit(&mut self, code: KeyCode) -> Outcome {
        match code {
            KeyCode::Char('y' | 'Y') => {
                self.quit = true;
                redraw()
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                self.mode = Mode::Normal;
                redraw()
            }
            _ => Outcome::default(),
        }
    }

    fn normal_key(&mut self, key: KeyEvent, ctrl: bool) -> Outcome {
        if ctrl && key.code == KeyCode::Char('s') {
            self.ask_save();
            return redraw();
        }
        if let Some(field) = self.form.focus() {
            return self.field_key(field, key, ctrl);
        }
        // Nothing to edit until the account has loaded.
        let editable = self.account.is_some();
        match key.code {
            KeyCode::Tab | KeyCode::Down if editable => {
                self.form.cycle(true);
                redraw()
            }
            KeyCode::BackTab | KeyCode::Up if editable => {
                self.form.cycle(false);
                redraw()
            }
            KeyCode::Char('q') => self.ask_quit(),
            KeyCode::Char('r') => self.refresh_outcome(),
            KeyCode::Char('p') => {
                self.paused = !self.paused;
                command(Command::Pause(self.paused))
            }
            KeyCode::Char('+' | '=') => self.step_period(true),
            KeyCode::Char('-' | '_') => self.step_period(false),
            KeyCode::Char('?') => {
                self.mode = Mode::Help;
                redraw()
            }
            KeyCode::Char('m') => {
                self.mouse = !self.mouse;
                self.notice = Some(Notice::info(if self.mouse {
                    "Mouse on: a click focuses a field (m turns it off to select text)"
                } else {
                    "Mouse off: the terminal selects text again (m turns it back on)"
                }));
                Outcome {
                    mouse_capture: Some(self.mouse),
                    ..redraw()
                }
            }
            _ => Outcome::default(),
        }
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
                command(Command::SetPeriod(self.period))
            }
            None => Outcome::default(),
        }
    }

    fn field_key(&mut self, field: Field, key: KeyEvent, ctrl: bool) -> Outcome {
        let choosing = field == Field::Timezone && !self.form.suggestions().is_empty();
        let changed = match key.code {
            KeyCode::Esc => {
                self.form.set_focus(None);
                true
            }
            KeyCode::Tab => {
                self.form.cycle(true);
                true
            }
            KeyCode::BackTab => {
                self.form.cycle(false);
                true
            }
            KeyCode::Down if choosing => self.form.move_choice(true),
            KeyCode::Up if choosing => self.form.move_choice(false),
            KeyCode::Down => {
                self.form.cycle(true);
                true
            }
            KeyCode::Up => {
                self.form.cycle(false);
                true
            }
            KeyCode::Enter if choosing => self.form.accept_choice(),
            KeyCode::Enter => {
                self.form.cycle(true);
                true
            }
            KeyCode::Char('r') if ctrl => self.form.revert_focused(),
            _ => self.form.edit(key) != Edit::Ignored,
        };
        Outcome {
            redraw: changed,
            ..Outcome::default()
        }
    }

    fn mouse(&mut self, mouse: MouseEvent) -> Outcome {
        if self.mode != Mode::Normal
            || self.account.is_none()
            || mouse.kind != MouseEventKind::Down(MouseButton::Left)
        {
            return Outcome::default();
        }
        let Some(areas) = self.areas() else {
            return Outcome::default();
        };
        let at = Position::new(mouse.column, mouse.row);
        let Some((field, area)) = Field::ALL
            .into_iter()
            .zip(areas.fields)
            .find(|(_, area)| area.contains(at))
        else {
            return Outcome::default();
        };
        // The column inside the box, past the scrolled-off part the focused
        // field shows (an unfocused one shows its start).
        let inner = usize::from(area.width.saturating_sub(2));
        let scroll = if self.form.focus() == Some(field) {
            self.form.field(field).input.scroll(inner)
        } else {
            0
        };
        let column = usize::from(mouse.column.saturating_sub(area.x + 1)) + scroll;
        self.form.set_focus(Some(field));
        self.form.click(column);
        redraw()
    }

    fn ask_quit(&mut self) -> Outcome {
        if self.form.is_dirty() {
            self.mode = Mode::ConfirmQuit;
        } else {
            self.quit = true;
        }
        redraw()
    }

    fn ask_save(&mut self) {
        let update = self.form.diff();
        self.notice = Some(if self.worker_stopped {
            Notice::error("Cannot save: the background worker stopped. Your edits are kept.")
        } else if self.saving {
            Notice::info("A save is already under way")
        } else if update.is_empty() {
            Notice::info("Nothing to save: no field has changed")
        } else if let Some((field, reason)) = self.form.first_error() {
            self.form.set_focus(Some(field));
            Notice::error(format!("Cannot save: {} is {reason}", field.label()))
        } else {
            self.mode = Mode::ConfirmSave(update);
            self.overlay_scroll = 0;
            self.notice = None;
            return;
        });
    }

    fn refresh(&mut self) -> Option<Command> {
        // At most one fetch in flight, however often `r` is pressed.
        if self.refreshing || self.worker_stopped {
            return None;
        }
        self.refreshing = true;
        Some(Command::Refresh)
    }

    fn refresh_outcome(&mut self) -> Outcome {
        Outcome {
            commands: self.refresh().into_iter().collect(),
            ..redraw()
        }
    }

    fn worker(&mut self, event: Event) -> Outcome {
        let mut outcome = redraw();
        match event {
            Event::Loaded { account, at } => {
                self.refreshing = false;
                self.retry_at = None;
                let sent = self.confirming.take();
                self.form.sync(&account, sent.as_ref());
                if let Some(sent) = &sent {
                    self.notice = Some(confirmation(sent, &account));
                }
                let sample = Sample {
                    at,
                    credits: account.cash_credits,
                };
                if self.history.record(sample) {
                    outcome.commands.push(Command::Record(sample));
                }
                if let Some(alarm) = &mut self.alarm {
                    outcome.bell = alarm.observe(account.cash_credits);
                }
                self.account = Some(*account);
                self.fetched_at = Some(at);
                self.fetch = Fetch::Fresh;
                // Every balance moves the estimate, stored or not: the burn
                // rate must fall as soon as spending stops.
                self.refresh_estimate();
            }
            Event::Saved { update } => {
                self.saving = false;
                // The worker fetches right after a save; that fetch confirms.
                self.refreshing = true;
                self.confirming = Some(update);
                self.notice = Some(Notice::info("Saved; confirming with the server…"));
            }
            Event::Failed {
                op: Op::Refresh,
                error,
                retry_in,
            } => {
                self.refreshing = false;
                if let Some(sent) = self.confirming.take() {
                    let saved: Vec<&str> = sent.fields().map(|(f, _)| f.key()).collect();
                    self.notice = Some(Notice::error(format!(
                        "Saved {}, but could not confirm it with the server: {error}",
                        saved.join(", ")
                    )));
                }
                self.retry_at = retry_in.and_then(|d| {
                    let d = SignedDuration::try_from(d).ok()?;
                    self.now.checked_add(d).ok()
                });
                self.fetch = Fetch::Failed(error);
            }
            Event::Failed {
                op: Op::Save,
                error,
                ..
            } => {
                self.saving = false;
                let reason = match &error {
                    ApiError::RateLimited {
                        retry_after: Some(wait),
                    } => format!(
                        "Not saved: rate limited, retry in {} s",
                        wait.as_secs().max(1)
                    ),
                    error if error.class() == ErrorClass::Auth => format!(
                        "Save failed: {error}; check the token ({})",
                        self.session.token_source
                    ),
                    error => format!("Save failed: {error}"),
                };
                self.notice = Some(Notice::error(format!("{reason}. Your edits are kept.")));
            }
            Event::History { samples, warning } => {
                let mut all: Vec<Sample> = samples;
                all.extend(self.history.samples().iter().copied());
                self.history = History::from_samples(all, self.session.retention);
                self.refresh_estimate();
                if let Some(text) = warning {
                    self.warn(text);
                }
            }
            Event::Schedule { period, paused } => {
                self.period = period;
                self.paused = paused;
                self.refresh_estimate();
            }
            Event::HistoryUnwritable { error } => self.warn(error),
        }
        outcome
    }

    /// Notes a problem with the setup, once however often it recurs.
    fn warn(&mut self, text: String) {
        if !self.warnings.contains(&text) {
            self.warnings.push(text);
        }
    }
}

/// Whether the fetch after a save shows what was sent.
fn confirmation(sent: &AccountUpdate, account: &Account) -> Notice {
    let differing: Vec<&str> = sent
        .fields()
        .filter(|(field, value)| field.get(account) != *value)
        .map(|(field, _)| field.key())
        .collect();
    if differing.is_empty() {
        let saved: Vec<&str> = sent.fields().map(|(f, _)| f.key()).collect();
        Notice::success(format!("Saved {}", saved.join(", ")))
    } else {
        Notice::error(format!(
            "Saved, but the server still shows other values for {}",
            differing.join(", ")
        ))
    }
}

fn redraw() -> Outcome {
    Outcome {
        redraw: true,
        ..Outcome::default()
    }
}

fn command(command: Command) -> Outcome {
    Outcome {
        commands: vec![command],
        ..redraw()
    }
}
