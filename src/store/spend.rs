//! What spike detection and the forecast read: spend in short windows (the
//! last hour and the same hour on the days before), where an account's
//! records begin, and whether a country was seen over a run of UTC days.
//!
//! Spike detection runs after every sync, so each of these is a seek, never
//! a scan of the records: the hours through `usage_at`, the days through
//! the daily sums and their index by country ([`ensure_indexes`]).

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rusqlite::{Connection, params};
use rust_decimal::Decimal;

use std::collections::HashMap;

use super::records::{DAY, GroupBy, Total, count, from_micros, timestamp, total_row};
use super::{Store, StoreError};

/// Indexes that only speed reads up, made at every open if missing: they
/// change no table, so they need no schema version, an older plivo-dash
/// ignores them, and a migration that rebuilds a table gets them back at
/// the next open. `usage_day_key`: whether a country (or any view's key)
/// was seen over a run of days, in one seek.
/// `usage_subaccount_at`, `usage_country_at`: one subaccount's or one
/// country's records over a window (the usage screen narrowed to it), read
/// without the others' and from the index alone (it covers every column
/// the reading groups and sums).
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS usage_day_key ON usage_day (auth_id, view, key, day);
CREATE INDEX IF NOT EXISTS usage_subaccount_at ON usage_record
    (auth_id, subaccount, at, product, country, number, amount_micros);
CREATE INDEX IF NOT EXISTS usage_country_at ON usage_record
    (auth_id, country, at, product, subaccount, number, amount_micros);
";

/// What a reading of totals is narrowed to: one subaccount's records or one
/// country's (`None`: those with none, unattributed or of unknown country).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Narrow {
    /// One subaccount's records.
    Subaccount(Option<String>),
    /// One destination country's records.
    Country(Option<String>),
}

/// Spend through one number of one subaccount to one country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// ISO 3166 alpha-2, if known.
    pub country: Option<String>,
    /// The subaccount, if known.
    pub subaccount: Option<String>,
    /// The account's own number on the records.
    pub number: String,
    /// What they cost.
    pub amount: Decimal,
}

/// Makes the read indexes that are missing (see [`INDEXES`]).
pub(super) fn ensure_indexes(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(INDEXES)
}

/// A UTC day as the daily sums number it.
fn day(date: Date) -> i64 {
    date.to_zoned_datetime(TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_second().div_euclid(DAY))
}

impl Store {
    /// `auth_id`'s spend in each window, `from` included, `to` excluded,
    /// from the records (windows of an hour or so: no whole day to sum).
    pub fn spend_in(
        &self,
        auth_id: &str,
        windows: &[(Timestamp, Timestamp)],
    ) -> Result<Vec<Decimal>, StoreError> {
        let read = || -> rusqlite::Result<Vec<Decimal>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT coalesce(sum(amount_micros), 0) FROM usage_record INDEXED BY usage_at
                 WHERE auth_id = ?1 AND at >= ?2 AND at < ?3",
            )?;
            windows
                .iter()
                .map(|(from, to)| {
                    stmt.query_row(params![auth_id, from.as_second(), to.as_second()], |row| {
                        row.get(0).map(from_micros)
                    })
                })
                .collect()
        };
        read().map_err(|e| self.error(e))
    }

    /// `auth_id`'s spend from `from` (included) to `to` (excluded) by where
    /// it went and through whom: one row per country, subaccount and number,
    /// from the records (a window of an hour or so), in one pass.
    pub fn sources(
        &self,
        auth_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Source>, StoreError> {
        let read = || -> rusqlite::Result<Vec<Source>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT country, subaccount, number, sum(amount_micros)
                 FROM usage_record INDEXED BY usage_at
                 WHERE auth_id = ?1 AND at >= ?2 AND at < ?3
                 GROUP BY 1, 2, 3",
            )?;
            let rows =
                stmt.query_map(params![auth_id, from.as_second(), to.as_second()], |row| {
                    Ok(Source {
                        country: row.get(0)?,
                        subaccount: row.get(1)?,
                        number: row.get(2)?,
                        amount: from_micros(row.get(3)?),
                    })
                })?;
            rows.collect()
        };
        read().map_err(|e| self.error(e))
    }

    /// `auth_id`'s spend from `from` (included) to `to` (excluded) of the
    /// records `narrow` keeps, by product, subaccount, country and number
    /// (in that order), each largest first. The daily sums keep one view at
    /// a time, so a narrowed reading is of the records: one pass over the
    /// subaccount's or the country's covering index, only its own records
    /// in the window and no table row read.
    pub fn narrowed_totals(
        &self,
        auth_id: &str,
        from: Timestamp,
        to: Timestamp,
        narrow: &Narrow,
    ) -> Result<[Vec<Total>; 4], StoreError> {
        let (index, column, value) = match narrow {
            Narrow::Subaccount(v) => ("usage_subaccount_at", "subaccount", v),
            Narrow::Country(v) => ("usage_country_at", "country", v),
        };
        let sql = format!(
            "SELECT product, subaccount, country, number, count(*), sum(amount_micros)
             FROM usage_record INDEXED BY {index}
             WHERE auth_id = ?1 AND {column} IS ?2 AND at >= ?3 AND at < ?4
             GROUP BY 1, 2, 3, 4"
        );
        let read = || -> rusqlite::Result<[Vec<Total>; 4]> {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(params![auth_id, value, from.as_second(), to.as_second()])?;
            let mut views: [HashMap<Option<String>, (i64, i64)>; 4] = Default::default();
            while let Some(row) = rows.next()? {
                let (n, micros): (i64, i64) = (row.get(4)?, row.get(5)?);
                for (i, view) in views.iter_mut().enumerate() {
                    let sum = view.entry(row.get(i)?).or_default();
                    *sum = (sum.0 + n, sum.1 + micros);
                }
            }
            Ok(views.map(|view| {
                let mut totals: Vec<Total> = view
                    .into_iter()
                    .map(|(key, (n, micros))| Total {
                        key,
                        count: count(n),
                        amount: from_micros(micros),
                    })
                    .collect();
                totals.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.key.cmp(&b.key)));
                totals
            }))
        };
        read().map_err(|e| self.error(e))
    }

    /// When `auth_id`'s first stored record is, if it has one.
    pub fn first_record(&self, auth_id: &str) -> Result<Option<Timestamp>, StoreError> {
        let read = || -> rusqlite::Result<Option<Timestamp>> {
            let secs: Option<i64> = self.conn.query_row(
                "SELECT min(at) FROM usage_record WHERE auth_id = ?1",
                [auth_id],
                |row| row.get(0),
            )?;
            timestamp(secs)
        };
        read().map_err(|e| self.error(e))
    }

    /// Whether `auth_id` has a record to `country` on any UTC day from
    /// `from` (included) to `to` (excluded).
    pub fn country_seen(
        &self,
        auth_id: &str,
        country: &str,
        from: Date,
        to: Date,
    ) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM usage_day INDEXED BY usage_day_key
                     WHERE auth_id = ?1 AND view = 'country' AND key = ?2
                         AND day >= ?3 AND day < ?4 AND records > 0)",
                params![auth_id, country, day(from), day(to)],
                |row| row.get(0),
            )
            .map_err(|e| self.error(e))
    }

    /// `auth_id`'s spend to `country` from UTC day `from` (included) to `to`
    /// (excluded) by `by`, largest first (by day too).
    pub fn country_totals(
        &self,
        auth_id: &str,
        country: &str,
        from: Date,
        to: Date,
        by: GroupBy,
    ) -> Result<Vec<Total>, StoreError> {
        // The daily sums keep one view at a time, so a country's spend by
        // another key is read from its records (a new country's are few).
        let (key, _, _) = by.columns();
        let sql = format!(
            "SELECT {key}, count(*), sum(amount_micros) FROM usage_record INDEXED BY usage_at
             WHERE auth_id = ?1 AND country = ?2 AND at >= ?3 AND at < ?4
             GROUP BY 1 ORDER BY 3 DESC, 1"
        );
        let read = || -> rusqlite::Result<Vec<Total>> {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let (from, to) = (day(from) * DAY, day(to) * DAY);
            let rows = stmt.query_map(params![auth_id, country, from, to], |row| {
                total_row(by, row)
            })?;
            rows.collect()
        };
        read().map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Kind, SyncPosition, UsageRecord};
    use rust_decimal::dec;

    const ACCOUNT: &str = "MA2025RK4E639VJFZAGV";

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a time")
    }

    fn record(uuid: &str, when: &str, sub: Option<&str>, amount: Decimal) -> UsageRecord {
        UsageRecord {
            uuid: uuid.to_owned(),
            at: at(when),
            direction: "outbound".to_owned(),
            from: "14155550100".to_owned(),
            to: "33100000001".to_owned(),
            country: Some("FR".to_owned()),
            message_type: None,
            subaccount: sub.map(str::to_owned),
            decided: sub.map(|_| crate::store::Decided::Number),
            amount,
        }
    }

    #[test]
    fn first_record_and_a_countrys_days_read_through_the_index_made_at_open() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("store.sqlite3");
        let mut store = Store::open(&path, at("2026-12-05T00:00:00Z"))
            .expect("a store")
            .store;
        assert_eq!(store.first_record(ACCOUNT).expect("read"), None);
        store
            .insert_page(
                ACCOUNT,
                Kind::Message,
                &[
                    record(
                        "a",
                        "2026-12-03T23:59:59Z",
                        Some("SA0000000000000000C3"),
                        dec!(1),
                    ),
                    record("b", "2026-12-04T00:00:00Z", None, dec!(2)),
                    record(
                        "c",
                        "2026-12-04T10:00:00Z",
                        Some("SA0000000000000000C3"),
                        dec!(0.5),
                    ),
                ],
                &SyncPosition::default(),
            )
            .expect("stored");
        assert_eq!(
            store.first_record(ACCOUNT).expect("read"),
            Some(at("2026-12-03T23:59:59Z"))
        );
        assert_eq!(
            store.first_record("MA2025OTHER000000001").expect("read"),
            None
        );
        let day = |d: &str| -> Date { d.parse().expect("a date") };
        let seen = |from, to| {
            store
                .country_seen(ACCOUNT, "FR", day(from), day(to))
                .expect("read")
        };
        assert!(seen("2026-12-03", "2026-12-04"));
        assert!(!seen("2026-12-05", "2026-12-30"));
        assert!(!seen("2026-11-01", "2026-12-03"), "the end is excluded");
        let by_day = store
            .country_totals(
                ACCOUNT,
                "FR",
                day("2026-12-01"),
                day("2026-12-05"),
                GroupBy::Day,
            )
            .expect("read");
        assert_eq!(
            by_day
                .iter()
                .map(|t| (t.key.as_deref(), t.count, t.amount))
                .collect::<Vec<_>>(),
            [
                (Some("2026-12-04"), 2, dec!(2.5)),
                (Some("2026-12-03"), 1, dec!(1))
            ]
        );
        // An index dropped (an older database, a rebuilt table) is back at
        // the next open.
        drop(store);
        rusqlite::Connection::open(&path)
            .expect("opens")
            .execute_batch("DROP INDEX usage_day_key")
            .expect("dropped");
        let store = Store::open(&path, at("2026-12-05T00:00:00Z"))
            .expect("a store")
            .store;
        assert!(
            store
                .country_seen(ACCOUNT, "FR", day("2026-12-03"), day("2026-12-04"))
                .expect("read through the index")
        );
    }

    #[test]
    fn narrowed_totals_are_the_narrowed_records_sums_read_through_their_index() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("store.sqlite3");
        let mut store = Store::open(&path, at("2026-12-05T00:00:00Z"))
            .expect("a store")
            .store;
        let sub = Some("SA0000000000000000C3");
        let mut records = vec![
            record("a", "2026-12-03T23:59:59Z", sub, dec!(1)),
            record("b", "2026-12-04T00:00:00Z", None, dec!(2)),
            record("c", "2026-12-04T10:00:00Z", sub, dec!(0.5)),
            record("d", "2026-12-04T11:00:00Z", sub, dec!(0.25)),
        ];
        records[3].country = Some("ID".to_owned());
        records[3].message_type = Some("sms".to_owned());
        store
            .insert_page(ACCOUNT, Kind::Message, &records, &SyncPosition::default())
            .expect("stored");
        let (from, to) = (at("2026-12-04T00:00:00Z"), at("2026-12-05T00:00:00Z"));
        let read = |by: usize, narrow: Narrow| {
            store
                .narrowed_totals(ACCOUNT, from, to, &narrow)
                .expect("read")[by]
                .iter()
                .map(|t| (t.key.clone(), t.count, t.amount))
                .collect::<Vec<_>>()
        };
        let (product, subaccount, country, number) = (0, 1, 2, 3);
        let some = |s: &str| Some(s.to_owned());
        // One subaccount's, inside the window (the 3rd's record is out).
        assert_eq!(
            read(country, Narrow::Subaccount(sub.map(str::to_owned))),
            [(some("FR"), 1, dec!(0.5)), (some("ID"), 1, dec!(0.25))]
        );
        // The records of no subaccount.
        assert_eq!(
            read(country, Narrow::Subaccount(None)),
            [(some("FR"), 1, dec!(2))]
        );
        // One country's, by subaccount and by product.
        assert_eq!(
            read(subaccount, Narrow::Country(some("FR"))),
            [(None, 1, dec!(2)), (sub.map(str::to_owned), 1, dec!(0.5))]
        );
        assert_eq!(
            read(product, Narrow::Country(some("ID"))),
            [(some("sms-outbound"), 1, dec!(0.25))]
        );
        assert_eq!(read(number, Narrow::Country(None)), []);
    }
}
