//! `/metrics`: the readings in Prometheus's exposition formats, through the
//! official client crate. Encoded at each scrape from the readings the
//! event loop last published: a scrape never causes a request to Plivo.
//!
//! The names are a contract: docs/exporter.md's table of metrics lists them,
//! and dashboards and alerts are written against them. Every
//! account series has the labels `profile` and `auth_id`; label values come
//! from the API made safe where they arrived, and the crate escapes them.

use std::fmt;

use jiff::Timestamp;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use tokio::sync::watch;

use super::state::Reading;

/// The exposition formats a scraper may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OpenMetrics 1.0.0 text: units, info metrics, `# EOF`.
    OpenMetrics,
    /// The Prometheus text format 0.0.4: what everything else reads.
    Text,
}

impl Format {
    /// The `Content-Type` of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Text => prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
        }
    }

    /// The format an `Accept` header prefers: the highest `q` among the
    /// media types served, OpenMetrics on a tie (it says more), the 0.0.4
    /// text when nothing served is named (`*/*`, a browser, no header).
    pub(crate) fn negotiate(accept: Option<&str>) -> Self {
        let mut best: Option<(u16, Format)> = None;
        for range in accept.unwrap_or_default().split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default().to_ascii_lowercase();
            let mut q = 1000;
            let mut version = None;
            for param in parts {
                let Some((key, value)) = param.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => q = quality(value),
                    "version" => version = Some(value.to_owned()),
                    _ => {}
                }
            }
            let format = match (media.as_str(), version.as_deref()) {
                ("application/openmetrics-text", None | Some("1.0.0" | "0.0.1")) => {
                    Format::OpenMetrics
                }
                ("text/plain", None | Some("0.0.4" | "1.0.0")) | ("*/*" | "text/*", None) => {
                    Format::Text
                }
                _ => continue,
            };
            let better = match best {
                None => true,
                Some((best_q, best_format)) => {
                    q > best_q
                        || (q == best_q
                            && format == Format::OpenMetrics
                            && best_format == Format::Text)
                }
            };
            if q > 0 && better {
                best = Some((q, format));
            }
        }
        best.map_or(Format::Text, |(_, format)| format)
    }
}

/// A `q` value in thousandths; anything unreadable counts as 0 (not
/// acceptable), as RFC 9110 leaves it.
fn quality(value: &str) -> u16 {
    let Ok(q) = value.parse::<f64>() else {
        return 0;
    };
    if !(0.0..=1.0).contains(&q) {
        return 0;
    }
    // In range by the check above: 0 to 1000.
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let thousandths = (q * 1000.0).round() as u16;
    thousandths
}

/// The exporter's metrics: its build, and every account's reading.
#[derive(Debug)]
pub struct Exposition {
    registry: Registry,
}

impl Exposition {
    /// Metrics read from `readings` at each scrape.
    pub fn new(readings: watch::Receiver<Vec<Reading>>) -> Self {
        let mut registry = Registry::default();
        registry.register(
            "plivo_exporter_build",
            "The plivo-dash version serving these metrics",
            Info::new([("version", env!("CARGO_PKG_VERSION"))]),
        );
        registry.register_collector(Box::new(Accounts(readings)));
        Self { registry }
    }

    /// Everything, in `format`.
    pub fn encode(&self, format: Format) -> Result<String, fmt::Error> {
        let mut text = String::new();
        match format {
            Format::OpenMetrics => {
                prometheus_client::encoding::text::encode(&mut text, &self.registry)?
            }
            Format::Text => {
                prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)?;
            }
        }
        Ok(text)
    }
}

/// The accounts' series, from the readings published last.
#[derive(Debug)]
struct Accounts(watch::Receiver<Vec<Reading>>);

/// A gauge's value, when the reading has one.
type Value = fn(&Reading) -> Option<f64>;

/// The gauges, one series per account that has a value.
const GAUGES: [(&str, &str, Option<Unit>, Value); 9] = [
    (
        "plivo_account_cash_credits",
        "The account's balance in USD, from the last successful poll.",
        None,
        |r| r.balance.and_then(|b| money(b.credits)),
    ),
    (
        "plivo_account_up",
        "1 when the last poll of the account succeeded, 0 when it failed or none has ended yet.",
        None,
        // Present from the first scrape: a series that appears only once
        // the first poll ends hides an account whose first poll never does.
        |r| Some(f64::from(u8::from(r.up == Some(true)))),
    ),
    (
        "plivo_account_last_success_timestamp",
        "When the balance exported was fetched, in seconds since the epoch.",
        Some(Unit::Seconds),
        #[expect(
            clippy::cast_precision_loss,
            reason = "milliseconds since 1970 fit in f64's 53 bits"
        )]
        |r| r.balance.map(|b| b.at.as_millisecond() as f64 / 1000.0),
    ),
    (
        "plivo_account_burn_rate_usd_per_hour",
        "USD spent per hour over the last day; absent while measuring or not spending.",
        None,
        |r| r.burn_per_hour.and_then(money),
    ),
    (
        "plivo_account_runway",
        "Seconds until the balance reaches zero at the burn rate; absent while measuring or not spending.",
        Some(Unit::Seconds),
        #[expect(
            clippy::cast_precision_loss,
            reason = "seconds of runway fit in f64's 53 bits"
        )]
        |r| r.runway.map(|d| d.as_secs() as f64),
    ),
    (
        "plivo_account_auto_recharge",
        "1 when auto-recharge is on.",
        None,
        |r| {
            r.facts
                .as_ref()
                .map(|f| f64::from(u8::from(f.auto_recharge)))
        },
    ),
    (
        "plivo_account_subaccounts",
        "How many subaccounts the account has.",
        None,
        |r| r.subaccounts.map(f64::from),
    ),
    (
        "plivo_forecast_month_end_usd",
        "USD spent by the end of the account's month at the trailing week's daily rate, rentals included; absent until the usage records are synced.",
        None,
        |r| r.month_end.and_then(money),
    ),
    (
        "plivo_balance_after_rentals_usd",
        "The balance once the number rentals due on the 1st are debited; absent until the usage records are synced.",
        None,
        |r| r.balance_after_rentals.and_then(money),
    ),
];

/// A Prometheus sample value is a float: the decimal is converted here,
/// at the edge, and nowhere else.
fn money(amount: Decimal) -> Option<f64> {
    amount.to_f64()
}

impl Collector for Accounts {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        let readings = self.0.borrow();
        for (name, help, unit, value) in &GAUGES {
            let mut family =
                encoder.encode_descriptor(name, help, unit.as_ref(), MetricType::Gauge)?;
            for reading in readings.iter() {
                if let Some(v) = value(reading) {
                    ConstGauge::new(v).encode(family.encode_family(&labels(reading))?)?;
                }
            }
        }
        let mut family = encoder.encode_descriptor(
            "plivo_account",
            "The account's name, type, billing mode and time zone, from the last successful poll.",
            None,
            MetricType::Info,
        )?;
        for reading in readings.iter() {
            if let Some(f) = &reading.facts {
                Info::new([
                    ("name", f.name.as_str()),
                    ("account_type", f.account_type.as_str()),
                    ("billing_mode", f.billing_mode.as_str()),
                    ("timezone", f.timezone.as_str()),
                ])
                .encode(family.encode_family(&labels(reading))?)?;
            }
        }
        let mut family = encoder.encode_descriptor(
            "plivo_usage_sync_age",
            "Seconds since the time the last usage sync that ended well read up to; absent until one has.",
            Some(&Unit::Seconds),
            MetricType::Gauge,
        )?;
        let now = Timestamp::now();
        for reading in readings.iter() {
            if let Some(age) = reading.sync_age(now) {
                ConstGauge::new(age.as_secs_f64())
                    .encode(family.encode_family(&labels(reading))?)?;
            }
        }
        let mut family = encoder.encode_descriptor(
            "plivo_spend_usd",
            "USD ever spent, by product, from the usage records stored; never goes down while the exporter runs.",
            None,
            MetricType::Counter,
        )?;
        for reading in readings.iter() {
            for (product, amount) in &reading.spend {
                if let Some(v) = money(*amount) {
                    let [profile, auth_id] = labels(reading);
                    ConstCounter::new(v).encode(family.encode_family(&[
                        profile,
                        auth_id,
                        ("product", product.as_str()),
                    ])?)?;
                }
            }
        }
        let mut family = encoder.encode_descriptor(
            "plivo_spend_by_country_usd",
            "USD spent over the window, by destination country: the 20 largest, then other.",
            None,
            MetricType::Gauge,
        )?;
        for reading in readings.iter() {
            for (country, amount) in &reading.day_countries {
                if let Some(v) = money(*amount) {
                    let [profile, auth_id] = labels(reading);
                    ConstGauge::new(v).encode(family.encode_family(&[
                        profile,
                        auth_id,
                        ("country", country.as_str()),
                        ("window", "24h"),
                    ])?)?;
                }
            }
        }
        let mut family = encoder.encode_descriptor(
            "plivo_api_requests",
            "Requests made to the Plivo API, by status code (none: no answer came).",
            None,
            MetricType::Counter,
        )?;
        for reading in readings.iter() {
            for (answer, count) in reading.requests.counts() {
                let code = answer.to_string();
                let [profile, auth_id] = labels(reading);
                ConstCounter::new(count).encode(family.encode_family(&[
                    profile,
                    auth_id,
                    ("code", code.as_str()),
                ])?)?;
            }
        }
        Ok(())
    }
}

fn labels(reading: &Reading) -> [(&'static str, &str); 2] {
    [
        ("profile", reading.profile.as_str()),
        ("auth_id", reading.auth_id.as_str()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    /// One account with its spend, month and sync in, both formats.
    fn spending() -> (String, String) {
        let mut reading = super::super::state::Exported::new(
            "main",
            "MA2025RK4E639VJFZAGV",
            std::time::Duration::from_secs(60),
            jiff::SignedDuration::from_hours(24),
            crate::plivo::Tally::default(),
        )
        .reading()
        .clone();
        reading.spend = vec![
            ("sms-outbound".to_owned(), dec!(1234.56789)),
            ("unknown".to_owned(), dec!(0.1)),
        ];
        reading.day_countries = vec![
            ("US".to_owned(), dec!(12.5)),
            ("other".to_owned(), dec!(0.25)),
        ];
        reading.month_end = Some(dec!(310.4));
        reading.balance_after_rentals = Some(dec!(-2.75));
        reading.synced_at = Some(Timestamp::now() - jiff::SignedDuration::from_secs(90));
        let (_publish, readings) = watch::channel(vec![reading]);
        let exposition = Exposition::new(readings);
        (
            exposition.encode(Format::Text).unwrap(),
            exposition.encode(Format::OpenMetrics).unwrap(),
        )
    }

    #[test]
    fn spend_the_month_and_the_sync_age_are_exposed_in_both_formats() {
        let account = r#"profile="main",auth_id="MA2025RK4E639VJFZAGV""#;
        for text in <[String; 2]>::from(spending()) {
            for line in [
                format!(r#"plivo_spend_usd_total{{{account},product="sms-outbound"}} 1234.56789"#),
                format!(r#"plivo_spend_usd_total{{{account},product="unknown"}} 0.1"#),
                format!(
                    r#"plivo_spend_by_country_usd{{{account},country="US",window="24h"}} 12.5"#
                ),
                format!(
                    r#"plivo_spend_by_country_usd{{{account},country="other",window="24h"}} 0.25"#
                ),
                format!(r#"plivo_forecast_month_end_usd{{{account}}} 310.4"#),
                format!(r#"plivo_balance_after_rentals_usd{{{account}}} -2.75"#),
            ] {
                assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
            }
            let age: f64 = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix(&format!("plivo_usage_sync_age_seconds{{{account}}} "))
                })
                .expect("an age")
                .parse()
                .unwrap();
            assert!((90.0..100.0).contains(&age), "{age}");
        }
        let (text, open) = spending();
        assert!(
            text.contains("# TYPE plivo_spend_usd_total counter"),
            "{text}"
        );
        assert!(open.contains("# TYPE plivo_spend_usd counter"), "{open}");
        assert!(
            open.contains("# UNIT plivo_usage_sync_age_seconds seconds"),
            "{open}"
        );
    }

    #[test]
    fn prometheus_gets_what_it_prefers() {
        // Prometheus 2.42's header.
        let p2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(Format::negotiate(Some(p2)), Format::OpenMetrics);
        // A scraper that prefers the 0.0.4 text.
        let p3 = "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.9,text/plain;version=0.0.4;q=0.8,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,*/*;q=0.1";
        assert_eq!(Format::negotiate(Some(p3)), Format::Text);
        assert_eq!(Format::negotiate(None), Format::Text);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Text);
        assert_eq!(
            Format::negotiate(Some("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text")),
            Format::OpenMetrics
        );
        // Refused outright, or a version not served.
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;q=0, text/plain;q=0.2")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;version=9.9")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some(
                "text/plain;q=0.4, application/openmetrics-text; q=\"0.5\""
            )),
            Format::OpenMetrics
        );
        assert_eq!(
            Format::negotiate(Some(
                "text/plain;q=nonsense, application/openmetrics-text;q=2"
            )),
            Format::Text
        );
    }
}
