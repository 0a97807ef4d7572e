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

/// Starts logging to `path` (appending) at `level` (`info` when unset). The
/// file is created readable by its owner only.
pub fn init(path: &Path, level: Option<&str>) -> Result<(), String> {
    let level = match level.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => LevelFilter::from_str(l).map_err(|_| {
            format!("{ENV_LEVEL}={l:?} is not a level: use error, warn, info, debug or trace")
        })?,
        None => LevelFilter::INFO,
    };
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .map_err(|e: io::Error| format!("cannot open log file {}: {e}", path.display()))?;
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(Quiet(file)))
        .with_ansi(false)
        .with_max_level(level)
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))
}
