//! How many requests ended in each kind of answer: what the exporter's
//! `plivo_api_requests_total` counts, kept by the client that made them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Answer {
    /// The server answered with this status.
    Status(u16),
    /// No answer came: refused, unreachable, or out of time before the
    /// status line.
    None,
}

impl fmt::Display for Answer {
    /// The status code, or `none`: the `code` label's value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Status(code) => write!(f, "{code}"),
            Answer::None => f.write_str("none"),
        }
    }
}

/// Counts of requests by how they ended. Cheap to clone; clones count
/// together, so the client counts and the exporter reads the same numbers.
#[derive(Debug, Clone, Default)]
pub struct Tally(Arc<Mutex<BTreeMap<Answer, u64>>>);

impl Tally {
    /// One more request that ended in `answer`.
    pub fn count(&self, answer: Answer) {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry(answer).or_default() += 1;
    }

    /// Every kind of answer seen, with its count, statuses in order.
    pub fn counts(&self) -> Vec<(Answer, u64)> {
        let counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        counts.iter().map(|(a, n)| (*a, *n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_count_together_and_read_in_order() {
        let tally = Tally::default();
        let client_side = tally.clone();
        client_side.count(Answer::Status(503));
        client_side.count(Answer::Status(200));
        client_side.count(Answer::None);
        client_side.count(Answer::Status(200));
        assert_eq!(
            tally.counts(),
            vec![
                (Answer::Status(200), 2),
                (Answer::Status(503), 1),
                (Answer::None, 1)
            ]
        );
        assert_eq!(Answer::None.to_string(), "none");
        assert_eq!(Answer::Status(429).to_string(), "429");
    }
}
