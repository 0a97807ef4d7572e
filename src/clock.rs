//! The wall clock as the dashboard sees it: a starting time moved on by
//! tokio's clock, so tests on a paused clock see time pass exactly as they
//! advance it, and every timestamp (samples, "12 s ago") agrees.

use jiff::{SignedDuration, Timestamp};

/// A wall clock driven by tokio's monotonic clock.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base: Timestamp,
    start: tokio::time::Instant,
}

impl Clock {
    /// The real time now.
    pub fn system() -> Self {
        Self::starting_at(Timestamp::now())
    }

    /// A clock that reads `base` now.
    pub fn starting_at(base: Timestamp) -> Self {
        Self {
            base,
            start: tokio::time::Instant::now(),
        }
    }

    /// The time now.
    pub fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.start.elapsed()).unwrap_or(SignedDuration::MAX);
        self.base.checked_add(elapsed).unwrap_or(self.base)
    }
}
