//! The exit codes scripts rely on, in one place.

/// How a command ended, as its exit code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done.
    Ok,
    /// Refused by the API (400, 404, 405), or anything else.
    Failed,
    /// Usage: bad flags, missing credentials, a bad config file.
    Usage,
    /// The credentials were refused (401, 403).
    Auth,
    /// Network, timeout, server error, or a garbled answer.
    Unreachable,
    /// Rate limited (429).
    RateLimited,
    /// The command ran but its output could not be written (a full disk,
    /// say): what it changed, if anything, was said on stderr.
    Output,
    /// Stopped by a signal: 128 plus its number, as shells expect.
    Signal(u8),
}

/// The exit status shells expect of a process a signal ended: 128 plus its
/// number (143 for SIGTERM), so `$?` and service managers can tell
/// "stopped" from "finished".
impl From<crate::signals::Signal> for Exit {
    fn from(signal: crate::signals::Signal) -> Self {
        Exit::Signal(signal.0)
    }
}

impl From<Exit> for u8 {
    fn from(exit: Exit) -> Self {
        match exit {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Auth => 3,
            Exit::Unreachable => 4,
            Exit::RateLimited => 5,
            Exit::Output => 6,
            Exit::Signal(n) => 128u8.saturating_add(n),
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(u8::from(exit))
    }
}
