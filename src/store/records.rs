//! Usage records (calls and messages), each list's sync position, and the
//! rented numbers.

use jiff::Timestamp;
use rusqlite::{OptionalExtension as _, TransactionBehavior, params};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use super::{Store, StoreError};

/// Which list a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A call (`call_uuid`).
    Call,
    /// A message (`message_uuid`).
    Message,
}

impl Kind {
    /// The name stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Call => "call",
            Kind::Message => "message",
        }
    }
}

/// One call or message as the store keeps it: the client's records map into
/// this, so the store depends on no wire type. Its account and kind are the
/// page's it is stored with (one list of one account), so a record can never
/// disagree with the sync position stored beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRecord {
    /// `call_uuid` or `message_uuid`: the key, so a record seen twice is one.
    pub uuid: String,
    /// When it started (a call) or was sent (a message).
    pub at: Timestamp,
    /// `inbound` or `outbound` (Plivo's words, kept as given).
    pub direction: String,
    /// The calling or sending number.
    pub from: String,
    /// The called or receiving number.
    pub to: String,
    /// ISO 3166 alpha-2 of the other end, if known.
    pub country: Option<String>,
    /// A message's `message_type` (`sms`, `mms`, `whatsapp`), as given;
    /// `None` for a call.
    pub message_type: Option<String>,
    /// The subaccount it belongs to, if known.
    pub subaccount: Option<String>,
    /// What decided `subaccount`, `None` when nothing did.
    pub decided: Option<Decided>,
    /// What it cost, in USD.
    pub amount: Decimal,
}

/// What decided whose a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// The rented number it went through.
    Number,
    /// It was read from the list with the `subaccount` filter: Plivo's own
    /// word, which a later reading by number never overrides.
    Query,
}

impl Decided {
    fn as_str(self) -> &'static str {
        match self {
            Decided::Number => "number",
            Decided::Query => "query",
        }
    }
}

/// The product a record is billed as (DESIGN's eight: `voice-outbound`,
/// `sms-inbound`, …), or `None` when its direction or message type is not
/// one of those known, so it is shown as unknown rather than guessed.
pub fn product(kind: Kind, direction: &str, message_type: Option<&str>) -> Option<String> {
    let direction = match direction {
        "inbound" | "outbound" => direction,
        _ => return None,
    };
    let medium = match (kind, message_type) {
        (Kind::Call, _) => "voice",
        (Kind::Message, Some(t @ ("sms" | "mms" | "whatsapp"))) => t,
        (Kind::Message, _) => return None,
    };
    Some(format!("{medium}-{direction}"))
}

impl UsageRecord {
    /// The account's own number on this record: the sender outbound, the
    /// receiver inbound.
    fn number(&self) -> &str {
        if self.direction == "inbound" {
            &self.to
        } else {
            &self.from
        }
    }
}

/// How far one list's sync has got for one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncPosition {
    /// The newest record time kept: where the next incremental sync starts
    /// (less its margin for late records).
    pub newest: Option<Timestamp>,
    /// How far back the back-fill has reached (it goes newest to oldest).
    pub backfill: Option<Timestamp>,
    /// Whether the back-fill reached its start.
    pub backfill_done: bool,
}

/// A rented number.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// The number, as Plivo writes it.
    pub number: String,
    /// Its monthly rent, in USD.
    pub monthly_rental_rate: Decimal,
    /// The subaccount it is assigned to, if any.
    pub sub_account: Option<String>,
    /// When its rent is next charged (`YYYY-MM-DD`), if known.
    pub renewal_date: Option<String>,
    /// `local`, `mobile`, `tollfree`…
    pub number_type: String,
    /// ISO 3166 alpha-2, if known.
    pub country: Option<String>,
}

/// The span of the records whose subaccounts are still to be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unasked {
    /// The oldest one's time.
    pub oldest: Timestamp,
    /// The newest one's time.
    pub newest: Timestamp,
    /// The newest row stored when this was read.
    last_row: i64,
}

/// What totals are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The product: voice, SMS, MMS or WhatsApp, outbound or inbound
    /// (none: not known, e.g. a message stored before its type was kept).
    Product,
    /// The subaccount (none: the main account's or not attributed).
    Subaccount,
    /// The other end's country (none: unknown).
    Country,
    /// The account's own number on the record.
    Number,
    /// The UTC day, `YYYY-MM-DD`.
    Day,
}

impl GroupBy {
    /// The key in `usage_record`; the view of `usage_day` it reads, and
    /// the key there (where unknown is '').
    pub(super) fn columns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            GroupBy::Product => ("product", "product", "nullif(key, '')"),
            GroupBy::Subaccount => ("subaccount", "subaccount", "nullif(key, '')"),
            GroupBy::Country => ("country", "country", "nullif(key, '')"),
            GroupBy::Number => ("number", "number", "key"),
            // Every record is in each view once: any one counts the day.
            GroupBy::Day => ("at / 86400", "product", "day"),
        }
    }
}

/// One group's spend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Total {
    /// The group (None: not known, e.g. no country on the record).
    pub key: Option<String>,
    /// How many records.
    pub count: u64,
    /// Their summed amount, exact.
    pub amount: Decimal,
}

const MICROS: i64 = 1_000_000;
/// Seconds in a UTC day.
pub(super) const DAY: i64 = 86_400;

/// `amount` in millionths of a dollar, refused if that would round it.
fn to_micros(uuid: &str, amount: Decimal) -> Result<i64, StoreError> {
    let micros = amount * Decimal::from(MICROS);
    micros
        .fract()
        .is_zero()
        .then(|| micros.to_i64())
        .flatten()
        .ok_or_else(|| StoreError::Precision {
            uuid: uuid.to_owned(),
            amount: amount.to_string(),
        })
}

/// A row of (key, count, micros) as a group's total; `by` day, the key is
/// the UTC day's number, written `YYYY-MM-DD`.
pub(super) fn total_row(by: GroupBy, row: &rusqlite::Row<'_>) -> rusqlite::Result<Total> {
    let key = if by == GroupBy::Day {
        let day: i64 = row.get(0)?;
        timestamp(Some(day * DAY))?.map(|t| t.strftime("%Y-%m-%d").to_string())
    } else {
        row.get(0)?
    };
    Ok(Total {
        key,
        count: count(row.get(1)?),
        amount: from_micros(row.get(2)?),
    })
}

/// SQLite's count (never negative) as a count.
pub(super) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(super) fn from_micros(micros: i64) -> Decimal {
    Decimal::new(micros, 6)
}

fn seconds(at: Option<Timestamp>) -> Option<i64> {
    at.map(Timestamp::as_second)
}

pub(super) fn timestamp(secs: Option<i64>) -> rusqlite::Result<Option<Timestamp>> {
    secs.map(|s| {
        Timestamp::from_second(s).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, e.into())
        })
    })
    .transpose()
}

impl Store {
    /// Stores one page of `auth_id`'s `kind` records and, in the same
    /// transaction, the list's sync position after it: killed at any moment,
    /// the page and its position are both kept or both not, so the next sync
    /// neither misses nor double-counts a record. Returns how many rows were
    /// written (new or changed).
    ///
    /// A record already stored is updated, not ignored: the sync re-reads a
    /// margin behind its newest record because Plivo's records change after
    /// they first appear (a call's amount once it is billed), and the later
    /// reading is the true one. Being keyed by uuid, it is still one row.
    pub fn insert_page(
        &mut self,
        auth_id: &str,
        kind: Kind,
        records: &[UsageRecord],
        position: &SyncPosition,
    ) -> Result<usize, StoreError> {
        self.upsert(auth_id, kind, records, Some(position))
    }

    /// Stores records read from one subaccount's list (so their owner is
    /// decided by query), leaving the list's sync position as it is: that
    /// position is the account's list's, which this reading does not move.
    pub fn insert_claimed(
        &mut self,
        auth_id: &str,
        kind: Kind,
        records: &[UsageRecord],
    ) -> Result<usize, StoreError> {
        self.upsert(auth_id, kind, records, None)
    }

    /// Where `auth_id`'s `kind` records from `from` on that no rented number
    /// attributed and whose subaccounts were not asked yet lie: the oldest
    /// and newest of their times, and the newest row at this moment (so
    /// [`Store::mark_asked`] never marks a record stored after the asking
    /// began). `None` when there are none.
    pub fn unasked(
        &self,
        auth_id: &str,
        kind: Kind,
        from: Timestamp,
    ) -> Result<Option<Unasked>, StoreError> {
        self.conn
            .query_row(
                "SELECT min(at), max(at), (SELECT max(rowid) FROM usage_record)
                 FROM usage_record INDEXED BY usage_unasked
                 WHERE auth_id = ?1 AND kind = ?2 AND at >= ?3 AND attribution IS NULL",
                params![auth_id, kind.as_str(), from.as_second()],
                |row| {
                    let (oldest, newest) = (timestamp(row.get(0)?)?, timestamp(row.get(1)?)?);
                    let last_row = row.get::<_, Option<i64>>(2)?.unwrap_or(0);
                    Ok(oldest.zip(newest).map(|(oldest, newest)| Unasked {
                        oldest,
                        newest,
                        last_row,
                    }))
                },
            )
            .map_err(|e| self.error(e))
    }

    /// Says that every subaccount's list was read over `unasked`'s span:
    /// the records there still unattributed belong to no subaccount Plivo
    /// named, and are not asked about again. Returns how many.
    pub fn mark_asked(
        &mut self,
        auth_id: &str,
        kind: Kind,
        unasked: &Unasked,
    ) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "UPDATE usage_record INDEXED BY usage_unasked SET attribution = 'asked'
                 WHERE auth_id = ?1 AND kind = ?2 AND at >= ?3 AND at <= ?4
                     AND attribution IS NULL AND rowid <= ?5",
                params![
                    auth_id,
                    kind.as_str(),
                    unasked.oldest.as_second(),
                    unasked.newest.as_second(),
                    unasked.last_row
                ],
            )
            .map_err(|e| self.error(e))
    }

    fn upsert(
        &mut self,
        auth_id: &str,
        kind: Kind,
        records: &[UsageRecord],
        position: Option<&SyncPosition>,
    ) -> Result<usize, StoreError> {
        let rows: Vec<i64> = records
            .iter()
            .map(|r| to_micros(&r.uuid, r.amount))
            .collect::<Result<_, _>>()?;
        let write = || -> rusqlite::Result<usize> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut written = 0;
            {
                let mut insert = tx.prepare_cached(
                    // The owner a record already has stays when it was
                    // Plivo's word (`query`), or when its subaccounts were
                    // asked and the new reading knows no more (`asked`):
                    // the account's list, read again, says nothing of whose.
                    "INSERT INTO usage_record (uuid, auth_id, kind, at, direction, from_number,
                         to_number, number, country, subaccount, amount_micros, message_type,
                         product, attribution)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT (uuid) DO UPDATE SET
                         auth_id = excluded.auth_id, kind = excluded.kind, at = excluded.at,
                         direction = excluded.direction, from_number = excluded.from_number,
                         to_number = excluded.to_number, number = excluded.number,
                         country = excluded.country, amount_micros = excluded.amount_micros,
                         message_type = excluded.message_type, product = excluded.product,
                         subaccount = iif(usage_record.attribution = 'query'
                             OR (usage_record.attribution = 'asked' AND excluded.attribution IS NULL),
                             usage_record.subaccount, excluded.subaccount),
                         attribution = iif(usage_record.attribution = 'query'
                             OR (usage_record.attribution = 'asked' AND excluded.attribution IS NULL),
                             usage_record.attribution, excluded.attribution)
                     WHERE (auth_id, kind, at, direction, from_number, to_number, number,
                            country, amount_micros, message_type, product)
                         IS NOT (excluded.auth_id, excluded.kind, excluded.at,
                            excluded.direction, excluded.from_number, excluded.to_number,
                            excluded.number, excluded.country, excluded.amount_micros,
                            excluded.message_type, excluded.product)
                         OR (coalesce(usage_record.attribution, '') <> 'query'
                             AND (coalesce(usage_record.attribution, '') <> 'asked'
                                 OR excluded.attribution IS NOT NULL))
                             AND (subaccount, attribution)
                                 IS NOT (excluded.subaccount, excluded.attribution)",
                )?;
                for (r, micros) in records.iter().zip(rows) {
                    written += insert.execute(params![
                        r.uuid,
                        auth_id,
                        kind.as_str(),
                        r.at.as_second(),
                        r.direction,
                        r.from,
                        r.to,
                        r.number(),
                        r.country,
                        r.subaccount,
                        micros,
                        r.message_type,
                        product(kind, &r.direction, r.message_type.as_deref()),
                        r.decided.map(Decided::as_str),
                    ])?;
                }
            }
            if let Some(position) = position {
                set_position(&tx, auth_id, kind, position)?;
            }
            tx.commit()?;
            Ok(written)
        };
        write().map_err(|e| self.error(e))
    }

    /// Where `kind`'s sync for `auth_id` has got (all empty before the first).
    pub fn position(&self, auth_id: &str, kind: Kind) -> Result<SyncPosition, StoreError> {
        self.conn
            .query_row(
                "SELECT newest_at, backfill_at, backfill_done FROM sync_position
                 WHERE auth_id = ?1 AND kind = ?2",
                params![auth_id, kind.as_str()],
                |row| {
                    Ok(SyncPosition {
                        newest: timestamp(row.get(0)?)?,
                        backfill: timestamp(row.get(1)?)?,
                        backfill_done: row.get(2)?,
                    })
                },
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.error(e))
    }

    /// How many records `auth_id` has stored.
    pub fn record_count(&self, auth_id: &str) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM usage_record WHERE auth_id = ?1",
                [auth_id],
                |row| row.get(0).map(count),
            )
            .map_err(|e| self.error(e))
    }

    /// `auth_id`'s spend from `from` (inclusive) to `to` (exclusive) by
    /// `by`, largest first (by day: oldest first). The whole UTC days inside
    /// the window are read from the daily sums, the partial days at its ends
    /// from the records.
    pub fn totals(
        &self,
        auth_id: &str,
        from: Timestamp,
        to: Timestamp,
        by: GroupBy,
    ) -> Result<Vec<Total>, StoreError> {
        let (from, to) = (from.as_second(), to.as_second().max(from.as_second()));
        // Whole days [first_day, end_day); when there are none, the records
        // cover all of the window.
        let first_day = from.div_euclid(DAY) + i64::from(from.rem_euclid(DAY) != 0);
        let end_day = to.div_euclid(DAY);
        let (head_end, tail_start, days) = if first_day < end_day {
            (first_day * DAY, end_day * DAY, (first_day, end_day))
        } else {
            (to, to, (0, 0))
        };
        let (record_key, view, day_key) = by.columns();
        let order = if by == GroupBy::Day { "1" } else { "3 DESC, 1" };
        let sql = format!(
            "SELECT key, sum(n), sum(m) FROM (
                 SELECT {record_key} AS key, count(*) AS n, sum(amount_micros) AS m
                 FROM usage_record INDEXED BY usage_at
                 WHERE auth_id = ?1 AND ((at >= ?2 AND at < ?3) OR (at >= ?4 AND at < ?5))
                 GROUP BY 1
                 UNION ALL
                 SELECT {day_key}, sum(records), sum(amount_micros) FROM usage_day
                 WHERE auth_id = ?1 AND view = '{view}' AND day >= ?6 AND day < ?7
                     AND records > 0
                 GROUP BY 1
             ) GROUP BY key ORDER BY {order}"
        );
        let read = || -> rusqlite::Result<Vec<Total>> {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(
                params![auth_id, from, head_end, tail_start, to, days.0, days.1],
                |row| total_row(by, row),
            )?;
            rows.collect()
        };
        read().map_err(|e| self.error(e))
    }

    /// Replaces `auth_id`'s rented numbers with `numbers`, in one
    /// transaction: a number no longer listed was released and must stop
    /// counting its rent.
    pub fn put_numbers(&mut self, auth_id: &str, numbers: &[Number]) -> Result<(), StoreError> {
        let rents: Vec<i64> = numbers
            .iter()
            .map(|n| to_micros(&n.number, n.monthly_rental_rate))
            .collect::<Result<_, _>>()?;
        let write = || -> rusqlite::Result<()> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM rented_number WHERE auth_id = ?1", [auth_id])?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO rented_number (auth_id, number, monthly_rental_micros,
                         sub_account, renewal_date, number_type, country)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (auth_id, number) DO UPDATE SET
                         monthly_rental_micros = excluded.monthly_rental_micros,
                         sub_account = excluded.sub_account, renewal_date = excluded.renewal_date,
                         number_type = excluded.number_type, country = excluded.country",
                )?;
                for (n, rent) in numbers.iter().zip(rents) {
                    insert.execute(params![
                        auth_id,
                        n.number,
                        rent,
                        n.sub_account,
                        n.renewal_date,
                        n.number_type,
                        n.country
                    ])?;
                }
            }
            tx.commit()
        };
        write().map_err(|e| self.error(e))
    }

    /// `auth_id`'s rented numbers, by number.
    pub fn numbers(&self, auth_id: &str) -> Result<Vec<Number>, StoreError> {
        let read = || -> rusqlite::Result<Vec<Number>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT number, monthly_rental_micros, sub_account, renewal_date, number_type,
                     country
                 FROM rented_number WHERE auth_id = ?1 ORDER BY number",
            )?;
            let rows = stmt.query_map([auth_id], |row| {
                Ok(Number {
                    number: row.get(0)?,
                    monthly_rental_rate: from_micros(row.get(1)?),
                    sub_account: row.get(2)?,
                    renewal_date: row.get(3)?,
                    number_type: row.get(4)?,
                    country: row.get(5)?,
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.error(e))
    }
}

fn set_position(
    tx: &rusqlite::Transaction<'_>,
    auth_id: &str,
    kind: Kind,
    position: &SyncPosition,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO sync_position (auth_id, kind, newest_at, backfill_at, backfill_done)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (auth_id, kind) DO UPDATE SET newest_at = excluded.newest_at,
             backfill_at = excluded.backfill_at, backfill_done = excluded.backfill_done",
        params![
            auth_id,
            kind.as_str(),
            seconds(position.newest),
            seconds(position.backfill),
            position.backfill_done
        ],
    )
}
