//! What the exporter knows of each account, from its worker's reports:
//! the last balance and facts, whether the last poll worked, the history
//! and its estimate, the spend and the month ahead from the store after
//! each usage sync. Pure: the event loop feeds it reports and the time;
//! what it asks of the workers comes back as requests.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

use super::spend::{self, Counter};
use crate::monitor::{Estimate, Sample, Series, Tracker};
use crate::plivo::{Account, Tally};
use crate::text::SafeText;
use crate::usage::ahead::MonthRecords;
use crate::worker::usage::{Standing, Status};
use crate::worker::{Op, Report, Request};

/// How often the subaccounts are counted again: they change by hand, not
/// by the minute, and each count is a request.
pub const RECOUNT: SignedDuration = SignedDuration::from_mins(15);

/// The account's own facts, from its last successful fetch, made safe
/// where they arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Its name.
    pub name: SafeText,
    /// `standard` or `developer`, as the API spells it.
    pub account_type: SafeText,
    /// `prepaid` or `postpaid`, as the API spells it.
    pub billing_mode: SafeText,
    /// Its IANA time zone.
    pub timezone: SafeText,
    /// Whether auto-recharge is on.
    pub auto_recharge: bool,
}

/// One account as `/metrics` and `/` show it: everything a scrape needs,
/// small enough to copy at every report.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The profile it was configured under.
    pub profile: String,
    /// Its auth id.
    pub auth_id: String,
    /// Whether the last poll worked; `None` before the first has ended.
    pub up: Option<bool>,
    /// The last balance known (from this run, or the history file) and when
    /// it was fetched.
    pub balance: Option<Sample>,
    /// The facts from the last successful fetch of this run.
    pub facts: Option<Facts>,
    /// USD spent per hour, while spending.
    pub burn_per_hour: Option<Decimal>,
    /// Until the balance reaches zero at that rate.
    pub runway: Option<SignedDuration>,
    /// How many subaccounts it has, once counted.
    pub subaccounts: Option<u32>,
    /// Why the last poll failed, or the history file's trouble.
    pub problem: Option<String>,
    /// Requests made for it, by how they ended.
    pub requests: Tally,
    /// USD ever spent by product, from the store: counters, never going
    /// down (see [`Counter`]).
    pub spend: Vec<(String, Decimal)>,
    /// The last 24 hours' spend by destination country: the largest
    /// [`spend::TOP_COUNTRIES`], then `other`.
    pub day_countries: Vec<(String, Decimal)>,
    /// Spent by the end of the account's month, projected.
    pub month_end: Option<Decimal>,
    /// The balance once the rentals due on the 1st are debited.
    pub balance_after_rentals: Option<Decimal>,
    /// The time the last usage sync that ended well read up to.
    pub synced_at: Option<Timestamp>,
}

impl Reading {
    /// How old the stored usage is at `now`; absent until a sync has ended
    /// well, since no age is known before that.
    pub fn sync_age(&self, now: Timestamp) -> Option<SignedDuration> {
        self.synced_at
            .map(|at| now.duration_since(at).max(SignedDuration::ZERO))
    }
}

/// One account as the exporter follows it: its latest reading, and the
/// history its burn rate and runway come from.
#[derive(Debug)]
pub struct Exported {
    reading: Reading,
    tracker: Tracker,
    period: Duration,
    counted_at: Option<Timestamp>,
    sync: Standing,
    spent: Counter,
    /// The month's records from the last digest.
    month: Option<MonthRecords>,
}

impl Exported {
    /// An account polled every `period`, its requests counted in
    /// `requests`, keeping `retention` of history.
    pub fn new(
        profile: &str,
        auth_id: &str,
        period: Duration,
        retention: SignedDuration,
        requests: Tally,
    ) -> Self {
        Self {
            reading: Reading {
                profile: profile.to_owned(),
                auth_id: auth_id.to_owned(),
                up: None,
                balance: None,
                facts: None,
                burn_per_hour: None,
                runway: None,
                subaccounts: None,
                problem: None,
                requests,
                spend: Vec::new(),
                day_countries: Vec::new(),
                month_end: None,
                balance_after_rentals: None,
                synced_at: None,
            },
            tracker: Tracker::new(retention),
            period,
            counted_at: None,
            sync: Standing::default(),
            spent: Counter::default(),
            month: None,
        }
    }

    /// A profile that cannot be polled, and why: it is down from the start,
    /// so an alert on `up` fires rather than the series going missing.
    pub(crate) fn unusable(profile: &str, auth_id: &str, why: String) -> Self {
        let mut exported = Self::new(
            profile,
            auth_id,
            Duration::ZERO,
            SignedDuration::ZERO,
            Tally::default(),
        );
        exported.stopped(why);
        exported
    }

    /// Its polling has ended for good, for this reason: down from now on,
    /// the last balance still exported.
    pub fn stopped(&mut self, why: String) {
        self.reading.up = Some(false);
        self.reading.problem = Some(why);
    }

    /// The balances kept, bounded by the retention.
    pub fn history(&self) -> &Series {
        self.tracker.history()
    }

    /// What `/metrics` shows of it now.
    pub fn reading(&self) -> &Reading {
        &self.reading
    }

    /// Takes in one of its worker's reports at `now`; gives what to ask
    /// of the worker next.
    pub fn update(&mut self, report: Report, now: Timestamp) -> Vec<Request> {
        let mut asks = Vec::new();
        // Only a new balance or a new month moves the month ahead, and
        // projecting walks every rented number's renewals.
        let reproject = matches!(report, Report::Loaded { .. } | Report::Digest(Ok(_)));
        match report {
            Report::Loaded { account, at } => {
                let sample = Sample {
                    at,
                    credits: account.cash_credits,
                };
                if self.tracker.seen(sample) {
                    asks.push(Request::Record(sample));
                }
                // A sync that ended before the account arrived could not
                // say which zone its month is in.
                if self.reading.facts.is_none() && self.sync.synced_at.is_some() {
                    asks.push(digest(&account.timezone));
                }
                self.reading.facts = Some(facts(&account));
                self.reading.up = Some(true);
                self.reading.problem = None;
                if account.auth_id.starts_with("MA")
                    && self
                        .counted_at
                        .is_none_or(|then| now.duration_since(then) >= RECOUNT)
                {
                    self.counted_at = Some(now);
                    asks.push(Request::CountSubaccounts);
                }
            }
            Report::Failed {
                op: Op::Refresh,
                error,
                ..
            } => {
                tracing::warn!(profile = %self.reading.profile, %error, "poll failed");
                self.reading.up = Some(false);
                self.reading.problem = Some(error.to_string());
            }
            Report::Failed { error, .. } => {
                // A failed count keeps the last one; it is tried again later.
                tracing::warn!(profile = %self.reading.profile, %error, "count failed");
            }
            Report::History {
                samples, warning, ..
            } => {
                self.tracker.restore(samples);
                if let Some(warning) = warning {
                    tracing::warn!(profile = %self.reading.profile, %warning, "history");
                }
            }
            Report::HistoryUnwritable { error } => {
                tracing::warn!(profile = %self.reading.profile, %error, "history");
            }
            Report::Schedule { period, .. } => self.period = period,
            Report::Usage(status) => {
                if let Status::Failed { error }
                | Status::Unavailable { error }
                | Status::SetAside { notice: error } = &status
                {
                    tracing::warn!(profile = %self.reading.profile, %error, "usage sync");
                }
                self.sync.take(&status);
                self.reading.synced_at = self.sync.synced_at;
                // Only a whole sync: a back-fill's records arriving page by
                // page would read as an hour's spend.
                if let (Status::Synced { .. }, Some(facts)) = (&status, &self.reading.facts) {
                    asks.push(digest(facts.timezone.as_str()));
                }
            }
            Report::Digest(Ok(digest)) => {
                self.spent.take(&digest.ever);
                self.reading.spend = self
                    .spent
                    .counted()
                    .map(|(product, amount)| (product.to_owned(), amount))
                    .collect();
                self.reading.day_countries =
                    spend::top_and_other(&digest.day_countries, spend::TOP_COUNTRIES);
                self.month = Some(digest.month);
            }
            // The last digest's values stay: the next sync asks again.
            Report::Digest(Err(error)) => {
                tracing::warn!(profile = %self.reading.profile, %error, "usage digest");
            }
            Report::SubaccountCount { total } => self.reading.subaccounts = Some(total),
            Report::Saved { .. }
            | Report::SubaccountsPage { .. }
            | Report::SubaccountsListed { .. }
            | Report::SubaccountChanged { .. }
            | Report::SubaccountDeleted { .. }
            | Report::UsageView { .. } => {}
        }
        self.tracker.reestimate(self.period, None);
        self.reading.balance = self
            .tracker
            .latest()
            .or_else(|| self.tracker.history().samples().back().copied());
        (self.reading.burn_per_hour, self.reading.runway) = match self.tracker.estimate() {
            Estimate::Burning {
                per_hour, to_zero, ..
            } => (Some(*per_hour), Some(*to_zero)),
            Estimate::NotEnoughData { .. } | Estimate::Steady { .. } => (None, None),
        };
        if reproject {
            self.project();
        }
        asks
    }

    /// The month ahead from the last digest's records with the balance
    /// known now: a new balance moves the balance after the 1st at once.
    fn project(&mut self) {
        let (Some(month), Some(balance), Some(facts)) =
            (&self.month, self.reading.balance, &self.reading.facts)
        else {
            return;
        };
        // The alert threshold only words the forecast's warning, which
        // no metric shows.
        match month.project(balance.credits, facts.auto_recharge, None) {
            Ok(forecast) => {
                self.reading.month_end = Some(forecast.projected_month_end);
                self.reading.balance_after_rentals = Some(forecast.balance_after_first);
            }
            Err(error) => {
                tracing::warn!(profile = %self.reading.profile, %error, "month ahead");
                (self.reading.month_end, self.reading.balance_after_rentals) = (None, None);
            }
        }
    }
}

/// Asks for the usage digest, the month in the account's `zone`.
fn digest(zone: &str) -> Request {
    Request::Digest {
        zone: zone.to_owned(),
    }
}

fn facts(account: &Account) -> Facts {
    Facts {
        name: SafeText::new(&account.name),
        account_type: SafeText::new(account.account_type.as_str()),
        billing_mode: SafeText::new(account.billing_mode.as_str()),
        timezone: SafeText::new(&account.timezone),
        auto_recharge: account.auto_recharge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exported() -> Exported {
        Exported::new(
            "main",
            "MA2025RK4E639VJFZAGV",
            Duration::from_secs(60),
            SignedDuration::from_hours(24),
            Tally::default(),
        )
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a time")
    }

    #[test]
    fn the_sync_age_is_absent_until_a_sync_ends_well_then_counts_from_it() {
        let mut account = exported();
        let now = at("2026-12-05T12:00:00Z");
        let failed = Status::Failed {
            error: "the store is locked".to_owned(),
        };
        account.update(Report::Usage(failed.clone()), now);
        let backfilling = Status::Backfilling {
            list: crate::worker::usage::List::Calls,
            done: 1,
            of: 5,
        };
        account.update(Report::Usage(backfilling), now);
        assert_eq!(account.reading().synced_at, None);
        assert_eq!(account.reading().sync_age(now), None, "no made-up 0");

        let synced = Status::Synced {
            at: at("2026-12-05T12:00:30Z"),
            records: 40,
        };
        account.update(Report::Usage(synced), now);
        assert_eq!(
            account.reading().sync_age(at("2026-12-05T12:05:00Z")),
            Some(SignedDuration::from_secs(270))
        );
        // A later failure leaves the last good sync's time: the age grows.
        account.update(Report::Usage(failed), now);
        assert_eq!(
            account.reading().sync_age(at("2026-12-05T13:00:30Z")),
            Some(SignedDuration::from_hours(1))
        );
        // A clock read before the sync's own says fresh, not negative.
        assert_eq!(
            account.reading().sync_age(at("2026-12-05T12:00:00Z")),
            Some(SignedDuration::ZERO)
        );
    }

    fn loaded(balance: Decimal, now: Timestamp) -> Report {
        let mut account = crate::sandbox::demo_account();
        account.timezone = "America/New_York".to_owned();
        account.cash_credits = balance;
        Report::Loaded {
            account: Box::new(account),
            at: now,
        }
    }

    fn total(key: &str, amount: Decimal) -> crate::store::Total {
        crate::store::Total {
            key: Some(key.to_owned()),
            count: 1,
            amount,
        }
    }

    fn number(rate: Decimal, renews: &str) -> crate::store::Number {
        crate::store::Number {
            number: "14155550100".to_owned(),
            monthly_rental_rate: rate,
            sub_account: None,
            renewal_date: Some(renews.to_owned()),
            number_type: "local".to_owned(),
            country: Some("US".to_owned()),
        }
    }

    /// At midnight in New York, 10 days before the 1st: 250 spent since
    /// the 1st, 70 over the trailing week (10 a day), a number renewing on
    /// the 25th (2) and one on the 1st (0.8); `ever` by product, and 22
    /// countries over the last day.
    fn digest(now: Timestamp, ever: Decimal) -> Report {
        let zone = jiff::tz::TimeZone::get("America/New_York").unwrap();
        let countries = (0..22u8)
            .map(|i| {
                let code = format!("A{}", char::from(b'A' + i));
                total(&code, Decimal::from(100 - i))
            })
            .collect();
        Report::Digest(Ok(Box::new(crate::usage::digest::Digest {
            at: now,
            ever: vec![total("sms-outbound", ever)],
            day_products: Vec::new(),
            day_countries: countries,
            month: MonthRecords {
                now,
                zone,
                spent: vec![total("sms-outbound", Decimal::from(250))],
                trailing: vec![total("sms-outbound", Decimal::from(70))],
                basis: Some(crate::usage::forecast::Basis {
                    from: now - SignedDuration::from_hours(7 * 24),
                    to: now,
                    full: true,
                }),
                numbers: vec![
                    number(Decimal::TWO, "2026-12-25"),
                    number(Decimal::new(8, 1), "2027-01-01"),
                ],
                covered: Some(at("2026-11-01T00:00:00Z")),
                newest: Some(now),
            },
        })))
    }

    fn asks_digest(asks: &[Request]) -> bool {
        asks.contains(&Request::Digest {
            zone: "America/New_York".to_owned(),
        })
    }

    #[test]
    fn a_sync_asks_for_the_digest_in_the_accounts_zone_and_the_reading_shows_it() {
        let mut account = exported();
        let now = at("2026-12-22T05:00:00Z");
        let synced = Report::Usage(Status::Synced {
            at: now,
            records: 9,
        });
        // Synced before the account is known: its zone is not yet.
        assert!(!asks_digest(&account.update(synced.clone(), now)));
        assert!(asks_digest(
            &account.update(loaded(Decimal::from(500), now), now)
        ));
        // Once known, it is asked only after a sync.
        assert!(!asks_digest(
            &account.update(loaded(Decimal::from(500), now), now)
        ));
        assert_eq!(account.reading().month_end, None, "nothing read yet");

        account.update(digest(now, Decimal::new(123_456, 2)), now);
        let reading = account.reading();
        assert_eq!(
            reading.spend,
            [("sms-outbound".to_owned(), Decimal::new(123_456, 2))]
        );
        assert_eq!(reading.day_countries.len(), 21);
        assert_eq!(
            reading.day_countries[0],
            ("AA".to_owned(), Decimal::from(100))
        );
        assert_eq!(
            reading.day_countries[19],
            ("AT".to_owned(), Decimal::from(81))
        );
        // AU and AV: 80 + 79.
        assert_eq!(
            reading.day_countries[20],
            ("other".to_owned(), Decimal::from(159))
        );
        // 250 + 10 a day × 10 days + the 25th's 2.
        assert_eq!(reading.month_end, Some(Decimal::from(352)));
        // 500 − 100 − 2 − the 1st's 0.8.
        assert_eq!(reading.balance_after_rentals, Some(Decimal::new(3972, 1)));

        // A new balance moves the balance after the 1st at once.
        account.update(loaded(Decimal::from(400), now), now);
        assert_eq!(
            account.reading().balance_after_rentals,
            Some(Decimal::new(2972, 1))
        );
        assert_eq!(account.reading().month_end, Some(Decimal::from(352)));

        // The next sync asks again; a store whose sum fell leaves the
        // counter where it was, and a digest that failed leaves it all.
        assert!(asks_digest(&account.update(synced, now)));
        account.update(digest(now, Decimal::from(5)), now);
        assert_eq!(
            account.reading().spend,
            [("sms-outbound".to_owned(), Decimal::new(123_456, 2))]
        );
        account.update(Report::Digest(Err("the store is locked".to_owned())), now);
        assert_eq!(
            account.reading().spend,
            [("sms-outbound".to_owned(), Decimal::new(123_456, 2))]
        );
        assert_eq!(account.reading().month_end, Some(Decimal::from(352)));
    }
}
