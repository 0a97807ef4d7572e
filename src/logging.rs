//! The optional log file (`--log-file`): requests, answers, timings and
//! errors, through `tracing`. Never the screen, never the token: no code here
//! or in the client logs a header, and reqwest marks Basic auth sensitive.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;

use tracing_subscriber::filter::LevelFilter;

/// The log file, its write errors swallowed: tracing-subscriber would print
/// them on stderr, which is the dashboard's screen. A log that cannot be
/// written (a full disk) must not break what it logs.
struct Quiet(std::fs::File);

impl io::Write for Quiet {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = self.0.write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = self.0.flush();
        Ok(())
    }
}

/// The variable that sets the level.
pub const ENV_LEVEL: &str = "PLIVO_DASH_LOG";

/// Why logging could not start.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// `PLIVO_DASH_LOG` is not a level.
    #[error("{ENV_LEVEL}={0:?} is not a level: use error, warn, info, debug or trace")]
    Level(String),
    /// The file cannot be opened for appending.
    #[error("cannot open log file {}: {source}", path.display())]
    Open {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A logger was already installed.
    #[error("cannot start logging: {0}")]
    Start(Box<dyn std::error::Error + Send + Sync>),
}

/// Starts logging to `path` (appending) at `level` (`info` when unset). The
/// file is created readable by its owner only.
pub fn init(path: &Path, level: Option<&str>) -> Result<(), LogError> {
    let level = match level.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => LevelFilter::from_str(l).map_err(|_| LogError::Level(l.to_owned()))?,
        None => LevelFilter::INFO,
    };
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(|source| LogError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(Quiet(file)))
        .with_ansi(false)
        .with_max_level(level)
        .try_init()
        .map_err(LogError::Start)
}
