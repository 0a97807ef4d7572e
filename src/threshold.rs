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

/// A warning and a critical threshold in USD, critical ≤ warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    warning: Decimal,
    critical: Decimal,
}

impl Thresholds {
    /// Both thresholds; refuses a critical threshold above the warning one,
    /// which would make WARNING unreachable.
    pub fn new(warning: Decimal, critical: Decimal) -> Result<Self, String> {
        if critical > warning {
            return Err(format!(
                "--critical ({critical}) must not be above --warning ({warning})"
            ));
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
}
