//! The signals that ask plivo-dash to stop: SIGINT, SIGTERM, SIGHUP and
//! SIGQUIT.
//! Caught rather than left to their default, so the dashboard restores the
//! terminal and the sandbox closes its socket before the process ends.

use std::io;

/// Listens for a stop signal from the moment it is made, so a signal that
/// arrives before anyone awaits it is not lost (or left to kill the process).
pub struct Stop {
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 4],
}

impl Stop {
    /// Starts listening.
    pub fn new() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                signals: [
                    signal(SignalKind::interrupt())?,
                    signal(SignalKind::terminate())?,
                    signal(SignalKind::hangup())?,
                    signal(SignalKind::quit())?,
                ],
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Completes with the signal when a stop signal arrives.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            let [interrupt, terminate, hangup, quit] = &mut self.signals;
            tokio::select! {
                _ = interrupt.recv() => Signal(2),
                _ = terminate.recv() => Signal(15),
                _ = hangup.recv() => Signal::HANGUP,
                _ = quit.recv() => Signal(3),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal(2)
        }
    }
}

/// A stop signal that arrived, by number (SIGINT 2, SIGTERM 15, SIGHUP 1,
/// SIGQUIT 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal(pub u8);

impl Signal {
    /// SIGHUP: the terminal went away. It ends the dashboard; the exporter,
    /// a service with no configuration to reload, ignores it.
    pub(crate) const HANGUP: Self = Self(1);
}
