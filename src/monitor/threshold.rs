//! Balance thresholds: the one rule `check` and the dashboard share.

use rust_decimal::Decimal;

/// How a balance stands against the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// At or above the warning threshold.
    Ok,
    /// Below the warning threshold.
    Warning,
    /// Below the critical threshold.
    Critical,
}

/// A critical threshold above the warning one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("--critical ({critical}) must not be above --warning ({warning})")]
pub(crate) struct Inverted {
    /// `--warning`.
    pub warning: Decimal,
    /// `--critical`.
    pub critical: Decimal,
}

/// A warning and a critical threshold in USD, critical ≤ warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Thresholds {
    warning: Decimal,
    critical: Decimal,
}

impl Thresholds {
    /// Both thresholds; refuses a critical threshold above the warning one,
    /// which would make WARNING unreachable.
    pub fn new(warning: Decimal, critical: Decimal) -> Result<Self, Inverted> {
        if critical > warning {
            return Err(Inverted { warning, critical });
        }
        Ok(Self { warning, critical })
    }

    /// The warning threshold.
    pub fn warning(&self) -> Decimal {
        self.warning
    }

    /// The critical threshold.
    pub fn critical(&self) -> Decimal {
        self.critical
    }

    /// Where `credits` stands: a balance *below* a threshold crosses it.
    pub fn level(&self, credits: Decimal) -> Level {
        if credits < self.critical {
            Level::Critical
        } else if credits < self.warning {
            Level::Warning
        } else {
            Level::Ok
        }
    }
}

/// A crossing of the alert threshold, each said once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// The balance fell below the threshold.
    Below,
    /// It is clear of the threshold again (past the hysteresis margin).
    Recovered,
}

impl Crossing {
    /// The word `on_alert` commands get in `PLIVO_DASH_EVENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Crossing::Below => "below",
            Crossing::Recovered => "recovered",
        }
    }
}

/// The dashboard's alert: one threshold, a softer warning zone above it, and
/// hysteresis so a balance hovering around the line rings once, not every
/// poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alarm {
    thresholds: Thresholds,
    rearm_at: Decimal,
    armed: bool,
}

impl Alarm {
    /// An alarm for balances below `alert_below` USD. The warning zone
    /// reaches 25% above it; the alarm re-arms only once the balance is 5%
    /// (at least one cent) clear of it again.
    pub fn new(alert_below: Decimal) -> Self {
        let warning = alert_below * Decimal::new(125, 2);
        let margin = (alert_below * Decimal::new(5, 2)).max(Decimal::new(1, 2));
        Self {
            thresholds: Thresholds {
                warning,
                critical: alert_below,
            },
            rearm_at: alert_below + margin,
            armed: true,
        }
    }

    /// The threshold.
    pub fn alert_below(&self) -> Decimal {
        self.thresholds.critical
    }

    /// Where `credits` stands, by the same rule as `check`.
    pub fn level(&self, credits: Decimal) -> Level {
        self.thresholds.level(credits)
    }

    /// Takes in a new balance; says when it has just crossed below the
    /// threshold while armed (when to ring), or has just come clear of it
    /// after such a crossing.
    pub(crate) fn observe(&mut self, credits: Decimal) -> Option<Crossing> {
        if self.armed && self.level(credits) == Level::Critical {
            self.armed = false;
            return Some(Crossing::Below);
        }
        if !self.armed && credits >= self.rearm_at {
            self.armed = true;
            return Some(Crossing::Recovered);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn below_means_strictly_below() {
        let t = Thresholds::new(dec!(5), dec!(2)).unwrap();
        assert_eq!(t.level(dec!(5.00)), Level::Ok);
        assert_eq!(t.level(dec!(4.99999)), Level::Warning);
        assert_eq!(t.level(dec!(2)), Level::Warning);
        assert_eq!(t.level(dec!(1.80900)), Level::Critical);
        assert_eq!(t.level(dec!(-3)), Level::Critical);
    }

    #[test]
    fn critical_above_warning_is_refused() {
        assert!(Thresholds::new(dec!(2), dec!(5)).is_err());
        assert!(Thresholds::new(dec!(2), dec!(2)).is_ok());
    }

    #[test]
    fn the_alarm_rings_once_per_real_crossing() {
        let mut alarm = Alarm::new(dec!(2));
        let rings: Vec<Option<Crossing>> = [
            dec!(3),
            dec!(2.4),  // approaching: no ring
            dec!(1.99), // crossing: ring
            dec!(2.01),
            dec!(1.98),
            dec!(2.05),
            dec!(1.97), // hovering: silent
            dec!(2.5),  // clearly above: re-armed
            dec!(1.5),  // second real crossing: ring
            dec!(1.4),
        ]
        .into_iter()
        .map(|c| alarm.observe(c))
        .collect();
        let (below, back) = (Some(Crossing::Below), Some(Crossing::Recovered));
        assert_eq!(
            rings,
            [None, None, below, None, None, None, None, back, below, None]
        );
        assert_eq!(alarm.level(dec!(2.4)), Level::Warning, "approaching");
        assert_eq!(alarm.level(dec!(2.6)), Level::Ok);
        assert_eq!(alarm.level(dec!(1.99)), Level::Critical);
    }

    #[test]
    fn starting_below_the_line_rings_once() {
        let mut alarm = Alarm::new(dec!(5));
        assert_eq!(alarm.observe(dec!(1.809)), Some(Crossing::Below));
        assert_eq!(alarm.observe(dec!(1.8)), None);
    }
}
