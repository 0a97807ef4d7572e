//! The month ahead from the store: what [`forecast::project`] needs, read
//! for one account (the month's spend so far, the trailing week's, the
//! rented numbers), and how far back the store reaches. Shared by the
//! `forecast` command, the dashboard and the exporter, so they cannot
//! disagree about a month. Reading ([`MonthRecords::read`]) and projecting
//! ([`MonthRecords::project`]) are apart: a dashboard reads the store
//! after a sync and projects with whatever balance it last fetched.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use super::forecast::{self, Basis, Forecast, Inputs, Month};
use crate::store::{GroupBy, Kind, Number, Store, StoreError, Total};

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

/// What the store holds for one account's month at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthRecords {
    /// When it was read: the forecast's clock.
    pub now: Timestamp,
    /// The account's zone it was read in.
    pub zone: TimeZone,
    /// Spend since the 1st, by product.
    pub spent: Vec<Total>,
    /// Spend over `basis`, by product.
    pub trailing: Vec<Total>,
    /// The daily rate's window; `None`: nothing synced.
    pub basis: Option<Basis>,
    /// The rented numbers.
    pub numbers: Vec<Number>,
    /// How far back both lists are stored whole; `None`: not synced yet.
    pub covered: Option<Timestamp>,
    /// The newest record stored, calls or messages.
    pub newest: Option<Timestamp>,
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

impl MonthRecords {
    /// Reads `auth_id`'s month around `now`, in `zone`, from `store`.
    pub fn read(
        store: &Store,
        auth_id: &str,
        zone: &TimeZone,
        now: Timestamp,
    ) -> Result<Self, AheadError> {
        let start = Month::at(now, zone)?.start.timestamp();
        let calls = store.position(auth_id, Kind::Call)?;
        let messages = store.position(auth_id, Kind::Message)?;
        // Both lists must reach back for a window to be whole.
        let covered = calls.backfill.zip(messages.backfill).map(|(c, m)| c.max(m));
        let basis = Basis::at(
            now,
            forecast::history_start(covered, store.first_record(auth_id)?),
        );
        let trailing = match basis {
            Some(b) => store.totals(auth_id, b.from, b.to, GroupBy::Product)?,
            None => Vec::new(),
        };
        Ok(Self {
            now,
            zone: zone.clone(),
            spent: store.totals(auth_id, start, now, GroupBy::Product)?,
            trailing,
            basis,
            numbers: store.numbers(auth_id)?,
            covered,
            newest: calls.newest.max(messages.newest),
        })
    }

    /// Spent since the 1st, all products.
    pub fn spent_to_date(&self) -> Decimal {
        self.spent.iter().map(|t| t.amount).sum()
    }

    /// The store does not reach back to the 1st, so the spend so far is
    /// short.
    pub fn short(&self) -> bool {
        Month::at(self.now, &self.zone).map_or(true, |month| {
            self.covered
                .is_none_or(|edge| edge > month.start.timestamp())
        })
    }

    /// The month ahead with the account's balance and settings.
    pub fn project(
        &self,
        balance: Decimal,
        auto_recharge: bool,
        alert_below: Option<Decimal>,
    ) -> Result<Forecast, jiff::Error> {
        forecast::project(&Inputs {
            now: self.now,
            zone: &self.zone,
            spent: &self.spent,
            trailing: &self.trailing,
            basis: self.basis,
            numbers: &self.numbers,
            balance,
            auto_recharge,
            alert_below,
        })
    }
}

/// The month ahead, and how whole the records behind it are.
#[derive(Debug, Clone, PartialEq)]
pub struct Ahead {
    /// The projection.
    pub forecast: Forecast,
    /// What it was worked out from.
    pub records: MonthRecords,
}

/// Reads `auth_id`'s month ahead at `now` from `store`.
pub fn read(
    store: &Store,
    auth_id: &str,
    facts: Facts<'_>,
    now: Timestamp,
) -> Result<Ahead, AheadError> {
    let records = MonthRecords::read(store, auth_id, facts.zone, now)?;
    let forecast = records.project(facts.balance, facts.auto_recharge, facts.alert_below)?;
    Ok(Ahead { forecast, records })
}
