//! One account's request budget: Plivo allows 300 requests in any 5 s per
//! account. The worker's requests (a balance poll, a save, a subaccount
//! list) are counted and never wait; a background sync's wait for room,
//! leaving [`RESERVE`] for the worker, so the two together stay inside the
//! limit and a poll never queues behind a sync.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// The span Plivo counts an account's requests over.
pub const WINDOW: Duration = Duration::from_secs(5);
/// The requests Plivo allows an account in [`WINDOW`].
pub const LIMIT: usize = 300;
/// Left for the worker by a background request: its polls go at most every
/// 250 ms (`monitor::schedule::MIN_GAP`), 20 in a window.
pub const RESERVE: usize = 20;

/// Whose request it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// The worker's: counted, never held back.
    Foreground,
    /// A background sync's: sent only while the window has room beyond
    /// [`RESERVE`].
    Background,
}

/// The requests one account made in the last [`WINDOW`]. Cheap to clone;
/// clones count together, so the worker's client and its sync's share it.
#[derive(Debug, Clone, Default)]
pub struct Budget(Arc<Mutex<VecDeque<Instant>>>);

impl Budget {
    /// Counts a request of `share` starting now, once the budget allows it:
    /// at once for the foreground, else when fewer than `LIMIT - RESERVE`
    /// requests went out in the last window.
    pub async fn spend(&self, share: Share) {
        loop {
            let now = Instant::now();
            let wait = {
                let mut sent = self.0.lock().unwrap_or_else(PoisonError::into_inner);
                while sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    sent.pop_front();
                }
                let room = match share {
                    Share::Foreground => LIMIT,
                    Share::Background => LIMIT - RESERVE,
                };
                if share == Share::Foreground || sent.len() < room {
                    // The foreground is never held: past the limit, only the
                    // oldest are forgotten, which is all a wait would read.
                    if sent.len() >= LIMIT {
                        sent.pop_front();
                    }
                    sent.push_back(now);
                    return;
                }
                // Room comes back when the oldest leaves the window.
                let oldest = sent.len() - room;
                sent.get(oldest).map_or(now, |t| *t + WINDOW)
            };
            tokio::time::sleep_until(wait).await;
        }
    }

    /// How many requests went out in the last window.
    pub fn in_window(&self) -> usize {
        let now = Instant::now();
        let sent = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        sent.iter()
            .filter(|t| now.duration_since(**t) < WINDOW)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_background_waits_for_room_the_foreground_never() {
        let budget = Budget::default();
        let start = Instant::now();
        for _ in 0..LIMIT - RESERVE {
            budget.spend(Share::Background).await;
        }
        assert_eq!(Instant::now(), start, "room for these at once");
        // The worker's poll still goes at once, over the sync's share.
        budget.spend(Share::Foreground).await;
        assert_eq!(Instant::now(), start);
        assert_eq!(budget.in_window(), LIMIT - RESERVE + 1);
        // The next background request waits until the window has room
        // again beyond the reserve: when the first two have left it.
        budget.spend(Share::Background).await;
        assert_eq!(Instant::now(), start + WINDOW);
        assert!(
            budget.in_window() <= LIMIT - RESERVE,
            "{}",
            budget.in_window()
        );
    }
}
