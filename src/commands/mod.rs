//! The one-shot commands: `get`, `update`, `check`. Each returns what to
//! print; `main` prints it.

mod check;
mod get;
mod update;

pub use check::{CheckOutcome, check};
pub use get::{get, summary};
pub use update::update;

use crate::cli::Global;
use crate::config::{self, ConfigError};
use crate::plivo::{ApiError, Client, ErrorClass, Limits};

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
}

impl Failure {
    /// 2 usage, 3 authentication, 4 network/timeout/server, 5 rate limited,
    /// 1 anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Config(_) | Failure::Usage(_) => 2,
            Failure::Refused { .. } => 3,
            Failure::Api(e) => match e.class() {
                ErrorClass::Usage => 2,
                ErrorClass::Auth => 3,
                ErrorClass::Transient => 4,
                ErrorClass::RateLimited => 5,
                ErrorClass::Rejected => 1,
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
pub fn connect(global: &Global) -> Result<(Client, config::Settings), Failure> {
    let settings = config::resolve(global, &config::Env::from_process())?;
    let c = &settings.credentials;
    let client = Client::with_limits(&c.api_url, &c.auth_id, c.auth_token.clone(), limits(global))?;
    Ok((client, settings))
}

/// The request limits, with `--timeout` if given.
pub fn limits(global: &Global) -> Limits {
    let defaults = Limits::default();
    match global.timeout {
        Some(secs) => {
            let timeout = std::time::Duration::from_secs(secs);
            Limits {
                timeout,
                connect_timeout: defaults.connect_timeout.min(timeout),
                ..defaults
            }
        }
        None => defaults,
    }
}
