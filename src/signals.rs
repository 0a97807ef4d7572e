//! The signals that ask plivo-dash to stop: SIGINT, SIGTERM, SIGHUP and
//! SIGQUIT.
//! Caught rather than left to their default, so the dashboard restores the
//! terminal and the sandbox closes its socket before the process ends.

use std::io;

/// Listens for a stop signal from the moment it is made, so a signal that
/// arrives before anyone awaits it is not lost (or left to kill the process).
pub struct Stop {
    #[cfg(unix)]
    signals: [Option<tokio::signal::unix::Signal>; 4],
}

impl Stop {
    /// Starts listening.
    pub fn new() -> io::Result<Self> {
        Self::listening(true)
    }

    /// Starts listening for all but SIGHUP, which is left as it was: a
    /// service started under `nohup` must outlive the terminal it was
    /// started from, and a handler here would undo `nohup`'s ignoring it.
    pub fn keeping_hangup() -> io::Result<Self> {
        Self::listening(false)
    }

    fn listening(hangup: bool) -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                signals: [
                    Some(signal(SignalKind::interrupt())?),
                    Some(signal(SignalKind::terminate())?),
                    if hangup {
                        Some(signal(SignalKind::hangup())?)
                    } else {
                        None
                    },
                    Some(signal(SignalKind::quit())?),
                ],
            })
        }
        #[cfg(not(unix))]
        {
            let _ = hangup;
            Ok(Self {})
        }
    }

    /// Completes with the signal when a stop signal arrives.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            let [interrupt, terminate, hangup, quit] = &mut self.signals;
            tokio::select! {
                _ = recv(interrupt) => Signal(2),
                _ = recv(terminate) => Signal(15),
                _ = recv(hangup) => Signal(1),
                _ = recv(quit) => Signal(3),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal(2)
        }
    }
}

/// The next arrival of `signal`, if it is listened for; never otherwise.
#[cfg(unix)]
async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match signal {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

/// A stop signal that arrived, by number (SIGINT 2, SIGTERM 15, SIGHUP 1,
/// SIGQUIT 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal(pub u8);

impl Signal {
    /// The exit status shells expect of a process a signal ended: 128 plus
    /// its number (143 for SIGTERM), so `$?` and service managers can tell
    /// "stopped" from "finished".
    pub fn exit(self) -> crate::commands::Exit {
        crate::commands::Exit::Signal(self.0)
    }
}
