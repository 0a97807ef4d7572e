//! Spend spikes: the costliest thing on a telephony account is a sudden
//! burst (SMS pumping, toll fraud), and the alert is worth most when it
//! names its source. Two rules, judged after each sync:
//!
//! - **Rate**: the last hour's spend is above `spike_factor` (default 3)
//!   times the same hour's average over the days before (up to 7, as many
//!   as the store holds), and above [`FLOOR`]: an hour that spends 1 USD or
//!   less is never a spike, however quiet the week was, so a quiet account
//!   does not alert on cents.
//! - **New destination**: spend to a country over the last two UTC days
//!   (today and yesterday, so a slow burst still adds up) passes
//!   `new_destination_usd` (default 1), and the account has no record to it
//!   on the 30 UTC days before those (or on as many as the store's
//!   back-fill reaches, at least one, however few records it found there:
//!   an account silent for a week that starts spending to a country has
//!   never sent there as far as anyone can tell; the alert says how many
//!   days that was).
//!
//! Each alert names its top contributor: the country, subaccount and number
//! that spent most (in the last hour; for a new country, to it). A
//! [`Detector`] says each spike once: a rule that fired stays quiet until
//! it has fallen to half of what fires it (the rate), or the country is no
//! longer new or has fallen to half the amount, and only then may fire
//! again. [`observe`] reads what the rules need from the store; the rules
//! themselves are pure.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan as _};
use rust_decimal::Decimal;

use crate::store::{GroupBy, Store, StoreError, Total};

/// An hour spending this many USD or less is never a rate spike.
pub const FLOOR: Decimal = Decimal::ONE;
/// How many days before the same hour is averaged over.
pub const SAME_HOUR_DAYS: i32 = 7;
/// How many days before the recent two a new country must not be seen on.
pub const LOOKBACK_DAYS: i32 = 30;
/// The window the rate rule judges.
const HOUR: SignedDuration = SignedDuration::from_hours(1);
/// A day, as the same hour's days are apart.
const DAY: SignedDuration = SignedDuration::from_hours(24);

/// When an alert fires: the `spike_factor` and `new_destination_usd`
/// settings (`config::Settings`, where their defaults are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// The last hour against the same hour's average.
    pub factor: Decimal,
    /// USD to a country not seen before.
    pub new_destination: Decimal,
}

/// Who spent most: each `None` when nothing was spent, or not known (an
/// unattributed record has no subaccount).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Top {
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    /// `SA…`.
    pub subaccount: Option<String>,
    /// The account's own number.
    pub number: Option<String>,
}

/// A country with spend in the recent days and none on the days before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCountry {
    /// ISO 3166 alpha-2.
    pub country: String,
    /// Spent to it over the recent days.
    pub amount: Decimal,
    /// Its top subaccount and number (its `country` is itself).
    pub top: Top,
}

/// What the store says at one moment: what the rules judge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observation {
    /// Spent in the last hour.
    pub last_hour: Decimal,
    /// Spent in the same hour on each day before that the store covers,
    /// yesterday first (at most [`SAME_HOUR_DAYS`]).
    pub same_hour: Vec<Decimal>,
    /// The last hour's top contributors.
    pub top: Top,
    /// New countries whose recent spend is above half of
    /// `new_destination` (the half that rearms a fired one); None when
    /// the store holds too little to say.
    pub new_countries: Option<Vec<NewCountry>>,
    /// How many days before the recent two those countries were looked
    /// for and not found: [`LOOKBACK_DAYS`], or fewer when the store's
    /// back-fill reaches back less far (0 when not judged).
    pub days_before: i32,
}

/// An alert to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spike {
    /// The last hour spent far more than its usual.
    Rate {
        /// Spent in the last hour.
        last_hour: Decimal,
        /// The same hour's average over the days before.
        usual: Decimal,
        /// Who spent most in it.
        top: Top,
    },
    /// Spend to a country not seen before passed the threshold.
    NewDestination {
        /// ISO 3166 alpha-2.
        country: String,
        /// Spent to it over the recent days.
        amount: Decimal,
        /// Its top subaccount and number.
        top: Top,
    },
}

/// The same hour's average over `same_hour`, and what the last hour must
/// pass to be a spike; None with no day to compare with.
pub fn rate_threshold(factor: Decimal, same_hour: &[Decimal]) -> Option<(Decimal, Decimal)> {
    let days = Decimal::from(same_hour.len());
    if days.is_zero() {
        return None;
    }
    let usual = same_hour.iter().sum::<Decimal>() / days;
    Some((usual, rate_bar(factor, usual)))
}

/// What the last hour must pass to be a spike, when the same hour's
/// average is `usual`: `factor` times it, never below [`FLOOR`].
pub fn rate_bar(factor: Decimal, usual: Decimal) -> Decimal {
    (factor * usual).max(FLOOR)
}

/// Says each spike once, with hysteresis (see the module's note).
#[derive(Debug, Clone)]
pub struct Detector {
    thresholds: Thresholds,
    /// The rate rule fired and has not fallen back to half.
    rate_fired: bool,
    /// The new countries alerted on and still new.
    countries_fired: BTreeSet<String>,
}

impl Detector {
    /// A detector with nothing fired yet.
    pub fn new(thresholds: Thresholds) -> Self {
        Self {
            thresholds,
            rate_fired: false,
            countries_fired: BTreeSet::new(),
        }
    }

    /// The thresholds it judges by.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Whether the rate rule fired and has not fallen back to half.
    pub fn rate_fired(&self) -> bool {
        self.rate_fired
    }

    /// Whether `country` was alerted on as a new destination and has not
    /// rearmed: a rate spike it tops is the same burst, said already.
    pub fn named(&self, country: &str) -> bool {
        self.countries_fired.contains(country)
    }

    /// The alerts `observation` gives that were not given already.
    pub fn update(&mut self, observation: &Observation) -> Vec<Spike> {
        let mut spikes = Vec::new();
        // No day to compare with: nothing to judge, and nothing forgotten.
        if let Some((usual, threshold)) =
            rate_threshold(self.thresholds.factor, &observation.same_hour)
        {
            let last_hour = observation.last_hour;
            if !self.rate_fired && last_hour > threshold {
                self.rate_fired = true;
                spikes.push(Spike::Rate {
                    last_hour,
                    usual,
                    top: observation.top.clone(),
                });
            } else if self.rate_fired && last_hour <= threshold / Decimal::TWO {
                self.rate_fired = false;
            }
        }
        if let Some(countries) = &observation.new_countries {
            let threshold = self.thresholds.new_destination;
            self.countries_fired.retain(|fired| {
                countries
                    .iter()
                    .any(|c| &c.country == fired && c.amount > threshold / Decimal::TWO)
            });
            for c in countries {
                if c.amount > threshold && self.countries_fired.insert(c.country.clone()) {
                    spikes.push(Spike::NewDestination {
                        country: c.country.clone(),
                        amount: c.amount,
                        top: c.top.clone(),
                    });
                }
            }
        }
        spikes
    }
}

/// How far back `auth_id`'s records in the store reach, as [`observe`]
/// takes it: where both lists' back-fills reach (None: a list never
/// synced), whether or not any record was found there.
pub fn history(store: &Store, auth_id: &str) -> Result<Option<Timestamp>, StoreError> {
    let calls = store.position(auth_id, crate::store::Kind::Call)?;
    let messages = store.position(auth_id, crate::store::Kind::Message)?;
    // Both lists must reach back for a window to be whole.
    Ok(calls.backfill.zip(messages.backfill).map(|(c, m)| c.max(m)))
}

/// The largest group's key.
fn first_key(totals: Vec<Total>) -> Option<String> {
    totals.into_iter().find(|t| !t.amount.is_zero())?.key
}

/// The key whose amounts add up to most (the least key among equals, so
/// the same records always name the same one); None when nothing was
/// spent, or the most went to no key (unknown, unattributed).
fn largest<'a>(amounts: impl Iterator<Item = (Option<&'a str>, Decimal)>) -> Option<String> {
    let mut sums: BTreeMap<Option<&str>, Decimal> = BTreeMap::new();
    for (key, amount) in amounts {
        *sums.entry(key).or_default() += amount;
    }
    sums.into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .fold(
            None,
            |best: Option<(Option<&str>, Decimal)>, (key, amount)| match best {
                Some((_, most)) if most >= amount => best,
                _ => Some((key, amount)),
            },
        )
        .and_then(|(key, _)| key.map(str::to_owned))
}

/// Reads what the rules judge at `now` from `auth_id`'s records in the
/// store, which reach back to `covered` ([`history`]; None: never synced,
/// nothing judged). The rate rule compares with the days since the
/// account's history begins ([`super::forecast::history_start`]: an
/// account whose first record came long after that edge has no usual
/// hour yet); the new-destination rule looks back as far as `covered`.
pub fn observe(
    store: &Store,
    auth_id: &str,
    now: Timestamp,
    covered: Option<Timestamp>,
    thresholds: &Thresholds,
) -> Result<Observation, StoreError> {
    // Records' times are whole seconds.
    let now = super::sync::plan::whole_second(now);
    let last = (now - HOUR, now);
    let mut windows = Vec::new();
    let history = match covered {
        Some(_) => super::forecast::history_start(covered, store.first_record(auth_id)?),
        None => None,
    };
    if let Some(history) = history {
        for days in 1..=SAME_HOUR_DAYS {
            let back = DAY * days;
            let window = (last.0 - back, last.1 - back);
            if window.0 < history {
                break;
            }
            windows.push(window);
        }
    }
    let same_hour = store.spend_in(auth_id, &windows)?;
    let sources = store.sources(auth_id, last.0, last.1)?;
    let last_hour = sources.iter().map(|s| s.amount).sum();
    let top = Top {
        country: largest(sources.iter().map(|s| (s.country.as_deref(), s.amount))),
        subaccount: largest(sources.iter().map(|s| (s.subaccount.as_deref(), s.amount))),
        number: largest(sources.iter().map(|s| (Some(s.number.as_str()), s.amount))),
    };
    let (days_before, new_countries) = match covered {
        Some(covered) => new_countries(store, auth_id, now, covered, thresholds)?
            .map_or((0, None), |(days, found)| (days, Some(found))),
        None => (0, None),
    };
    Ok(Observation {
        last_hour,
        same_hour,
        top,
        new_countries,
        days_before,
    })
}

/// The recent days' countries above half the threshold that the days
/// before never saw, with how many days before were looked at; None when
/// the store reaches no day before them.
fn new_countries(
    store: &Store,
    auth_id: &str,
    now: Timestamp,
    covered: Timestamp,
    thresholds: &Thresholds,
) -> Result<Option<(i32, Vec<NewCountry>)>, StoreError> {
    let utc = |t: Timestamp| t.to_zoned_datetime(TimeZone::UTC).date();
    let today = utc(now);
    let (Ok(recent), Ok(tomorrow), Ok(lookback)) = (
        today.checked_sub(1.day()),
        today.checked_add(1.day()),
        today.checked_sub((LOOKBACK_DAYS + 1).days()),
    ) else {
        return Ok(None);
    };
    let seen_from = lookback.max(utc(covered));
    let Ok(days_before) = seen_from.until(recent).map(|span| span.get_days()) else {
        return Ok(None);
    };
    if days_before < 1 {
        return Ok(None);
    }
    let start = |date: Date| {
        date.to_zoned_datetime(TimeZone::UTC)
            .map(|z| z.timestamp())
            .ok()
    };
    let (Some(from), Some(to)) = (start(recent), start(tomorrow)) else {
        return Ok(None);
    };
    let half = thresholds.new_destination / Decimal::TWO;
    let mut found = Vec::new();
    for total in store.totals(auth_id, from, to, GroupBy::Country)? {
        let Some(country) = total.key else { continue };
        if total.amount <= half || store.country_seen(auth_id, &country, seen_from, recent)? {
            continue;
        }
        let top = |by| {
            store
                .country_totals(auth_id, &country, recent, tomorrow, by)
                .map(first_key)
        };
        let top = Top {
            country: Some(country.clone()),
            subaccount: top(GroupBy::Subaccount)?,
            number: top(GroupBy::Number)?,
        };
        found.push(NewCountry {
            country,
            amount: total.amount,
            top,
        });
    }
    Ok(Some((days_before, found)))
}

#[cfg(test)]
mod tests;
