//! One account's balances and what they say, kept the same way by the
//! dashboard and the exporter: the history, the newest balance seen, and
//! the burn rate and runway worked out when either changes.

use std::time::Duration;

use jiff::SignedDuration;
use rust_decimal::Decimal;

use super::{Estimate, Sample, Series, estimate};

/// The history of one account and its estimate. Pure: no clock, no I/O.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracker {
    history: Series,
    latest: Option<Sample>,
    estimate: Estimate,
}

impl Tracker {
    /// Nothing seen yet, keeping `retention` of history.
    pub fn new(retention: SignedDuration) -> Self {
        Self {
            history: Series::new(retention),
            latest: None,
            estimate: Estimate::NotEnoughData {
                have: SignedDuration::ZERO,
                need: SignedDuration::ZERO,
            },
        }
    }

    /// The balances kept.
    pub fn history(&self) -> &Series {
        &self.history
    }

    /// The newest balance seen, stored or not.
    pub fn latest(&self) -> Option<Sample> {
        self.latest
    }

    /// Burn rate and runway as last worked out.
    pub fn estimate(&self) -> &Estimate {
        &self.estimate
    }

    /// A balance fetched. True when the history stored it, so the history
    /// file should have it too. Call [`Tracker::reestimate`] after.
    pub fn seen(&mut self, sample: Sample) -> bool {
        if self.latest.is_none_or(|l| l.at <= sample.at) {
            self.latest = Some(sample);
        }
        self.history.record(sample)
    }

    /// The history file's samples, merged under those seen since the start.
    /// Call [`Tracker::reestimate`] after.
    pub(crate) fn restore(&mut self, stored: Vec<Sample>) {
        let mut all = stored;
        all.extend(self.history.samples().iter().copied());
        self.history = Series::from_samples(all, self.history.retention());
    }

    /// Works the estimate out again, up to the latest balance seen, for an
    /// account polled every `period`. It wants at least two periods (and
    /// 10 s) of data before it says anything: fewer cannot tell spending
    /// from a single call.
    pub(crate) fn reestimate(&mut self, period: Duration, alert: Option<Decimal>) {
        let min_span = SignedDuration::try_from(period.saturating_mul(2))
            .unwrap_or(SignedDuration::MAX)
            .max(SignedDuration::from_secs(10));
        self.estimate = estimate(&self.history, self.latest, min_span, alert);
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::monitor::RETENTION;
    use crate::monitor::testing::t;

    fn sample(secs: i64, credits: Decimal) -> Sample {
        Sample {
            at: t(secs),
            credits,
        }
    }

    #[test]
    fn a_burn_needs_two_periods_then_follows_the_newest_balance() {
        let mut tracker = Tracker::new(RETENTION);
        let period = Duration::from_secs(60);
        assert!(tracker.seen(sample(0, dec!(10))));
        tracker.reestimate(period, None);
        assert!(matches!(tracker.estimate(), Estimate::NotEnoughData { .. }));
        assert!(tracker.seen(sample(60, dec!(9))));
        tracker.reestimate(period, None);
        assert!(matches!(tracker.estimate(), Estimate::NotEnoughData { .. }));
        assert!(tracker.seen(sample(120, dec!(8))));
        tracker.reestimate(period, Some(dec!(2)));
        let Estimate::Burning {
            per_hour,
            to_zero,
            to_alert,
            ..
        } = tracker.estimate()
        else {
            panic!("burning: {:?}", tracker.estimate());
        };
        assert_eq!(*per_hour, dec!(60));
        assert_eq!(*to_zero, SignedDuration::from_mins(8));
        assert_eq!(*to_alert, Some(SignedDuration::from_mins(6)));
    }

    #[test]
    fn restored_history_goes_under_what_was_seen_and_keeps_the_latest() {
        let mut tracker = Tracker::new(RETENTION);
        tracker.seen(sample(600, dec!(5)));
        tracker.restore(vec![sample(0, dec!(7)), sample(300, dec!(6))]);
        assert_eq!(tracker.history().samples().len(), 3);
        assert_eq!(tracker.latest(), Some(sample(600, dec!(5))));
        tracker.reestimate(Duration::from_secs(60), None);
        assert!(matches!(tracker.estimate(), Estimate::Burning { .. }));
    }

    #[test]
    fn an_unchanged_balance_is_latest_without_being_stored() {
        let mut tracker = Tracker::new(RETENTION);
        assert!(tracker.seen(sample(0, dec!(5))));
        assert!(!tracker.seen(sample(60, dec!(5))));
        assert_eq!(tracker.latest(), Some(sample(60, dec!(5))));
    }
}
