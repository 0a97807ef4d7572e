//! `check`: the balance against two thresholds, answered as a monitoring
//! plugin (Nagios, Icinga) must: one line and an exit code.

use rust_decimal::Decimal;

use super::Failure;
use crate::monitor::threshold::{Level, Thresholds};
use crate::plivo::Client;

/// A monitoring plugin's states, with their exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: the balance is fine.
    Ok,
    /// 1: below the warning threshold.
    Warning,
    /// 2: below the critical threshold.
    Critical,
    /// 3: the balance could not be known.
    Unknown,
}

impl Status {
    /// The exit code monitoring systems read.
    pub fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Critical => 2,
            Status::Unknown => 3,
        }
    }

    pub(super) fn word(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }
}

/// What a monitoring system reads: an exit code and one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    /// The state, whose code is the exit code.
    pub status: Status,
    /// `PLIVO CREDITS <STATE> - <text> | credits=<amount>;W:;C:`
    pub line: String,
}

/// `check`: the balance against the thresholds, as a monitoring plugin.
/// Any failure, including not being able to connect, is UNKNOWN.
pub async fn check(
    client: Result<Client, Failure>,
    warning: Decimal,
    critical: Decimal,
) -> CheckOutcome {
    let thresholds = match Thresholds::new(warning, critical) {
        Ok(t) => t,
        Err(e) => return unknown(&e.to_string()),
    };
    let account = match client {
        Ok(client) => client.get_account().await,
        Err(e) => return unknown(&e.to_string()),
    };
    match account {
        Ok(account) => {
            let credits = account.cash_credits;
            let (status, text) = match thresholds.level(credits) {
                Level::Ok => (Status::Ok, format!("{credits} USD")),
                Level::Warning => (
                    Status::Warning,
                    format!("{credits} USD is below {} USD", thresholds.warning()),
                ),
                Level::Critical => (
                    Status::Critical,
                    format!("{credits} USD is below {} USD", thresholds.critical()),
                ),
            };
            // In the monitoring-plugins range syntax a bare "5" alerts
            // above 5; "5:" alerts below it, which is what is checked.
            CheckOutcome {
                status,
                line: format!(
                    "PLIVO CREDITS {} - {text} | credits={};{}:;{}:",
                    status.word(),
                    credits.normalize(),
                    thresholds.warning().normalize(),
                    thresholds.critical().normalize()
                ),
            }
        }
        Err(e) => unknown(&e.to_string()),
    }
}

/// UNKNOWN, with why, on the one line a monitoring system reads.
pub fn unknown(reason: &str) -> CheckOutcome {
    CheckOutcome {
        status: Status::Unknown,
        line: format!("PLIVO CREDITS UNKNOWN - {reason}"),
    }
}
