//! What the usage screen shows, read from the store once per window or
//! narrowing (and again after each sync), never per frame: one account's
//! spend over the last hour, 24 hours or the month so far, by product,
//! subaccount, country and number, narrowed to one subaccount or country
//! if asked, with what could not be attributed.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use super::forecast::Month;
use crate::store::{GroupBy, Narrow, Store, StoreError, Total};

/// The most numbers a view keeps, the costliest first: the rest are said
/// as a count.
pub const TOP_NUMBERS: usize = 100;

/// The span a view covers, ending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Window {
    /// The last hour.
    Hour,
    /// The last 24 hours.
    #[default]
    Day,
    /// From the 1st of the month, in the account's zone.
    Month,
}

impl Window {
    /// The next window, as the key cycles them.
    pub fn next(self) -> Self {
        match self {
            Window::Hour => Window::Day,
            Window::Day => Window::Month,
            Window::Month => Window::Hour,
        }
    }

    /// How it is named on screen.
    pub fn label(self) -> &'static str {
        match self {
            Window::Hour => "last hour",
            Window::Day => "last 24 h",
            Window::Month => "month to date",
        }
    }
}

/// What a view is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Query {
    /// The span.
    pub window: Window,
    /// One subaccount's or country's records only, if narrowed.
    pub narrow: Option<Narrow>,
    /// The account's zone (IANA), where its month begins; UTC when unknown.
    pub zone: String,
}

/// The spend one [`Query`] asked for, as read at `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// What was asked.
    pub query: Query,
    /// The window's start.
    pub from: Timestamp,
    /// Its end: when it was read.
    pub to: Timestamp,
    /// By product (DESIGN's eight; none: unknown), costliest first.
    pub products: Vec<Total>,
    /// By subaccount (none: unattributed), costliest first.
    pub subaccounts: Vec<Total>,
    /// By destination country (none: unknown), costliest first.
    pub countries: Vec<Total>,
    /// The costliest [`TOP_NUMBERS`] numbers.
    pub numbers: Vec<Total>,
    /// How many numbers there were in all.
    pub number_count: usize,
    /// Everything in the window.
    pub total: Total,
    /// What no subaccount was found for.
    pub unattributed: Total,
    /// What went to no known country.
    pub no_country: Total,
    /// The rented numbers' monthly rent, debited on the 1st (the month's
    /// window only; not in `total`, which is the records').
    pub rentals: Option<Decimal>,
}

/// Why a view could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The month's start cannot be placed in the zone.
    #[error("the month cannot be placed in time: {0}")]
    Time(#[from] jiff::Error),
}

/// Where `window` starts at `now` in `zone`, and where it ends (now, to
/// the whole second, as records are stored).
pub fn span(
    window: Window,
    now: Timestamp,
    zone: &TimeZone,
) -> Result<(Timestamp, Timestamp), jiff::Error> {
    let to = Timestamp::from_second(now.as_second())?;
    let from = match window {
        Window::Hour => to - jiff::SignedDuration::from_hours(1),
        Window::Day => to - jiff::SignedDuration::from_hours(24),
        Window::Month => Month::at(now, zone)?.start.timestamp(),
    };
    Ok((from, to))
}

/// What a group with no key is called: a record of no subaccount is
/// unattributed; of no product or country, unknown.
pub fn unnamed(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Subaccount => "unattributed",
        _ => "unknown",
    }
}

/// The key none of a group's rows has, summed out of `rows`.
fn keyless(rows: &[Total]) -> Total {
    rows.iter()
        .find(|t| t.key.is_none())
        .cloned()
        .unwrap_or(Total {
            key: None,
            count: 0,
            amount: Decimal::ZERO,
        })
}

/// Reads `query` for `auth_id` at `now` from `store`: four readings of the
/// daily sums (or one of the narrowed records, through their index).
pub fn read(
    store: &Store,
    auth_id: &str,
    query: &Query,
    now: Timestamp,
) -> Result<View, ViewError> {
    let zone = TimeZone::get(&query.zone).unwrap_or(TimeZone::UTC);
    let (from, to) = span(query.window, now, &zone)?;
    let [products, subaccounts, countries, mut numbers] = match &query.narrow {
        Some(narrow) => store.narrowed_totals(auth_id, from, to, narrow)?,
        None => {
            let by = |by| store.totals(auth_id, from, to, by);
            [
                by(GroupBy::Product)?,
                by(GroupBy::Subaccount)?,
                by(GroupBy::Country)?,
                by(GroupBy::Number)?,
            ]
        }
    };
    let number_count = numbers.len();
    numbers.truncate(TOP_NUMBERS);
    let total = Total {
        key: None,
        count: products.iter().map(|t| t.count).sum(),
        amount: products.iter().map(|t| t.amount).sum(),
    };
    let rentals = (query.window == Window::Month && query.narrow.is_none())
        .then(|| store.numbers(auth_id))
        .transpose()?
        .map(|numbers| numbers.iter().map(|n| n.monthly_rental_rate).sum());
    Ok(View {
        unattributed: keyless(&subaccounts),
        no_country: keyless(&countries),
        query: query.clone(),
        from,
        to,
        products,
        subaccounts,
        countries,
        numbers,
        number_count,
        total,
        rentals,
    })
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

    fn record(uuid: &str, when: &str, amount: Decimal) -> UsageRecord {
        UsageRecord {
            uuid: uuid.to_owned(),
            at: at(when),
            direction: "outbound".to_owned(),
            from: "14155550100".to_owned(),
            to: "33100000001".to_owned(),
            country: Some("FR".to_owned()),
            message_type: Some("sms".to_owned()),
            subaccount: None,
            decided: None,
            amount,
        }
    }

    #[test]
    fn the_month_begins_on_the_1st_in_the_accounts_zone_and_counts_its_rentals() {
        let zone = TimeZone::get("Asia/Kolkata").expect("a zone");
        let now = at("2026-12-05T12:00:00.75Z");
        // The 1st in Kolkata is 18:30 on the 30th, UTC.
        assert_eq!(
            span(Window::Month, now, &zone).expect("placed"),
            (at("2026-11-30T18:30:00Z"), at("2026-12-05T12:00:00Z"))
        );
        assert_eq!(
            span(Window::Hour, now, &zone).expect("placed").0,
            at("2026-12-05T11:00:00Z")
        );
        let dir = tempfile::tempdir().expect("a directory");
        let mut store = Store::open(&dir.path().join("store.sqlite3"), now)
            .expect("a store")
            .store;
        store
            .insert_page(
                ACCOUNT,
                Kind::Message,
                &[
                    // Before the 1st in Kolkata, though the 30th's in UTC.
                    record("a", "2026-11-30T18:00:00Z", dec!(5)),
                    record("b", "2026-11-30T19:00:00Z", dec!(2)),
                    record("c", "2026-12-05T11:30:00Z", dec!(0.5)),
                ],
                &SyncPosition::default(),
            )
            .expect("stored");
        store
            .put_numbers(
                ACCOUNT,
                &[crate::store::Number {
                    number: "14155550100".to_owned(),
                    monthly_rental_rate: dec!(0.8),
                    sub_account: None,
                    renewal_date: None,
                    number_type: "local".to_owned(),
                    country: Some("US".to_owned()),
                }],
            )
            .expect("stored");
        let query = |window| Query {
            window,
            narrow: None,
            zone: "Asia/Kolkata".to_owned(),
        };
        let month = read(&store, ACCOUNT, &query(Window::Month), now).expect("read");
        assert_eq!(month.total.amount, dec!(2.5));
        assert_eq!(month.total.count, 2);
        assert_eq!(month.unattributed.amount, dec!(2.5));
        assert_eq!(month.rentals, Some(dec!(0.8)));
        let hour = read(&store, ACCOUNT, &query(Window::Hour), now).expect("read");
        assert_eq!(hour.total.amount, dec!(0.5));
        assert_eq!(hour.rentals, None, "rentals are the month's");
        assert_eq!(hour.products[0].key.as_deref(), Some("sms-outbound"));
    }
}
