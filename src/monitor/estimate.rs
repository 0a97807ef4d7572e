//! What the balances say: the burn rate and runway, and how durations read.
//! Pure: no clock, no I/O.

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use super::{Sample, Series};

/// The stretch of history the burn rate is measured over.
pub const WINDOW: SignedDuration = SignedDuration::from_hours(24);

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
/// holding until the next stored sample. Needs history spanning
/// `min_span`: two balances that far apart say honestly what was spent.
pub fn estimate(
    history: &Series,
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
    use crate::monitor::RETENTION;
    use crate::monitor::testing::{series, t};
    use rust_decimal::dec;

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
        let reloaded = Series::from_samples(h.samples().iter().copied(), RETENTION);
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
            estimate(&Series::default(), None, MIN, None),
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
