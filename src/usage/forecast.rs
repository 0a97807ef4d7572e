//! The month ahead, worked out from what the store holds: pure, so every
//! case is a unit test on a fixed clock.
//!
//! - **Month-end projection**: the month's spend so far, plus each
//!   product's daily rate over the trailing 7 days times the days left, plus
//!   the number rentals renewing before the month ends.
//! - **The 1st**: Plivo debits number rentals in advance when it invoices,
//!   on the 1st of the month (a prepaid balance can go negative then). The
//!   balance after the 1st is today's, less what the rest of the month
//!   spends, less the rentals due on the 1st.
//! - **Runway**: the time until the balance reaches zero, spending at the
//!   daily rate and paying every rental on its day, month after month.
//! - **Warning**: the balance after the 1st would be below zero (or below
//!   the alert threshold) and auto-recharge is off.
//!
//! The month is the account's: its `timezone` field says where its 1st
//! begins. Days left are real time (a month with a DST change has an hour
//! more or less), since spend goes by the hour, not by the wall clock.
//! Taxes are not included: Plivo does not say them before invoicing.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan as _, ZonedDateTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use crate::store::{Number, Total};

/// How far back the daily rate looks.
pub const TRAILING: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The shortest history a rate is taken over: minutes of records would
/// make a wild daily rate.
pub const SHORTEST: SignedDuration = SignedDuration::from_hours(1);
/// How long after the back-fill's edge an account's first record may come
/// and its history still be taken as reaching the edge.
pub const QUIET: SignedDuration = SignedDuration::from_hours(24);
/// How far ahead the runway is worked out; beyond it, it is "more than".
pub const HORIZON: SignedDuration = SignedDuration::from_hours(366 * 24);
/// The places projected amounts are rounded to: Plivo's five.
const PLACES: u32 = 5;
/// Seconds in a day, for daily rates.
const DAY_SECONDS: i64 = 86_400;

/// The account's month around `now`: its first instant and the first
/// instant of the next (the 1st, when rentals are debited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// The 1st of this month, at the start of the day in the account's zone.
    pub start: ZonedDateTime,
    /// The 1st of next month, likewise.
    pub end: ZonedDateTime,
}

impl Month {
    /// The month that holds `now` in `zone`.
    pub fn at(now: Timestamp, zone: &TimeZone) -> Result<Self, jiff::Error> {
        let first = now.to_zoned_datetime(zone.clone()).date().first_of_month();
        Ok(Self {
            start: first.to_zoned_datetime(zone.clone())?.start_of_day()?,
            end: first
                .checked_add(1.month())?
                .to_zoned_datetime(zone.clone())?
                .start_of_day()?,
        })
    }

    /// `YYYY-MM`, as the JSON names it.
    pub fn name(&self) -> String {
        self.start.strftime("%Y-%m").to_string()
    }
}

/// The window the daily rate is read over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis {
    /// From (included).
    pub from: Timestamp,
    /// To (excluded): now.
    pub to: Timestamp,
    /// Whether it is the whole trailing week; if not, the account's history
    /// is shorter (a new account), and the rate is from what exists.
    pub full: bool,
}

impl Basis {
    /// The rate's window at `now` for a history beginning at `history`
    /// (see [`history_start`]): the trailing [`TRAILING`], or from where the
    /// history begins when that is later (at least [`SHORTEST`]). None when
    /// nothing has been synced: no rate can be known.
    pub fn at(now: Timestamp, history: Option<Timestamp>) -> Option<Self> {
        let history = history?;
        let week = now - TRAILING;
        let from = history.max(week).min(now - SHORTEST);
        Some(Self {
            from,
            to: now,
            full: from <= week,
        })
    }

    /// How long it is.
    pub fn length(&self) -> SignedDuration {
        self.to.duration_since(self.from)
    }
}

/// Where the account's history in the store begins: where the back-fill
/// reached (`covered`, the later of the lists' edges; None when a list was
/// never synced), or the first record when that comes more than [`QUIET`]
/// later: an account created since (or silent until then) has no week to
/// take a rate over, while the quiet hours before a busy account's first
/// record inside the window are only that.
pub fn history_start(
    covered: Option<Timestamp>,
    first_record: Option<Timestamp>,
) -> Option<Timestamp> {
    covered.map(|edge| match first_record {
        Some(first) if first.duration_since(edge) > QUIET => first,
        _ => edge,
    })
}

/// One product's share of the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The product, as the store keys it.
    pub product: String,
    /// Spent since the 1st.
    pub spent: Decimal,
    /// Per day, over the basis.
    pub daily: Decimal,
    /// `spent` + `daily` × days left.
    pub projected: Decimal,
}

/// Whose rent falls when, of the rented numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rentals {
    /// Renewing after now and before the 1st: in the month's projection.
    pub this_month: Decimal,
    /// Debited on the 1st.
    pub due_first: Decimal,
    /// How many numbers say no renewal date (or one that cannot be read):
    /// taken as debited on the 1st, as Plivo invoices.
    pub assumed: usize,
}

/// When the balance runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runway {
    /// It reaches zero at this time (now, if it is there already).
    Until(Timestamp),
    /// Not within [`HORIZON`] (or nothing is spent at all).
    Beyond(Timestamp),
}

/// Why the 1st needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    /// The balance after the 1st would be below zero, with auto-recharge off.
    BelowZero,
    /// Below the alert threshold (this many USD), with auto-recharge off.
    BelowAlert(Decimal),
}

/// What the forecast is worked out from.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// The fixed clock.
    pub now: Timestamp,
    /// The account's time zone.
    pub zone: &'a TimeZone,
    /// Spend since the 1st by product (the store's totals from
    /// `Month::start` to `now`).
    pub spent: &'a [Total],
    /// Spend over `basis` by product.
    pub trailing: &'a [Total],
    /// The rate's window; None: nothing synced, no rate.
    pub basis: Option<Basis>,
    /// The rented numbers.
    pub numbers: &'a [Number],
    /// The balance now.
    pub balance: Decimal,
    /// Whether Plivo tops the balance up by itself.
    pub auto_recharge: bool,
    /// The alert threshold, if one is set.
    pub alert_below: Option<Decimal>,
}

/// The month ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecast {
    /// The account's month.
    pub month: Month,
    /// Days from now to the 1st, real time.
    pub days_left: Decimal,
    /// By product, largest projection first.
    pub lines: Vec<Line>,
    /// Spent since the 1st.
    pub spent_to_date: Decimal,
    /// Per day, all products.
    pub daily: Decimal,
    /// The rate's window (None: no rate known, taken as zero).
    pub basis: Option<Basis>,
    /// The rentals and when they fall.
    pub rentals: Rentals,
    /// Spent by the end of the month.
    pub projected_month_end: Decimal,
    /// The balance now.
    pub balance_now: Decimal,
    /// The balance once the 1st's rentals are debited.
    pub balance_after_first: Decimal,
    /// Whether Plivo tops the balance up by itself.
    pub auto_recharge: bool,
    /// When the balance runs out.
    pub runway: Runway,
    /// Why the 1st needs attention, if it does.
    pub warning: Option<Warning>,
}

/// Works out the month ahead.
pub fn project(inputs: &Inputs<'_>) -> Result<Forecast, jiff::Error> {
    let now = inputs.now;
    let month = Month::at(now, inputs.zone)?;
    let days_left = days(month.end.timestamp().duration_since(now));
    let per_day = |amount: Decimal| match inputs.basis {
        Some(basis) => amount * Decimal::from(DAY_SECONDS) / seconds(basis.length()),
        None => Decimal::ZERO,
    };
    let mut products: Vec<&str> = inputs
        .spent
        .iter()
        .chain(inputs.trailing)
        .filter_map(|t| t.key.as_deref())
        .collect();
    products.sort_unstable();
    products.dedup();
    let sum = |totals: &[Total], product: &str| -> Decimal {
        totals
            .iter()
            .filter(|t| t.key.as_deref() == Some(product))
            .map(|t| t.amount)
            .sum()
    };
    let mut lines: Vec<Line> = products
        .into_iter()
        .map(|product| {
            let spent = sum(inputs.spent, product);
            let daily = per_day(sum(inputs.trailing, product));
            Line {
                product: product.to_owned(),
                spent,
                daily: money(daily),
                projected: money(spent + daily * days_left),
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.projected
            .cmp(&a.projected)
            .then(a.product.cmp(&b.product))
    });
    let spent_to_date: Decimal = inputs.spent.iter().map(|t| t.amount).sum();
    let daily = per_day(inputs.trailing.iter().map(|t| t.amount).sum());
    let today = now.to_zoned_datetime(inputs.zone.clone()).date();
    let first = month.end.date();
    let mut rentals = Rentals::default();
    for n in inputs.numbers {
        match next_renewal(n, today) {
            Some(date) if date < first => rentals.this_month += n.monthly_rental_rate,
            Some(date) if date == first => rentals.due_first += n.monthly_rental_rate,
            Some(_) => {}
            None => {
                rentals.assumed += 1;
                rentals.due_first += n.monthly_rental_rate;
            }
        }
    }
    let rest_of_month = daily * days_left;
    let projected_month_end = money(spent_to_date + rest_of_month + rentals.this_month);
    let balance_after_first =
        money(inputs.balance - rest_of_month - rentals.this_month - rentals.due_first);
    let warning = if inputs.auto_recharge {
        None
    } else if balance_after_first < Decimal::ZERO {
        Some(Warning::BelowZero)
    } else {
        inputs
            .alert_below
            .filter(|alert| balance_after_first < *alert)
            .map(Warning::BelowAlert)
    };
    let runway = runway(inputs, today, daily)?;
    Ok(Forecast {
        month,
        days_left,
        lines,
        spent_to_date,
        daily: money(daily),
        basis: inputs.basis,
        rentals,
        projected_month_end,
        balance_now: inputs.balance,
        balance_after_first,
        auto_recharge: inputs.auto_recharge,
        runway,
        warning,
    })
}

/// A number's next renewal on or after `today`: its `renewal_date`, moved
/// on a month at a time if that has passed (a store not synced since).
/// None when it says none, or one that cannot be read.
fn next_renewal(number: &Number, today: Date) -> Option<Date> {
    let said: Date = number.renewal_date.as_deref()?.parse().ok()?;
    renewals(said).find(|date| *date >= today)
}

/// `first`, then the same day of each month after it (the 31st falls on a
/// shorter month's last day, and comes back in the next long one).
fn renewals(first: Date) -> impl Iterator<Item = Date> {
    (0_i64..).map_while(move |months| first.checked_add(months.months()).ok())
}

/// When the balance reaches zero: spending `daily` all along and paying each
/// number's rent on its renewal days (the 1st for those that say none),
/// each at the start of its day in the account's zone.
fn runway(inputs: &Inputs<'_>, today: Date, daily: Decimal) -> Result<Runway, jiff::Error> {
    let now = inputs.now;
    let horizon = now + HORIZON;
    let mut debits: Vec<(Timestamp, Decimal)> = Vec::new();
    let first_next = Month::at(now, inputs.zone)?.end.date();
    for n in inputs.numbers {
        let start = next_renewal(n, today).unwrap_or(first_next);
        for date in renewals(start) {
            let at = date
                .to_zoned_datetime(inputs.zone.clone())?
                .start_of_day()?
                .timestamp();
            if at > horizon {
                break;
            }
            debits.push((at.max(now), n.monthly_rental_rate));
        }
    }
    debits.sort_by_key(|(at, _)| *at);
    let mut balance = inputs.balance;
    let mut at = now;
    if balance <= Decimal::ZERO {
        return Ok(Runway::Until(now));
    }
    for (when, rent) in debits.into_iter().chain([(horizon, Decimal::ZERO)]) {
        let spent = daily * days(when.duration_since(at));
        if spent >= balance {
            return Ok(Runway::Until(crossing(at, balance, daily)));
        }
        balance -= spent + rent;
        at = when;
        if balance <= Decimal::ZERO {
            return Ok(Runway::Until(when));
        }
    }
    Ok(Runway::Beyond(horizon))
}

/// When spending `daily` from `at` takes `balance` to zero.
fn crossing(at: Timestamp, balance: Decimal, daily: Decimal) -> Timestamp {
    let secs = (balance * Decimal::from(DAY_SECONDS) / daily)
        .floor()
        .to_i64()
        .unwrap_or(i64::MAX);
    at.checked_add(SignedDuration::from_secs(secs))
        .unwrap_or(Timestamp::MAX)
}

/// A duration in days, exactly to the second.
fn days(d: SignedDuration) -> Decimal {
    seconds(d) / Decimal::from(DAY_SECONDS)
}

fn seconds(d: SignedDuration) -> Decimal {
    Decimal::from(d.as_secs())
}

/// An amount worked out, to Plivo's five places.
fn money(amount: Decimal) -> Decimal {
    amount.round_dp(PLACES)
}

#[cfg(test)]
mod tests;
