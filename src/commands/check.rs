use rust_decimal::Decimal;

use super::Failure;
use crate::plivo::Client;
use crate::threshold::{Level, Thresholds};

/// What a monitoring system reads: an exit code and one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    /// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    pub code: u8,
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
        Err(e) => return unknown(&e),
    };
    let account = match client {
        Ok(client) => client.get_account().await,
        Err(e) => return unknown(&e.to_string()),
    };
    match account {
        Ok(account) => {
            let credits = account.cash_credits;
            let (code, state, text) = match thresholds.level(credits) {
                Level::Ok => (0, "OK", format!("{credits} USD")),
                Level::Warning => (
                    1,
                    "WARNING",
                    format!("{credits} USD is below {} USD", thresholds.warning()),
                ),
                Level::Critical => (
                    2,
                    "CRITICAL",
                    format!("{credits} USD is below {} USD", thresholds.critical()),
                ),
            };
            // In the monitoring-plugins range syntax a bare "5" alerts
            // above 5; "5:" alerts below it, which is what is checked.
            CheckOutcome {
                code,
                line: format!(
                    "PLIVO CREDITS {state} - {text} | credits={};{}:;{}:",
                    credits.normalize(),
                    thresholds.warning().normalize(),
                    thresholds.critical().normalize()
                ),
            }
        }
        Err(e) => unknown(&e.to_string()),
    }
}

fn unknown(reason: &str) -> CheckOutcome {
    CheckOutcome {
        code: 3,
        line: format!("PLIVO CREDITS UNKNOWN - {reason}"),
    }
}
