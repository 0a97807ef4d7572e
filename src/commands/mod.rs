//! The commands, one module each: `get`, `update` and `check` return what
//! to print; `sandbox` serves; `dashboard` sets up and runs the terminal
//! dashboard (the only one that touches the terminal).

pub mod check;
pub mod dashboard;
mod exit;
pub mod exporter;
pub mod fleet;
pub mod forecast;
mod get;
pub mod history;
pub mod login;
pub mod sandbox;
pub mod subaccounts;
mod update;
pub mod usage;

pub use check::{CheckOutcome, Status, check};
pub use exit::Exit;
pub use get::{get, summary};
pub use update::update;

use std::io::Write as _;
use std::path::Path;

use crate::cli::Global;
use crate::config::{self, ConfigError};
use crate::monitor::schedule;
use crate::plivo::{ApiError, Client, ErrorClass, Http};
use crate::store::CreditHistory;
use crate::usage::sync::plan::Depth;
use crate::worker;

/// Why a command failed, with the exit code scripts rely on.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Configuration or credentials are missing or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The credentials were refused; says where the token came from, so
    /// the user knows which one to fix.
    #[error("{error} (the token came from {token_source})")]
    Refused {
        /// The refusal.
        error: ApiError,
        /// `PLIVO_AUTH_TOKEN`, or the config file (and profile).
        token_source: String,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// The config file could not be edited (`login`, `logout`).
    #[error(transparent)]
    File(#[from] crate::config::file::FileError),
    /// Credentials could not be checked, so nothing was kept.
    #[error("{0}; nothing was stored (--no-verify stores without checking)")]
    Unchecked(ApiError),
    /// The API has no such thing (a subaccount id that is not one): refused,
    /// as a 404 is, but said as what it is.
    #[error("{0}")]
    NoSuch(String),
    /// A list's answers disagreed with their own count; what arrived was
    /// printed.
    #[error("subaccounts: {0}")]
    Disagreed(crate::plivo::Disagreement),
    /// The store of usage records could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A date beyond what the calendar holds (the forecast's month).
    #[error("cannot work out the account's month: {0}")]
    Time(#[from] jiff::Error),
    /// Plivo asked a sync to wait longer than it waits: rate limited.
    #[error("{0}")]
    WaitTooLong(String),
    /// A signal stopped it half way (at a prompt, say).
    #[error("stopped by signal {}; nothing was stored", .0.0)]
    Stopped(crate::signals::Signal),
}

impl From<crate::usage::ahead::AheadError> for Failure {
    fn from(error: crate::usage::ahead::AheadError) -> Self {
        match error {
            crate::usage::ahead::AheadError::Store(e) => Failure::Store(e),
            crate::usage::ahead::AheadError::Time(e) => Failure::Time(e),
        }
    }
}

impl Failure {
    /// How the command ends: usage, authentication, network/timeout/
    /// server, rate limited, or failed.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::Config(_) | Failure::Usage(_) | Failure::File(_) => Exit::Usage,
            Failure::Stopped(signal) => Exit::from(*signal),
            Failure::Refused { .. } => Exit::Auth,
            Failure::NoSuch(_) | Failure::Store(_) | Failure::Time(_) => Exit::Failed,
            // An answer that is not what the API promises: a garbled one.
            Failure::Disagreed(_) => Exit::Unreachable,
            Failure::WaitTooLong(_) => Exit::RateLimited,
            Failure::Api(e) | Failure::Unchecked(e) => match e.class() {
                ErrorClass::Usage => Exit::Usage,
                ErrorClass::Auth => Exit::Auth,
                ErrorClass::Transient => Exit::Unreachable,
                ErrorClass::RateLimited => Exit::RateLimited,
                ErrorClass::Rejected => Exit::Failed,
            },
        }
    }
}

impl Failure {
    /// This failure, naming `token_source` if it is a refusal of the
    /// credentials.
    pub fn with_token_source(self, token_source: &str) -> Self {
        match self {
            Failure::Api(error) if error.class() == ErrorClass::Auth => Failure::Refused {
                error,
                token_source: token_source.to_owned(),
            },
            other => other,
        }
    }
}

/// A client for the account the flags, environment and config file name,
/// and the settings it came from (with any warnings they drew).
pub fn connect(global: &Global, http: &Http) -> Result<(Client, config::Settings), Failure> {
    let settings = config::resolve(global, &config::Env::from_process())?;
    let client = client_for(http, &settings)?;
    Ok((client, settings))
}

/// Says what the configuration warned about on stderr, each once.
pub fn warn<S: AsRef<str>>(warnings: &[S]) {
    for w in warnings {
        crate::say!("plivo-dash: {}", w.as_ref());
    }
}

/// Every profile's settings (`--all-profiles`), the configuration's
/// warnings said on stderr.
pub fn resolve_all(global: &Global) -> Result<Vec<(String, config::Settings)>, Failure> {
    let all = config::resolve_all(global, &config::Env::from_process())?;
    // Only the first profile's settings carry the file's warnings.
    if let Some((_, first)) = all.first() {
        warn(&first.warnings);
    }
    Ok(all)
}

/// The accounts a command runs for: every profile's (`--all-profiles`),
/// each named, or the one the flags name, unnamed; the configuration's
/// warnings said on stderr.
pub(crate) fn accounts(
    global: &Global,
) -> Result<Vec<(Option<String>, config::Settings)>, Failure> {
    if global.all_profiles {
        Ok(resolve_all(global)?
            .into_iter()
            .map(|(name, settings)| (Some(name), settings))
            .collect())
    } else {
        let settings = config::resolve(global, &config::Env::from_process())?;
        warn(&settings.warnings);
        Ok(vec![(None, settings)])
    }
}

/// Where `client`'s account keeps its credit history under `settings`, if
/// anywhere: the store in the state directory.
pub(crate) fn credit_history(
    settings: &config::Settings,
    client: &Client,
) -> Option<CreditHistory> {
    settings
        .state_dir
        .as_ref()
        .map(|dir| CreditHistory::new(dir, client.auth_id(), settings.retention))
}

/// The stores the accounts of one command sync their usage records into:
/// one per file, however many accounts write it.
#[derive(Debug, Default)]
pub(crate) struct Stores(Vec<worker::usage::StoreAt>);

impl Stores {
    /// The background sync of the usage records under `settings`, into the
    /// store in `dir`: every `usage_interval`, back-filling as `usage sync`
    /// does the first time.
    pub(crate) fn sync(
        &mut self,
        settings: &config::Settings,
        dir: &Path,
    ) -> worker::usage::Options {
        let path = dir.join(crate::store::FILE_NAME);
        let store = match self.0.iter().find(|s| s.path() == path) {
            Some(store) => store.clone(),
            None => {
                let store = worker::usage::StoreAt::new(path);
                self.0.push(store.clone());
                store
            }
        };
        worker::usage::Options {
            interval: settings.usage_interval,
            store,
            sync: crate::usage::sync::Options {
                depth: settings.usage_days.map_or(Depth::MonthAhead, Depth::Days),
                ..crate::usage::sync::Options::default()
            },
            spikes: Some(crate::usage::spike::Thresholds {
                factor: settings.spike_factor,
                new_destination: settings.new_destination_usd,
            }),
        }
    }

    /// The sync in the state directory of `settings`, if it has one.
    pub(crate) fn in_state_dir(
        &mut self,
        settings: &config::Settings,
    ) -> Option<worker::usage::Options> {
        let dir = settings.state_dir.clone()?;
        Some(self.sync(settings, &dir))
    }
}

/// Account `index` of `count`'s place in a watching command's timetable,
/// polling every `period`, and the one gate on requests in flight that
/// every account shares.
pub fn shared(
    index: usize,
    count: usize,
    period: std::time::Duration,
    gate: &std::sync::Arc<tokio::sync::Semaphore>,
) -> worker::Shared {
    worker::Shared {
        slot: schedule::slot(index, count, period),
        gate: gate.clone(),
    }
}

/// A client through `http` for the credentials `settings` resolved,
/// within its limits.
pub(crate) fn client_for(http: &Http, settings: &config::Settings) -> Result<Client, Failure> {
    let c = settings.credentials()?;
    Ok(Client::with_limits(
        http,
        &c.api_url,
        &c.auth_id,
        c.auth_token.clone(),
        settings.limits,
    )?)
}

/// What a command prints, and what it changed on the account, if it did:
/// when the output cannot be written, the change is still said (on stderr,
/// without the output itself, which may hold a token) so that a script
/// does not do it again.
#[derive(Debug, Default)]
pub struct Printed {
    /// The output, for stdout only.
    pub text: String,
    /// What was done ("created subaccount SA… (\"leak\")"), safe for stderr.
    pub done: Option<String>,
}

impl Printed {
    /// Output that reports a change made.
    pub fn done(text: String, done: String) -> Self {
        Self {
            text,
            done: Some(done),
        }
    }
}

impl From<String> for Printed {
    fn from(text: String) -> Self {
        Self { text, done: None }
    }
}

/// Writes `text` to standard output; false when it could not be written.
/// A reader that went away (`| head`) is not a failure: it asked for no
/// more, and what was done is done. Any other failure (a full disk) is
/// said on stderr in one line naming the error, never the output, and the
/// command must exit [`Exit::Output`], not 0 as if its output were there.
pub fn print_out(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "plivo-dash: cannot write the output: {e}"
            );
            false
        }
    }
}
