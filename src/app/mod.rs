//! All the dashboard's state, and the one function that changes it.
//!
//! `App::update` takes a `Msg` (a key, a paste, a click, a worker event, a
//! tick) and returns the `Command`s for the worker and whether to redraw.
//! No I/O, no drawing: every behaviour is testable by feeding messages.

mod form;

pub use form::{FieldState, Form, MAX_CHARS, SUGGESTIONS};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use crate::layout;
use crate::plivo::{Account, AccountUpdate, ApiError, ErrorClass, Field};
use crate::worker::{Command, Event, Op};

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
}

/// What `update` asks of the caller.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// Requests for the worker, in order.
    pub commands: Vec<Command>,
    /// Whether the screen needs drawing again.
    pub redraw: bool,
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
    /// The user's own time zone, for "fetched at".
    pub local_tz: TimeZone,
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
    /// The footer's message.
    pub notice: Option<Notice>,
    /// The time now, as of the last tick.
    pub now: Timestamp,
    /// The terminal's size.
    pub size: (u16, u16),
    quit: bool,
}

impl App {
    /// A fresh app, before anything is fetched.
    pub fn new(session: Session, now: Timestamp, size: (u16, u16)) -> Self {
        Self {
            session,
            account: None,
            fetched_at: None,
            fetch: Fetch::Loading,
            refreshing: false,
            saving: false,
            confirming: None,
            form: Form::default(),
            mode: Mode::Normal,
            notice: None,
            now,
            size,
            quit: false,
        }
    }

    /// The first commands to run: fetch the account.
    pub fn start(&mut self) -> Vec<Command> {
        self.refresh().into_iter().collect()
    }

    /// Whether the user has asked to quit (and confirmed, if need be).
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Handles one message.
    pub fn update(&mut self, msg: Msg) -> Outcome {
        match msg {
            Msg::Key(key) => self.key(key),
            Msg::Paste(text) => Outcome {
                commands: Vec::new(),
                redraw: self.mode == Mode::Normal && self.form.paste(&text),
            },
            Msg::Mouse(mouse) => self.mouse(mouse),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                redraw()
            }
            Msg::Worker(event) => self.worker(event),
            Msg::Tick(now) => {
                let before = self.clock_label();
                self.now = now;
                Outcome {
                    commands: Vec::new(),
                    redraw: self.clock_label() != before,
                }
            }
        }
    }

    /// Seconds since the data was fetched, and the minute of the clock: what
    /// the screen shows of the time, so a tick redraws only when it changes.
    fn clock_label(&self) -> (Option<i64>, i64) {
        let age = self
            .fetched_at
            .map(|at| self.now.as_second() - at.as_second());
        (age, self.now.as_second() / 60)
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
            Mode::ConfirmQuit => match key.code {
                KeyCode::Char('y' | 'Y') => {
                    self.quit = true;
                    redraw()
                }
                KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                    self.mode = Mode::Normal;
                    redraw()
                }
                _ => Outcome::default(),
            },
            Mode::ConfirmSave(update) => match key.code {
                KeyCode::Enter => {
                    self.mode = Mode::Normal;
                    self.saving = true;
                    self.notice = Some(Notice {
                        text: "Saving…".to_owned(),
                        kind: NoticeKind::Info,
                    });
                    Outcome {
                        commands: vec![Command::Save(update)],
                        redraw: true,
                    }
                }
                KeyCode::Esc => {
                    self.mode = Mode::Normal;
                    redraw()
                }
                _ => Outcome::default(),
            },
            Mode::Normal => self.normal_key(key, ctrl),
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
            KeyCode::Char('?') => {
                self.mode = Mode::Help;
                redraw()
            }
            _ => Outcome::default(),
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
            _ => self.form.edit(key.into()),
        };
        Outcome {
            commands: Vec::new(),
            redraw: changed,
        }
    }

    fn mouse(&mut self, mouse: MouseEvent) -> Outcome {
        if self.mode != Mode::Normal
            || self.account.is_none()
            || mouse.kind != MouseEventKind::Down(MouseButton::Left)
        {
            return Outcome::default();
        }
        let screen = Rect::new(0, 0, self.size.0, self.size.1);
        let Some(areas) = layout::areas(screen) else {
            return Outcome::default();
        };
        let at = Position::new(mouse.column, mouse.row);
        let hit = Field::ALL
            .into_iter()
            .zip(areas.fields)
            .find(|(_, area)| area.contains(at))
            .map(|(field, _)| field);
        match hit {
            Some(field) if self.form.focus() != Some(field) => {
                self.form.set_focus(Some(field));
                redraw()
            }
            _ => Outcome::default(),
        }
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
        let (text, kind) = if self.saving {
            ("A save is already under way".to_owned(), NoticeKind::Info)
        } else if update.is_empty() {
            (
                "Nothing to save: no field has changed".to_owned(),
                NoticeKind::Info,
            )
        } else if let Some((field, reason)) = self.form.first_error() {
            self.form.set_focus(Some(field));
            (
                format!("Cannot save: {} is {reason}", field.label()),
                NoticeKind::Error,
            )
        } else {
            self.mode = Mode::ConfirmSave(update);
            self.notice = None;
            return;
        };
        self.notice = Some(Notice { text, kind });
    }

    fn refresh(&mut self) -> Option<Command> {
        // At most one fetch in flight, however often `r` is pressed.
        if self.refreshing {
            return None;
        }
        self.refreshing = true;
        Some(Command::Refresh)
    }

    fn refresh_outcome(&mut self) -> Outcome {
        Outcome {
            commands: self.refresh().into_iter().collect(),
            redraw: true,
        }
    }

    fn worker(&mut self, event: Event) -> Outcome {
        match event {
            Event::Loaded { account, at } => {
                self.refreshing = false;
                self.form.sync(&account);
                if let Some(sent) = self.confirming.take() {
                    self.notice = Some(confirmation(&sent, &account));
                }
                self.account = Some(*account);
                self.fetched_at = Some(at);
                self.fetch = Fetch::Fresh;
            }
            Event::Saved { update } => {
                self.saving = false;
                // The worker fetches right after a save; that fetch confirms.
                self.refreshing = true;
                self.confirming = Some(update);
                self.notice = Some(Notice {
                    text: "Saved; confirming with the server…".to_owned(),
                    kind: NoticeKind::Info,
                });
            }
            Event::Failed { op, error } => match op {
                Op::Refresh => {
                    self.refreshing = false;
                    self.confirming = None;
                    self.fetch = Fetch::Failed(error);
                }
                Op::Save => {
                    self.saving = false;
                    let hint = if error.class() == ErrorClass::Auth {
                        "; check the credentials"
                    } else {
                        ""
                    };
                    self.notice = Some(Notice {
                        text: format!("Save failed: {error}{hint}. Your edits are kept."),
                        kind: NoticeKind::Error,
                    });
                }
            },
        }
        redraw()
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
        Notice {
            text: format!("Saved {}", saved.join(", ")),
            kind: NoticeKind::Success,
        }
    } else {
        Notice {
            text: format!(
                "Saved, but the server still shows other values for {}",
                differing.join(", ")
            ),
            kind: NoticeKind::Error,
        }
    }
}

fn redraw() -> Outcome {
    Outcome {
        commands: Vec::new(),
        redraw: true,
    }
}
