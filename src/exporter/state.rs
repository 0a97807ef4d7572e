//! What the exporter knows of each account, from its worker's reports:
//! the last balance and facts, whether the last poll worked, the history
//! and its estimate. Pure: the event loop feeds it reports and the time;
//! what it asks of the workers comes back as requests.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

use crate::monitor::{Estimate, Sample, Series, Tracker};
use crate::plivo::{Account, Tally};
use crate::text::SafeText;
use crate::worker::usage::Status;
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
}

/// One account as the exporter follows it: its latest reading, and the
/// history its burn rate and runway come from.
#[derive(Debug)]
pub struct Exported {
    reading: Reading,
    tracker: Tracker,
    period: Duration,
    counted_at: Option<Timestamp>,
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
            },
            tracker: Tracker::new(retention),
            period,
            counted_at: None,
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
        match report {
            Report::Loaded { account, at } => {
                let sample = Sample {
                    at,
                    credits: account.cash_credits,
                };
                if self.tracker.seen(sample) {
                    asks.push(Request::Record(sample));
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
            Report::Usage(
                Status::Failed { error }
                | Status::Unavailable { error }
                | Status::SetAside { notice: error },
            ) => {
                tracing::warn!(profile = %self.reading.profile, %error, "usage sync");
            }
            Report::Usage(_) => {}
            Report::SubaccountCount { total } => self.reading.subaccounts = Some(total),
            Report::Saved { .. }
            | Report::SubaccountsPage { .. }
            | Report::SubaccountsListed { .. }
            | Report::SubaccountChanged { .. }
            | Report::SubaccountDeleted { .. } => {}
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
        asks
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
