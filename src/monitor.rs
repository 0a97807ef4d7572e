//! The credit monitor's arithmetic: a bounded history of balances, the burn
//! rate and runway it implies, and top-up detection. Pure: no clock, no I/O.

use std::collections::VecDeque;

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

/// How long samples are kept unless the config file says otherwise.
pub const RETENTION: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The most samples kept, whatever the retention: the history's memory is
/// bounded even at a 1-second poll.
pub const MAX_SAMPLES: usize = 20_000;
/// An unchanged balance is stored again only this often, so a quiet account
/// costs a handful of samples an hour, not one per poll.
pub const HEARTBEAT: SignedDuration = SignedDuration::from_mins(5);
/// The stretch of history the burn rate is measured over.
pub const WINDOW: SignedDuration = SignedDuration::from_hours(24);

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
pub struct History {
    samples: VecDeque<Sample>,
    retention: SignedDuration,
    /// Each rise in the balance (when, by how much), kept as samples arrive
    /// so drawing a frame never rescans the history for them.
    top_ups: VecDeque<(Timestamp, Decimal)>,
}

impl Default for History {
    /// An empty history keeping [`RETENTION`].
    fn default() -> Self {
        Self::new(RETENTION)
    }
}

impl History {
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
    pub fn from_samples(
        samples: impl IntoIterator<Item = Sample>,
        retention: SignedDuration,
    ) -> Self {
        let mut all: Vec<Sample> = samples.into_iter().collect();
        all.sort_by_key(|s| s.at);
        all.dedup_by_key(|s| s.at);
        let top_ups = all
            .windows(2)
            .filter(|w| w[1].credits > w[0].credits)
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
            if sample.credits > last.credits {
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
    pub fn top_ups(&self, since: Timestamp) -> Vec<(Timestamp, Decimal)> {
        self.top_ups
            .iter()
            .filter(|(at, _)| *at > since)
            .copied()
            .collect()
    }

    /// The balance over `[from, to]` in `n` equal buckets: the last sample
    /// in each, or the one before it carried forward; `None` before the
    /// first sample.
    pub fn buckets(&self, from: Timestamp, to: Timestamp, n: usize) -> Vec<Option<Decimal>> {
        if n == 0 || to <= from {
            return Vec::new();
        }
        let span = to.duration_since(from).as_secs_f64();
        let mut out = vec![None; n];
        let mut carried = self
            .samples
            .iter()
            .take_while(|s| s.at < from)
            .last()
            .map(|s| s.credits);
        let mut samples = self.since(from).peekable();
        for (i, slot) in out.iter_mut().enumerate() {
            let end = from + SignedDuration::from_secs_f64(span * (i + 1) as f64 / n as f64);
            while let Some(s) = samples.next_if(|s| s.at <= end) {
                carried = Some(s.credits);
            }
            *slot = carried;
        }
        out
    }
}

fn pairs<'a>(
    samples: impl Iterator<Item = &'a Sample> + Clone,
) -> impl Iterator<Item = (&'a Sample, &'a Sample)> {
    samples.clone().zip(samples.skip(1))
}

/// What the history says about where the balance is heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Estimate {
    /// Too little history to say anything honest.
    NotEnoughData {
        /// How much history there is.
        have: SignedDuration,
        /// How much is needed.
        need: SignedDuration,
    },
    /// Nothing was spent over this stretch (the whole window, or all the
    /// history there is).
    Steady {
        /// How long the balance has not gone down.
        over: SignedDuration,
    },
    /// Spending at this rate.
    Burning {
        /// USD per hour.
        per_hour: Decimal,
        /// USD per day.
        per_day: Decimal,
        /// Until the balance reaches zero at this rate.
        to_zero: SignedDuration,
        /// Until it falls below the alert threshold, if one is set and not
        /// yet crossed.
        to_alert: Option<SignedDuration>,
    },
}

/// Burn rate and runway from the last [`WINDOW`] of history, ending at
/// `latest`: the newest balance seen, which may be newer than the newest
/// stored sample (an unchanged balance is stored once per [`HEARTBEAT`]).
/// Ending there means the rate falls as soon as spending stops, instead of
/// holding until the next stored sample. Needs history spanning `min_span`
/// and at least three samples, or two when nothing was spent.
pub fn estimate(
    history: &History,
    latest: Option<Sample>,
    min_span: SignedDuration,
    alert: Option<Decimal>,
) -> Estimate {
    let newest = match (history.samples().back().copied(), latest) {
        (Some(stored), Some(seen)) => {
            if seen.at > stored.at {
                seen
            } else {
                stored
            }
        }
        (stored, seen) => match stored.or(seen) {
            Some(s) => s,
            None => {
                return Estimate::NotEnoughData {
                    have: SignedDuration::ZERO,
                    need: min_span,
                };
            }
        },
    };
    let mut window: Vec<Sample> = history.since(newest.at - WINDOW).copied().collect();
    if window.last().is_none_or(|s| s.at < newest.at) {
        window.push(newest);
    }
    let have = newest.at.duration_since(window[0].at);
    if have < min_span || window.len() < 2 {
        return Estimate::NotEnoughData {
            have,
            need: min_span,
        };
    }
    let spent: Decimal = pairs(window.iter())
        .map(|(a, b)| (a.credits - b.credits).max(Decimal::ZERO))
        .sum();
    if spent.is_zero() {
        return Estimate::Steady { over: have };
    }
    if window.len() < 3 {
        return Estimate::NotEnoughData {
            have,
            need: min_span,
        };
    }
    // Rates and runways from the totals directly, so no rounded per-second
    // rate compounds its error over days.
    let span = Decimal::from(have.as_secs().max(1));
    let runway = |amount: Decimal| {
        let secs = (amount * span / spent).max(Decimal::ZERO);
        SignedDuration::from_secs(secs.to_i64().unwrap_or(i64::MAX / 2))
    };
    Estimate::Burning {
        per_hour: readable(spent * Decimal::from(3600) / span),
        per_day: readable(spent * Decimal::from(86_400) / span),
        to_zero: runway(newest.credits),
        to_alert: alert
            .filter(|a| *a < newest.credits)
            .map(|a| runway(newest.credits - a)),
    }
}

/// A rate rounded to what a person reads: whole dollars from 100 up, cents
/// from 1 up, four places below that.
fn readable(rate: Decimal) -> Decimal {
    let places = if rate >= Decimal::ONE_HUNDRED {
        0
    } else if rate >= Decimal::ONE {
        2
    } else {
        4
    };
    rate.round_dp(places).normalize()
}

/// How long ago `then` was, as the panel says it: "just now", "12 s ago",
/// "5 min ago", "3 h ago", "2 d ago".
pub fn ago(now: Timestamp, then: Timestamp) -> String {
    let secs = now.duration_since(then).as_secs().max(0);
    match secs {
        0..=1 => "just now".to_owned(),
        2..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// "3 d 4 h", "5 h 12 min", "7 min", "under 1 min": two units at most.
pub fn human(d: SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (days, hours, mins) {
        (d, _, _) if d >= 365 => "over a year".to_owned(),
        (0, 0, 0) => "under 1 min".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + secs).unwrap()
    }

    fn series(points: &[(i64, Decimal)]) -> History {
        let mut h = History::default();
        for (secs, credits) in points {
            h.record(Sample {
                at: t(*secs),
                credits: *credits,
            });
        }
        h
    }

    const MIN: SignedDuration = SignedDuration::from_mins(2);

    #[test]
    fn a_steady_drain_gives_its_rate_and_runway() {
        // 0.06 USD spent every minute for 10 minutes: 3.6 USD/h.
        let points: Vec<_> = (0..=10)
            .map(|m| (m * 60, dec!(10) - dec!(0.06) * Decimal::from(m)))
            .collect();
        let h = series(&points);
        let Estimate::Burning {
            per_hour,
            per_day,
            to_zero,
            to_alert,
        } = estimate(&h, None, MIN, Some(dec!(4.6)))
        else {
            panic!("expected a burn rate");
        };
        assert_eq!(per_hour, dec!(3.6));
        assert_eq!(per_day, dec!(86.4));
        assert_eq!(readable(dec!(432.4117)), dec!(432));
        assert_eq!(readable(dec!(18.01712)), dec!(18.02));
        assert_eq!(readable(dec!(0.0123456)), dec!(0.0123));
        // 9.4 USD left at 0.001 USD/s.
        assert_eq!(to_zero, SignedDuration::from_secs(9400));
        assert_eq!(to_alert, Some(SignedDuration::from_secs(4800)));
        assert_eq!(human(to_zero), "2 h 36 min");
    }

    #[test]
    fn top_ups_are_not_negative_spending() {
        let h = series(&[
            (0, dec!(5)),
            (60, dec!(4)),
            (120, dec!(14)), // +10 top-up
            (180, dec!(13)),
        ]);
        assert_eq!(h.top_ups(t(0)), vec![(t(120), dec!(10))]);
        let reloaded = History::from_samples(h.samples().iter().copied(), RETENTION);
        assert_eq!(
            reloaded.top_ups(t(0)),
            h.top_ups(t(0)),
            "found again on load"
        );
        assert!(h.top_ups(t(120)).is_empty(), "since is exclusive");
        let Estimate::Burning { per_hour, .. } = estimate(&h, None, MIN, None) else {
            panic!("expected a burn rate");
        };
        // 2 USD spent over 3 minutes, the top-up ignored.
        assert_eq!(per_hour, dec!(40));
    }

    #[test]
    fn too_little_history_says_so() {
        let h = series(&[(0, dec!(5)), (30, dec!(4.9))]);
        assert_eq!(
            estimate(&h, None, MIN, None),
            Estimate::NotEnoughData {
                have: SignedDuration::from_secs(30),
                need: MIN
            }
        );
        let h = series(&[(0, dec!(5)), (30, dec!(4.9)), (60, dec!(4.8))]);
        assert!(matches!(
            estimate(&h, None, MIN, None),
            Estimate::NotEnoughData { .. }
        ));
        assert!(matches!(
            estimate(&History::default(), None, MIN, None),
            Estimate::NotEnoughData { .. }
        ));
    }

    #[test]
    fn no_spending_is_steady() {
        let h = series(&[(0, dec!(5)), (400, dec!(5)), (800, dec!(5))]);
        assert_eq!(
            estimate(&h, None, MIN, None),
            Estimate::Steady {
                over: SignedDuration::from_secs(800)
            }
        );
    }

    #[test]
    fn unchanged_balances_are_stored_once_per_heartbeat() {
        let mut h = History::default();
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
        let mut h = History::default();
        for i in 0..(MAX_SAMPLES as i64 + 500) {
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
        let mut h = History::from_samples(
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
    fn buckets_carry_the_last_value_forward() {
        let h = series(&[(0, dec!(3)), (50, dec!(2)), (90, dec!(1))]);
        let b = h.buckets(t(0), t(100), 4);
        assert_eq!(
            b,
            [Some(dec!(3)), Some(dec!(2)), Some(dec!(2)), Some(dec!(1))]
        );
        let b = h.buckets(t(-100), t(100), 4);
        assert_eq!(b[0], None, "before the first sample");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(human(SignedDuration::from_secs(30)), "under 1 min");
        assert_eq!(human(SignedDuration::from_secs(7 * 60)), "7 min");
        assert_eq!(
            human(SignedDuration::from_secs(3 * 86_400 + 4 * 3600 + 5)),
            "3 d 4 h"
        );
        assert_eq!(human(SignedDuration::from_hours(5)), "5 h");
        assert_eq!(human(SignedDuration::from_hours(24 * 400)), "over a year");
    }

    #[test]
    fn a_long_retention_keeps_everything_inside_it() {
        let days = |d: i64| Sample {
            at: t(d * 86_400),
            credits: Decimal::from(30 - d),
        };
        let h = History::from_samples(
            [days(0), days(5), days(10), days(20)],
            SignedDuration::from_hours(30 * 24),
        );
        assert_eq!(h.samples().len(), 4, "nothing inside 30 days is dropped");
    }

    #[test]
    fn the_rate_falls_as_soon_as_spending_stops() {
        // 5 USD a minute for ten minutes, down to zero; then nothing.
        let points: Vec<_> = (0..=10)
            .map(|m| (m * 60, dec!(50) - dec!(5) * Decimal::from(m)))
            .collect();
        let h = series(&points);
        let rate = |latest_secs: i64| match estimate(
            &h,
            Some(Sample {
                at: t(latest_secs),
                credits: dec!(0),
            }),
            MIN,
            None,
        ) {
            Estimate::Burning { per_hour, .. } => per_hour,
            other => panic!("expected a burn rate, got {other:?}"),
        };
        assert_eq!(rate(600), dec!(300));
        assert_eq!(
            rate(660),
            dec!(272.73).round(),
            "a minute later it has fallen"
        );
        assert!(rate(1200) < rate(660));
    }

    #[test]
    fn a_steady_balance_with_few_stored_samples_is_steady_not_measuring() {
        // Unchanged, so stored at 0 and 5 min only; seen again at 8 min.
        let h = series(&[(0, dec!(5)), (300, dec!(5))]);
        let seen = Sample {
            at: t(480),
            credits: dec!(5),
        };
        assert_eq!(
            estimate(&h, Some(seen), SignedDuration::from_secs(10), None),
            Estimate::Steady {
                over: SignedDuration::from_mins(8)
            }
        );
    }
}
