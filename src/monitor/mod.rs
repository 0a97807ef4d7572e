//! The credit monitor: the balances seen ([`Series`]) and what they say
//! ([`estimate`]), kept on disk ([`file`]), judged against a threshold
//! ([`threshold`]), tracked per account ([`Tracker`]), and polled on a timetable ([`schedule`]).

pub mod chart;
mod estimate;
pub mod file;
pub mod schedule;
mod series;
pub mod threshold;
mod tracker;

pub use estimate::{Estimate, WINDOW, ago, estimate, human};
pub use series::{HEARTBEAT, MAX_SAMPLES, RETENTION, Sample, Series, is_top_up};
pub use tracker::Tracker;

/// What the monitor's unit tests share.
#[cfg(test)]
mod testing {
    use jiff::Timestamp;
    use rust_decimal::Decimal;

    use super::{Sample, Series};

    /// A fixed time, `secs` after it.
    pub fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + secs).unwrap()
    }

    /// A series of balances at those seconds.
    pub fn series(points: &[(i64, Decimal)]) -> Series {
        let mut h = Series::default();
        for (secs, credits) in points {
            h.record(Sample {
                at: t(*secs),
                credits: *credits,
            });
        }
        h
    }
}
