//! The month ahead from the store: what [`forecast::project`] needs, read
//! for one account (the month's spend so far, the trailing week's, the
//! rented numbers), and how far back the store reaches. Shared by the
//! `forecast` command, the dashboard and the exporter, so they cannot
//! disagree about a month.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use super::forecast::{self, Basis, Forecast, Inputs, Month};
use crate::store::{GroupBy, Kind, Store, StoreError};

/// What the account itself says, beside the store.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The balance now.
    pub balance: Decimal,
    /// Whether Plivo tops the balance up by itself.
    pub auto_recharge: bool,
    /// The account's zone, where its month begins.
    pub zone: &'a TimeZone,
    /// The alert threshold, if one is set.
    pub alert_below: Option<Decimal>,
}

/// The month ahead, and how whole the records behind it are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ahead {
    /// The projection.
    pub forecast: Forecast,
    /// How far back both lists are stored whole; `None`: not synced yet.
    pub covered: Option<Timestamp>,
    /// The newest record stored, calls or messages.
    pub newest: Option<Timestamp>,
}

impl Ahead {
    /// The store does not reach back to the 1st, so the spend so far is
    /// short.
    pub fn short(&self) -> bool {
        self.covered
            .is_none_or(|edge| edge > self.forecast.month.start.timestamp())
    }
}

/// Why the month could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum AheadError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The month's bounds fall outside the time zone database's range.
    #[error("the month cannot be placed in time: {0}")]
    Time(#[from] jiff::Error),
}

/// How far back the records must be synced for the month ahead at `now`:
/// the 1st, or the trailing week when it reaches further.
pub fn reach(now: Timestamp, zone: &TimeZone) -> Result<Timestamp, jiff::Error> {
    let start = Month::at(now, zone)?.start.timestamp();
    Ok(start.min(now - forecast::TRAILING))
}

/// Reads `auth_id`'s month ahead at `now` from `store`.
pub fn read(
    store: &Store,
    auth_id: &str,
    facts: Facts<'_>,
    now: Timestamp,
) -> Result<Ahead, AheadError> {
    let start = Month::at(now, facts.zone)?.start.timestamp();
    let calls = store.position(auth_id, Kind::Call)?;
    let messages = store.position(auth_id, Kind::Message)?;
    // Both lists must reach back for a window to be whole.
    let covered = calls.backfill.zip(messages.backfill).map(|(c, m)| c.max(m));
    let basis = Basis::at(
        now,
        forecast::history_start(covered, store.first_record(auth_id)?),
    );
    let spent = store.totals(auth_id, start, now, GroupBy::Product)?;
    let trailing = match basis {
        Some(b) => store.totals(auth_id, b.from, b.to, GroupBy::Product)?,
        None => Vec::new(),
    };
    let numbers = store.numbers(auth_id)?;
    let forecast = forecast::project(&Inputs {
        now,
        zone: facts.zone,
        spent: &spent,
        trailing: &trailing,
        basis,
        numbers: &numbers,
        balance: facts.balance,
        auto_recharge: facts.auto_recharge,
        alert_below: facts.alert_below,
    })?;
    Ok(Ahead {
        forecast,
        covered,
        newest: calls.newest.max(messages.newest),
    })
}
