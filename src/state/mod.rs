//! The shapes of the app's state and messages, below the screens that
//! draw and change them: what comes in ([`Msg`]),
//! what goes out ([`Outcome`]), and the states of a fetch, a save and the
//! footer, each one enum rather than flags that could disagree.

mod account;
mod input;

pub use account::AccountState;
pub use input::{Edit, LineInput};

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use rust_decimal::Decimal;

use crate::keymap::Keymap;
use crate::plivo::{Account, AccountUpdate, ApiError};
use crate::text::SafeText;
use crate::worker::{Report, Request};

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
    Worker(Report),
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
    pub requests: Vec<Request>,
    /// Whether the screen needs drawing again.
    pub redraw: bool,
    /// The balance just crossed the alert threshold (the bell rings for
    /// `Below`; `on_alert` and notifications hear both).
    pub alert: Option<crate::monitor::threshold::Crossing>,
    /// Turn the terminal's mouse capture on (true) or off (false).
    pub mouse_capture: Option<bool>,
    /// Put this on the system clipboard (OSC 52), never on screen.
    pub clipboard: Option<Clipboard>,
    /// What the fleet around the screens is asked to do: show its table
    /// (this app is one of a fleet), open an account, fetch one now.
    pub to_fleet: Option<ToFleet>,
}

/// What a screen asks of the fleet it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToFleet {
    /// Show the table of every account.
    Table,
    /// Open this member's dashboard.
    Open(usize),
    /// Fetch this member's account now.
    Refresh(usize),
    /// Open this member's dashboard on its usage screen.
    Usage(usize),
}

/// A secret for the clipboard: never in `Debug`, and handed to the
/// terminal only as OSC 52.
#[derive(Clone)]
pub struct Clipboard(pub secrecy::SecretString);

impl std::fmt::Debug for Clipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clipboard([REDACTED])")
    }
}

impl PartialEq for Clipboard {
    fn eq(&self, other: &Self) -> bool {
        use secrecy::ExposeSecret as _;
        self.0.expose_secret() == other.0.expose_secret()
    }
}

impl From<secrecy::SecretString> for Clipboard {
    fn from(secret: secrecy::SecretString) -> Self {
        Self(secret)
    }
}

impl Outcome {
    /// Nothing to do but draw.
    pub fn redraw() -> Self {
        Self {
            redraw: true,
            ..Self::default()
        }
    }

    /// One request for the worker, and a frame.
    pub fn request(request: Request) -> Self {
        Self {
            requests: vec![request],
            ..Self::redraw()
        }
    }
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
    /// The keys, as the config file may have rebound them.
    pub keymap: Keymap,
    /// The user's time zone, for the chart's times.
    pub tz: jiff::tz::TimeZone,
    /// The config file's profile this account is (`None`: the top level,
    /// or flags and environment).
    pub profile: Option<String>,
    /// This account is one of several watched (the fleet screen exists).
    pub in_fleet: bool,
    /// Quitting goes back to the welcome screen (the demo opened from
    /// it): the footer says "back", not "quit".
    pub back_to_welcome: bool,
}

/// The account's text as drawn: every value from the API made safe once,
/// when the account arrives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountText {
    /// The holder's name.
    pub name: SafeText,
    /// The account id the server reports.
    pub auth_id: SafeText,
    /// The account's URI.
    pub resource_uri: SafeText,
    /// Its time zone.
    pub timezone: SafeText,
    /// "prepaid · standard", "postpaid · developer (free trial)".
    pub billing: SafeText,
}

impl AccountText {
    /// The text of `account`, neutralised.
    pub fn new(account: &Account) -> Self {
        Self {
            name: SafeText::new(&account.name),
            auth_id: SafeText::new(&account.auth_id),
            resource_uri: SafeText::new(&account.resource_uri),
            timezone: SafeText::new(&account.timezone),
            billing: SafeText::new(&format!(
                "{} · {}",
                account.billing_mode.as_str(),
                account.account_type.describe()
            )),
        }
    }
}

/// Where fetching the account stands.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchState {
    /// Nothing has come back yet.
    Loading,
    /// The last fetch succeeded; another may be under way.
    Fresh {
        /// A fetch is in flight.
        in_flight: bool,
    },
    /// The last fetch failed; any account shown is from an earlier one.
    Failed {
        /// Why.
        error: ApiError,
        /// When it is retried by itself, unless a fetch is already in flight.
        retry_at: Option<Timestamp>,
        /// A fetch is in flight.
        in_flight: bool,
    },
    /// The worker is gone: nothing more will be fetched.
    Stopped,
}

impl FetchState {
    /// Whether a fetch is under way.
    pub fn in_flight(&self) -> bool {
        match self {
            FetchState::Loading => true,
            FetchState::Fresh { in_flight } | FetchState::Failed { in_flight, .. } => *in_flight,
            FetchState::Stopped => false,
        }
    }

    /// The same state with a fetch under way (or not).
    pub(crate) fn with_in_flight(self, now: bool) -> Self {
        match self {
            FetchState::Fresh { .. } => FetchState::Fresh { in_flight: now },
            FetchState::Failed {
                error, retry_at, ..
            } => FetchState::Failed {
                error,
                retry_at,
                in_flight: now,
            },
            other => other,
        }
    }

    /// The last failure, while the last fetch failed.
    pub fn error(&self) -> Option<&ApiError> {
        match self {
            FetchState::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// How long until a failed fetch is retried by itself, if one is
    /// pending.
    pub fn retry_in(&self, now: Timestamp) -> Option<SignedDuration> {
        match self {
            FetchState::Failed {
                retry_at: Some(at),
                in_flight: false,
                ..
            } => Some(at.duration_since(now).max(SignedDuration::ZERO)),
            _ => None,
        }
    }
}

/// Where saving the form stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// No save under way.
    Idle,
    /// These changes are on their way to the server.
    Sending(AccountUpdate),
    /// The server took these changes; the fetch that follows confirms them.
    Confirming(AccountUpdate),
}

impl SaveState {
    /// Whether a save is under way (sent, or awaiting confirmation).
    pub fn busy(&self) -> bool {
        !matches!(self, SaveState::Idle)
    }
}

/// What covers the screen, whichever screen it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    /// The keys, scrolled this many lines.
    Help {
        /// How far the list is scrolled.
        scroll: crate::scroll::Text,
        /// The screen it was opened from, whose keys it shows.
        screen: crate::keymap::Context,
    },
    /// "Quit and lose the unsaved edits?"
    ConfirmQuit,
}

/// A message in the footer: the answer to the user's last action.
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

/// `d` as a signed duration (saturating).
pub(crate) fn signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}
