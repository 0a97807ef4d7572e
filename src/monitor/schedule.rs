//! When the worker asks next: the polling period, pause, exponential backoff
//! with jitter after failures, `Retry-After`, and a floor between requests.
//! Pure: it is handed the time and never sleeps.

use std::time::Duration;

use tokio::time::Instant;

use crate::plivo::ApiError;

/// The least time between two requests, whatever is asked: at most four a
/// second, far inside Plivo's 300 per 5 s.
pub const MIN_GAP: Duration = Duration::from_millis(250);
/// The first retry after a failure waits about this long; each further
/// failure doubles it, up to the polling period.
pub(crate) const BACKOFF_BASE: Duration = Duration::from_secs(1);

/// The most time between two accounts' first fetches: a fleet of 100
/// fills its table within 4 s, yet never in one burst.
pub const FILL_GAP: Duration = Duration::from_millis(40);
/// How many requests the workers of a fleet may have in flight at once.
pub const IN_FLIGHT: usize = 4;

/// One account's place in a fleet's timetable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Its first fetch, this long after the start.
    pub first: Duration,
    /// Added once to the wait after its first success, so that its polls
    /// fall `index / count` of the way through each period.
    pub phase: Duration,
}

/// Where account `index` of `count` polls, at `period`: first fetches close
/// together (at most [`FILL_GAP`] apart, so the table fills fast), then
/// spread evenly over the period, so a fleet's requests never bunch.
pub fn slot(index: usize, count: usize, period: Duration) -> Slot {
    let count = u32::try_from(count.max(1)).unwrap_or(u32::MAX);
    let index = u32::try_from(index).unwrap_or(u32::MAX).min(count - 1);
    let step = period / count;
    let first = step.min(FILL_GAP) * index;
    Slot {
        first,
        phase: (step * index).saturating_sub(first),
    }
}

/// The worker's timetable.
#[derive(Debug)]
pub struct Schedule {
    period: Duration,
    /// Added once, at the first success (see [`Slot::phase`]).
    phase: Duration,
    paused: bool,
    due: Instant,
    asked: bool,
    failures: u32,
    last_request: Option<Instant>,
    /// Set by a 429's `Retry-After`: nothing, not even an asked refresh,
    /// goes out before it.
    held_until: Option<Instant>,
    rng: fastrand::Rng,
}

impl Schedule {
    /// A schedule whose first poll is due at `first`.
    pub fn new(period: Duration, paused: bool, first: Instant, rng: fastrand::Rng) -> Self {
        Self {
            period,
            phase: Duration::ZERO,
            paused,
            due: first,
            asked: false,
            failures: 0,
            last_request: None,
            held_until: None,
            rng,
        }
    }

    /// The same schedule, its polls moved `phase` later from the first
    /// success on.
    pub(crate) fn with_phase(self, phase: Duration) -> Self {
        Self { phase, ..self }
    }

    /// The polling period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Whether background polling is paused.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// When the next fetch should start, or `None` while paused with nothing
    /// asked for.
    pub(crate) fn next_fetch(&self) -> Option<Instant> {
        if self.paused && !self.asked {
            return None;
        }
        Some(self.not_before(self.due))
    }

    /// `at`, or later if a request went out less than [`MIN_GAP`] before it
    /// or the server asked to wait longer.
    pub(crate) fn not_before(&self, at: Instant) -> Instant {
        let after_gap = match self.last_request {
            Some(last) => at.max(last + MIN_GAP),
            None => at,
        };
        after_gap.max(self.held_until.unwrap_or(after_gap))
    }

    /// How long the server's `Retry-After` still holds every request back,
    /// if it does.
    pub(crate) fn held_for(&self, now: Instant) -> Option<Duration> {
        self.held_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// A fetch was asked for: it is due now (repeated asks coalesce).
    pub fn ask(&mut self, now: Instant) {
        self.asked = true;
        self.due = self.due.min(now);
    }

    /// A request is going out.
    pub fn started(&mut self, now: Instant) {
        self.last_request = Some(now);
        self.asked = false;
    }

    /// A fetch succeeded: the next is a period away.
    pub(crate) fn succeeded(&mut self, now: Instant) {
        self.failures = 0;
        self.held_until = None;
        self.due = now + self.period + std::mem::take(&mut self.phase);
    }

    /// A fetch failed: returns how long until the retry. Exponential backoff
    /// with jitter (half to all of the step), capped at the period, and never
    /// sooner than the server's `Retry-After`.
    pub fn failed(&mut self, now: Instant, error: &ApiError) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let step = BACKOFF_BASE.saturating_mul(1 << self.failures.saturating_sub(1).min(20));
        // Once the step reaches the period, a failing account waits a whole
        // period, as a healthy one does: jitter below it would poll a dead
        // server more often than a live one.
        let jittered = if step >= self.period {
            self.period
        } else {
            step.mul_f64(0.5 + self.rng.f64() * 0.5).max(MIN_GAP)
        };
        let wait = match self.hold(now, error) {
            Some(after) => jittered.max(after),
            None => jittered,
        };
        self.due = now + wait;
        wait
    }

    /// Takes in a refusal of any request: a 429 with `Retry-After` holds
    /// every request back until then (a save refused that way too), but never
    /// longer than the polling period: a server that asks for a year (or a
    /// date long past its recovery) must not blind the monitor. Returns the
    /// hold.
    pub fn hold(&mut self, now: Instant, error: &ApiError) -> Option<Duration> {
        match error {
            ApiError::RateLimited {
                retry_after: Some(after),
            } => {
                let after = (*after).min(self.period);
                self.held_until = Some(now + after);
                Some(after)
            }
            _ => None,
        }
    }

    /// A new period; the next poll moves with it unless a retry is pending.
    pub(crate) fn set_period(&mut self, period: Duration, now: Instant) {
        if self.failures == 0 {
            let since_last = self.due.checked_sub(self.period).unwrap_or(now);
            self.due = since_last + period;
        }
        self.period = period;
        // A shorter period shortens a hold taken under the longer one.
        self.held_until = self.held_until.map(|until| until.min(now + period));
    }

    /// Pauses or resumes background polling. On resuming, a poll that fell
    /// due while paused happens at once.
    pub(crate) fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    fn schedule(now: Instant) -> Schedule {
        Schedule::new(MIN, false, now, fastrand::Rng::with_seed(7))
    }

    fn network() -> ApiError {
        ApiError::Network("down".into())
    }

    #[test]
    fn polls_once_per_period_after_success() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        assert_eq!(s.next_fetch(), Some(t0));
        s.started(t0);
        s.succeeded(t0);
        assert_eq!(s.next_fetch(), Some(t0 + MIN));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped_by_the_period() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        let mut step = BACKOFF_BASE;
        for _ in 0..10 {
            let wait = s.failed(t0, &network());
            let cap = step.min(MIN);
            assert!(
                wait <= cap && wait >= cap / 2,
                "{wait:?} outside {:?}..{cap:?}",
                cap / 2
            );
            step *= 2;
        }
        assert_eq!(s.failed(t0, &network()), MIN, "a whole period once capped");
        s.succeeded(t0);
        let wait = s.failed(t0, &network());
        assert!(wait <= BACKOFF_BASE, "success resets the backoff");
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_period() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        let wait = s.failed(
            t0,
            &ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(45)),
            },
        );
        assert_eq!(wait, Duration::from_secs(45));
        assert_eq!(s.next_fetch(), Some(t0 + Duration::from_secs(45)));
    }

    fn rate_limited(secs: u64) -> ApiError {
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(secs)),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_retry_after_holds_back_one_period_at_most() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        s.started(t0);
        assert_eq!(s.failed(t0, &rate_limited(99_999_999_999)), MIN);
        assert_eq!(s.held_for(t0), Some(MIN));
        assert_eq!(s.next_fetch(), Some(t0 + MIN));
        // A save refused the same way holds no longer either.
        assert_eq!(s.hold(t0, &rate_limited(u64::MAX)), Some(MIN));
        assert_eq!(s.not_before(t0), t0 + MIN);
    }

    #[tokio::test(start_paused = true)]
    async fn a_shorter_period_shortens_a_hold() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        s.failed(t0, &rate_limited(50));
        s.set_period(Duration::from_secs(5), t0);
        assert_eq!(s.held_for(t0), Some(Duration::from_secs(5)));
    }

    #[test]
    fn an_asked_refresh_still_waits_out_retry_after() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        s.started(t0);
        s.failed(
            t0,
            &ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(30)),
            },
        );
        s.ask(t0 + Duration::from_secs(1));
        assert_eq!(s.next_fetch(), Some(t0 + Duration::from_secs(30)));
        assert_eq!(
            s.held_for(t0 + Duration::from_secs(10)),
            Some(Duration::from_secs(20))
        );
        s.started(t0 + Duration::from_secs(30));
        s.succeeded(t0 + Duration::from_secs(30));
        s.ask(t0 + Duration::from_secs(31));
        assert_eq!(
            s.next_fetch(),
            Some(t0 + Duration::from_secs(31)),
            "released by success"
        );
    }

    #[test]
    fn asking_repeatedly_never_beats_the_minimum_gap() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        s.started(t0);
        s.succeeded(t0);
        for _ in 0..100 {
            s.ask(t0);
        }
        assert_eq!(s.next_fetch(), Some(t0 + MIN_GAP));
    }

    #[test]
    fn pausing_stops_polling_but_not_asked_refreshes() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        s.set_paused(true);
        assert_eq!(s.next_fetch(), None);
        s.ask(t0);
        assert_eq!(s.next_fetch(), Some(t0));
        s.started(t0);
        s.succeeded(t0);
        assert_eq!(s.next_fetch(), None);
        s.set_paused(false);
        assert_eq!(s.next_fetch(), Some(t0 + MIN));
    }

    #[test]
    fn a_fleet_fills_fast_then_spreads_over_the_period() {
        let slots: Vec<Slot> = (0..100).map(|i| slot(i, 100, MIN)).collect();
        assert_eq!(
            slots[0],
            Slot {
                first: Duration::ZERO,
                phase: Duration::ZERO
            }
        );
        assert_eq!(slots[99].first, FILL_GAP * 99, "the table fills in 5 s");
        for (i, s) in slots.iter().enumerate() {
            let at = s.first + s.phase;
            assert_eq!(
                at,
                MIN / 100 * u32::try_from(i).unwrap(),
                "even over the period"
            );
        }
        // Few accounts on a short period: spread over the period from the
        // start.
        let two = slot(1, 2, Duration::from_secs(1) / 20);
        assert_eq!(two.first, Duration::from_millis(25));
        assert_eq!(two.phase, Duration::ZERO);
    }

    #[test]
    fn the_phase_is_added_once() {
        let t0 = Instant::now();
        let mut s = schedule(t0).with_phase(Duration::from_secs(7));
        s.started(t0);
        s.succeeded(t0);
        assert_eq!(s.next_fetch(), Some(t0 + MIN + Duration::from_secs(7)));
        s.started(t0 + MIN);
        s.succeeded(t0 + MIN);
        assert_eq!(s.next_fetch(), Some(t0 + MIN * 2));
    }

    #[test]
    fn a_new_period_moves_the_next_poll() {
        let t0 = Instant::now();
        let mut s = schedule(t0);
        s.started(t0);
        s.succeeded(t0);
        s.set_period(Duration::from_secs(5), t0);
        assert_eq!(s.next_fetch(), Some(t0 + Duration::from_secs(5)));
    }
}
