//! The balances seen, in memory: a bounded, time-ordered series with its
//! top-ups. Pure: no clock, no I/O.

use std::collections::VecDeque;

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

/// How long samples are kept unless the config file says otherwise.
pub const RETENTION: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The most samples kept, whatever the retention: the history's memory is
/// bounded even at a 1-second poll.
pub const MAX_SAMPLES: usize = 20_000;
/// An unchanged balance is stored again only this often, so a quiet account
/// costs a handful of samples an hour, not one per poll.
pub const HEARTBEAT: SignedDuration = SignedDuration::from_mins(5);

/// Whether a balance going from `before` to `after` is a top-up: money came
/// in, at least a cent and at least 1% of the balance before. A smaller rise
/// (a refunded call, the server rounding) is not marked as one.
pub fn is_top_up(before: Decimal, after: Decimal) -> bool {
    let rise = after - before;
    rise >= Decimal::new(1, 2) && rise >= before.abs() / Decimal::from(100)
}

/// One observed balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// When it was fetched.
    pub at: Timestamp,
    /// The balance in USD.
    pub credits: Decimal,
}

/// Samples in time order, bounded by age and count.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    samples: VecDeque<Sample>,
    retention: SignedDuration,
    /// Each rise in the balance (when, by how much), kept as samples arrive
    /// so drawing a frame never rescans the history for them.
    top_ups: VecDeque<(Timestamp, Decimal)>,
}

impl Default for Series {
    /// An empty history keeping [`RETENTION`].
    fn default() -> Self {
        Self::new(RETENTION)
    }
}

impl Series {
    /// An empty history keeping samples for `retention`.
    pub fn new(retention: SignedDuration) -> Self {
        Self {
            samples: VecDeque::new(),
            retention,
            top_ups: VecDeque::new(),
        }
    }

    /// A history of `samples` in any order, keeping `retention`: sorted,
    /// duplicates dropped, and trimmed to the window ending at the newest.
    /// The retention is applied once, here: trimming to a default first
    /// would lose samples a longer configured window keeps.
    pub(crate) fn from_samples(
        samples: impl IntoIterator<Item = Sample>,
        retention: SignedDuration,
    ) -> Self {
        let mut all: Vec<Sample> = samples.into_iter().collect();
        all.sort_by_key(|s| s.at);
        all.dedup_by_key(|s| s.at);
        let top_ups = all
            .windows(2)
            .filter(|w| is_top_up(w[0].credits, w[1].credits))
            .map(|w| (w[1].at, w[1].credits - w[0].credits))
            .collect();
        let mut history = Self {
            samples: all.into(),
            retention,
            top_ups,
        };
        history.trim();
        history
    }

    /// Takes in a new sample; true when it was stored (and so should be
    /// persisted). Older-than-newest samples are ignored, and an unchanged
    /// balance is stored only once per [`HEARTBEAT`].
    pub fn record(&mut self, sample: Sample) -> bool {
        if let Some(last) = self.samples.back() {
            if sample.at <= last.at {
                return false;
            }
            if sample.credits == last.credits && sample.at.duration_since(last.at) < HEARTBEAT {
                return false;
            }
            if is_top_up(last.credits, sample.credits) {
                self.top_ups
                    .push_back((sample.at, sample.credits - last.credits));
            }
        }
        self.samples.push_back(sample);
        self.trim();
        true
    }

    fn trim(&mut self) {
        let Some(newest) = self.samples.back().map(|s| s.at) else {
            return;
        };
        while self
            .samples
            .front()
            .is_some_and(|s| newest.duration_since(s.at) > self.retention)
        {
            self.samples.pop_front();
        }
        while self.samples.len() > MAX_SAMPLES {
            self.samples.pop_front();
        }
        if let Some(first) = self.samples.front().map(|s| s.at) {
            while self.top_ups.front().is_some_and(|(at, _)| *at <= first) {
                self.top_ups.pop_front();
            }
        }
    }

    /// How long samples are kept.
    pub fn retention(&self) -> SignedDuration {
        self.retention
    }

    /// The samples, oldest first.
    pub fn samples(&self) -> &VecDeque<Sample> {
        &self.samples
    }

    /// The samples at or after `since`.
    pub fn since(&self, since: Timestamp) -> impl Iterator<Item = &Sample> + Clone {
        let start = self.samples.partition_point(|s| s.at < since);
        self.samples.range(start..)
    }

    /// Each rise in the balance: (when, by how much). Money coming in is a
    /// top-up, never negative spending.
    pub(crate) fn top_ups(&self, since: Timestamp) -> Vec<(Timestamp, Decimal)> {
        self.top_ups
            .iter()
            .filter(|(at, _)| *at > since)
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_up_is_a_rise_of_a_cent_and_a_hundredth_of_the_balance() {
        use rust_decimal::dec;
        assert!(is_top_up(dec!(1.809), dec!(61.809)));
        assert!(is_top_up(dec!(-5), dec!(0.01)), "out of overdraft");
        assert!(!is_top_up(dec!(1.809), dec!(1.81899)), "a refunded call");
        assert!(!is_top_up(dec!(1.809), dec!(1.80901)), "rounding");
        assert!(!is_top_up(dec!(10000), dec!(10050)), "0.5% of the balance");
        assert!(is_top_up(dec!(10000), dec!(10100)));
        assert!(!is_top_up(dec!(5), dec!(4)));
    }
    use crate::monitor::testing::{series, t};
    use rust_decimal::dec;

    #[test]
    fn unchanged_balances_are_stored_once_per_heartbeat() {
        let mut h = Series::default();
        let stored: Vec<bool> = [0, 60, 120, 301, 302]
            .iter()
            .map(|s| {
                h.record(Sample {
                    at: t(*s),
                    credits: dec!(1),
                })
            })
            .collect();
        assert_eq!(stored, [true, false, false, true, false]);
        assert!(!h.record(Sample {
            at: t(10),
            credits: dec!(2)
        }));
    }

    #[test]
    fn history_is_bounded_by_age_and_count() {
        let mut h = Series::default();
        for i in 0..(i64::try_from(MAX_SAMPLES).unwrap() + 500) {
            h.record(Sample {
                at: t(i),
                credits: Decimal::from(i),
            });
        }
        assert_eq!(h.samples().len(), MAX_SAMPLES);
        let mut h = series(&[(0, dec!(1)), (3600, dec!(2))]);
        h.record(Sample {
            at: t(8 * 86_400),
            credits: dec!(3),
        });
        assert_eq!(h.samples().len(), 1, "older than 7 days is dropped");
    }

    #[test]
    fn a_shorter_retention_keeps_less() {
        let mut h = Series::from_samples(
            series(&[(0, dec!(3)), (3600, dec!(2)), (7200, dec!(1))])
                .samples()
                .iter()
                .copied(),
            SignedDuration::from_mins(90),
        );
        assert_eq!(h.samples().len(), 2);
        h.record(Sample {
            at: t(9100),
            credits: dec!(0.5),
        });
        assert_eq!(
            h.samples().len(),
            2,
            "the retention holds for new samples too"
        );
        assert_eq!(h.samples()[0].at, t(7200));
    }

    #[test]
    fn a_long_retention_keeps_everything_inside_it() {
        let days = |d: i64| Sample {
            at: t(d * 86_400),
            credits: Decimal::from(30 - d),
        };
        let h = Series::from_samples(
            [days(0), days(5), days(10), days(20)],
            SignedDuration::from_hours(30 * 24),
        );
        assert_eq!(h.samples().len(), 4, "nothing inside 30 days is dropped");
    }
}
