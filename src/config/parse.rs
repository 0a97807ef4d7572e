//! Reading the config file's text: each profile's table, checked (ranges,
//! nesting, where `[keys]` may be), and the names profiles go by. No I/O.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use rust_decimal::Decimal;
use secrecy::SecretString;
use serde::Deserialize;

use super::keys::Binding;
use crate::cli::INTERVAL_SECS;

/// The days `history_days` may be.
const HISTORY_DAYS: RangeInclusive<u32> = 1..=3650;
/// The days `usage_days` may be: Plivo's record lists keep 90.
const USAGE_DAYS: RangeInclusive<u32> = 1..=90;

/// The seconds `usage_interval` may be: a sync reads each list at least
/// once, and the message list allows 20 requests a minute.
pub(crate) const USAGE_INTERVAL_SECS: RangeInclusive<u64> = 60..=86_400;

/// The config file, and each profile in it. Top-level keys are the default
/// profile; `[profiles.NAME]` tables are named ones, which fall back to the
/// top level for keys they leave out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Profile {
    pub(super) auth_id: Option<String>,
    pub(super) auth_token: Option<SecretString>,
    pub(super) api_url: Option<String>,
    pub(super) interval: Option<u64>,
    pub(super) alert_below: Option<Decimal>,
    pub(super) history_days: Option<u32>,
    pub(super) usage_days: Option<u32>,
    pub(super) spike_factor: Option<Decimal>,
    pub(super) new_destination_usd: Option<Decimal>,
    pub(super) usage_interval: Option<u64>,
    pub(super) mouse: Option<bool>,
    pub(super) on_alert: Option<String>,
    pub(super) notify: Option<bool>,
    /// Action name → a key or a list of keys (top level only).
    pub(super) keys: Option<BTreeMap<String, Binding>>,
    #[serde(default)]
    pub(super) profiles: BTreeMap<String, Profile>,
}

impl Profile {
    /// Whether this table names an account of its own (the top level is
    /// then a profile among the others).
    pub(super) fn has_credentials(&self) -> bool {
        self.auth_id.is_some() || self.auth_token.is_some()
    }
}

/// What makes a config file's text unusable, with its line where TOML
/// knows it; never the offending text, which might be the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// Not TOML, or a key of the wrong type or unknown: TOML's own words.
    #[error("{0}")]
    Toml(String),
    /// `[profiles.""]`.
    #[error("a profile's name cannot be empty")]
    EmptyName,
    /// `[profiles.a.profiles.b]`.
    #[error("profile {0:?}: profiles cannot nest")]
    Nested(String),
    /// `[profiles.a.keys]`.
    #[error("profile {0:?}: [keys] belongs at the top of the file, for every profile")]
    KeysInProfile(String),
    /// `interval` outside [`INTERVAL_SECS`].
    #[error(
        "interval must be between {} and {} seconds",
        INTERVAL_SECS.start(),
        INTERVAL_SECS.end()
    )]
    Interval,
    /// `history_days` outside its bounds.
    #[error(
        "history_days must be between {} and {}",
        HISTORY_DAYS.start(),
        HISTORY_DAYS.end()
    )]
    HistoryDays,
    /// `usage_days` outside its bounds.
    #[error(
        "usage_days must be between {} and {}",
        USAGE_DAYS.start(),
        USAGE_DAYS.end()
    )]
    UsageDays,
    /// `spike_factor` at or below 1: every ordinary hour would be a spike.
    #[error("spike_factor must be a number above 1 (e.g. 3): the last hour against its usual")]
    SpikeFactor,
    /// `new_destination_usd` below zero.
    #[error("new_destination_usd must be an amount of 0 USD or more (e.g. 1)")]
    NewDestination,
    /// `usage_interval` outside [`USAGE_INTERVAL_SECS`].
    #[error(
        "usage_interval must be between {} and {} seconds",
        USAGE_INTERVAL_SECS.start(),
        USAGE_INTERVAL_SECS.end()
    )]
    UsageInterval,
    /// A number out of bounds in a named profile.
    #[error("profile {0:?}: {1}")]
    InProfile(String, Box<Invalid>),
}

/// The name the file's top level goes by among the profiles.
pub const TOP_LEVEL: &str = "default";

/// Whether the profile `name` means the file's top level, as every command
/// reads it: "default" does, unless a profile has that name.
pub fn means_top_level(name: &str, a_profile_is_called_default: bool) -> bool {
    name == TOP_LEVEL && !a_profile_is_called_default
}
/// What the top level is listed as where a profile is called "default".
pub const TOP_LEVEL_SHOWN: &str = "(top level)";
/// What an account the environment names is listed as.
pub const FROM_ENVIRONMENT: &str = "(environment)";

/// Why `name` cannot be a new profile's, if it cannot: the lists use it
/// for something else.
pub fn unusable_profile_name(name: &str) -> Option<String> {
    [TOP_LEVEL_SHOWN, FROM_ENVIRONMENT]
        .contains(&name.trim())
        .then(|| {
            format!(
                "{:?} is what the profile list calls something else: choose another name",
                name.trim()
            )
        })
}

/// Whether `text` is a config file plivo-dash can use, or why not (with
/// its line): what `login` checks before it edits one.
pub fn validate(text: &str) -> Result<(), Invalid> {
    parse(text).map(|_| ())
}

/// The config file in `text`, checked.
pub(super) fn parse(text: &str) -> Result<Profile, Invalid> {
    let file: Profile =
        toml::from_str(text).map_err(|e| Invalid::Toml(describe_toml_error(&e, text)))?;
    check_ranges(&file)?;
    for (name, profile) in &file.profiles {
        if name.trim().is_empty() {
            return Err(Invalid::EmptyName);
        }
        if !profile.profiles.is_empty() {
            return Err(Invalid::Nested(name.clone()));
        }
        if profile.keys.is_some() {
            return Err(Invalid::KeysInProfile(name.clone()));
        }
        check_ranges(profile).map_err(|e| Invalid::InProfile(name.clone(), Box::new(e)))?;
    }
    Ok(file)
}

/// The numbers a profile may hold, within their bounds.
fn check_ranges(profile: &Profile) -> Result<(), Invalid> {
    if profile
        .interval
        .is_some_and(|i| !INTERVAL_SECS.contains(&i))
    {
        return Err(Invalid::Interval);
    }
    if profile
        .history_days
        .is_some_and(|d| !HISTORY_DAYS.contains(&d))
    {
        return Err(Invalid::HistoryDays);
    }
    if profile.usage_days.is_some_and(|d| !USAGE_DAYS.contains(&d)) {
        return Err(Invalid::UsageDays);
    }
    if profile.spike_factor.is_some_and(|f| f <= Decimal::ONE) {
        return Err(Invalid::SpikeFactor);
    }
    if profile
        .new_destination_usd
        .is_some_and(|usd| usd < Decimal::ZERO)
    {
        return Err(Invalid::NewDestination);
    }
    if profile
        .usage_interval
        .is_some_and(|i| !USAGE_INTERVAL_SECS.contains(&i))
    {
        return Err(Invalid::UsageInterval);
    }
    Ok(())
}

/// A TOML error as one line with its position; never the offending text,
/// which might be the token.
fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let message = e
        .message()
        .lines()
        .next()
        .unwrap_or("syntax error")
        .to_owned();
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}
