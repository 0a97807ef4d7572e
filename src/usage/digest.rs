//! What a dashboard and an exporter show of one account's usage, read from
//! the store once per sync (never per frame or per scrape): the spend ever
//! stored by product, the last 24 hours' by product and by country, and
//! the month's records the forecast is projected from.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

use super::ahead::{AheadError, MonthRecords};
use crate::store::{GroupBy, Store, Total};

/// The span "the last day" covers.
pub const DAY: SignedDuration = SignedDuration::from_hours(24);

/// One account's usage at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// When it was read.
    pub at: Timestamp,
    /// Spend ever stored, by product: it only grows while records are
    /// added (a store replaced or records past the retention dropped
    /// lower it).
    pub ever: Vec<Total>,
    /// The last 24 hours, by product, largest first.
    pub day_products: Vec<Total>,
    /// The last 24 hours, by destination country, largest first.
    pub day_countries: Vec<Total>,
    /// The month's records, in the account's zone.
    pub month: MonthRecords,
}

impl Digest {
    /// Reads `auth_id`'s digest at `now`, its month in `zone`.
    pub fn read(
        store: &Store,
        auth_id: &str,
        zone: &TimeZone,
        now: Timestamp,
    ) -> Result<Self, AheadError> {
        Ok(Self {
            at: now,
            ever: store.totals(auth_id, Timestamp::UNIX_EPOCH, now, GroupBy::Product)?,
            day_products: store.totals(auth_id, now - DAY, now, GroupBy::Product)?,
            day_countries: store.totals(auth_id, now - DAY, now, GroupBy::Country)?,
            month: MonthRecords::read(store, auth_id, zone, now)?,
        })
    }

    /// Spent since the 1st in the account's zone.
    pub fn month_to_date(&self) -> Decimal {
        self.month.spent_to_date()
    }
}
