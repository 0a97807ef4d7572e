//! The credit monitor: the balances seen ([`Series`]) and what they say
//! ([`estimate`]), kept on disk ([`file`]), judged against a threshold
//! ([`threshold`]), and polled on a timetable ([`schedule`]).

mod estimate;
pub mod file;
pub mod schedule;
mod series;
pub mod threshold;

pub use estimate::{Estimate, WINDOW, ago, estimate, human};
pub use series::{HEARTBEAT, MAX_SAMPLES, RETENTION, Sample, Series};
