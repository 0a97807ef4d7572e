//! What the usage record lists (calls, messages, numbers) share: the query
//! each is asked with, the page it answers, and how its times, amounts and
//! texts are read. Money is exact ([`Decimal`]), times are [`Timestamp`]s,
//! and text from the server is neutralised as it arrives ([`SafeText`]).

use std::time::Duration;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::pager::{Keyed, Pace, Position};
use super::{ApiError, PAGE_LIMIT};
use crate::text::SafeText;

/// `call_direction` or `message_direction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direction {
    /// Toward the account's numbers.
    Inbound,
    /// From the account.
    Outbound,
    /// A value this version does not know, kept as sent but neutralised.
    Other(SafeText),
}

impl Direction {
    /// The direction as the API spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
            Direction::Other(text) => text.as_str(),
        }
    }
}

impl<'de> Deserialize<'de> for Direction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(match text.as_str() {
            "inbound" => Direction::Inbound,
            "outbound" => Direction::Outbound,
            _ => Direction::Other(SafeText::new(&text)),
        })
    }
}

/// A time filter: each bound that is set is sent as `{field}__gt`, `__gte`,
/// `__lt` or `__lte`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// Strictly after.
    pub gt: Option<Timestamp>,
    /// At or after.
    pub gte: Option<Timestamp>,
    /// Strictly before.
    pub lt: Option<Timestamp>,
    /// At or before.
    pub lte: Option<Timestamp>,
}

impl TimeRange {
    /// From `from` (included) to `to` (excluded).
    pub fn between(from: Timestamp, to: Timestamp) -> Self {
        Self {
            gte: Some(from),
            lt: Some(to),
            ..Self::default()
        }
    }

    /// The bounds as query pairs on `field`.
    fn pairs(&self, field: &str, out: &mut Vec<(String, String)>) {
        for (suffix, bound) in [
            ("gt", self.gt),
            ("gte", self.gte),
            ("lt", self.lt),
            ("lte", self.lte),
        ] {
            if let Some(at) = bound {
                out.push((format!("{field}__{suffix}"), filter_time(at)));
            }
        }
    }
}

/// The filters of the call and the message lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    /// Only this subaccount's records (`SA…`).
    pub subaccount: Option<String>,
    /// Only inbound or only outbound.
    pub direction: Option<Direction>,
    /// Only from this number.
    pub from_number: Option<String>,
    /// Only to this number.
    pub to_number: Option<String>,
    /// Only records whose time (`end_time`, `message_time`) is in range.
    /// Unbounded, Plivo answers the last 7 days of calls or 24 hours of
    /// messages.
    pub time: TimeRange,
    /// Records per page, 1 to [`PAGE_LIMIT`]; 0 means [`PAGE_LIMIT`].
    pub limit: u32,
}

/// The filters of the number list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberQuery {
    /// Only this subaccount's numbers.
    pub subaccount: Option<String>,
    /// Only numbers of this type (`local`, `tollfree`, `mobile`, …).
    pub number_type: Option<String>,
    /// Only numbers starting with these digits.
    pub number_startswith: Option<String>,
    /// Numbers per page, 1 to [`PAGE_LIMIT`]; 0 means [`PAGE_LIMIT`].
    pub limit: u32,
}

/// A query of one of the record lists.
pub trait ListQuery {
    /// Records per page as asked; 0 for the default.
    fn limit(&self) -> u32;
    /// The filters as query pairs (without `limit` and `offset`).
    fn filters(&self) -> Vec<(String, String)>;

    /// The page size to send, or why the query is refused before anything
    /// is sent: Plivo answers 400 above [`PAGE_LIMIT`] and the official
    /// SDKs refuse it.
    fn page_limit(&self) -> Result<u32, ApiError> {
        match self.limit() {
            0 => Ok(PAGE_LIMIT),
            n if n <= PAGE_LIMIT => Ok(n),
            n => Err(ApiError::InvalidQuery(format!(
                "limit {n} is more than the {PAGE_LIMIT} records a page may hold"
            ))),
        }
    }
}

fn push(out: &mut Vec<(String, String)>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        out.push((key.to_owned(), value.to_owned()));
    }
}

impl RecordQuery {
    fn pairs(&self, direction: &str, time: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        push(&mut out, "subaccount", self.subaccount.as_deref());
        push(
            &mut out,
            direction,
            self.direction.as_ref().map(Direction::as_str),
        );
        push(&mut out, "from_number", self.from_number.as_deref());
        push(&mut out, "to_number", self.to_number.as_deref());
        self.time.pairs(time, &mut out);
        out
    }
}

/// The calls' query: the record filters, on `call_direction` and `end_time`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallQuery(pub RecordQuery);

/// The messages' query: the record filters, on `message_direction` and
/// `message_time`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageQuery(pub RecordQuery);

impl ListQuery for CallQuery {
    fn limit(&self) -> u32 {
        self.0.limit
    }

    fn filters(&self) -> Vec<(String, String)> {
        self.0.pairs("call_direction", "end_time")
    }
}

impl ListQuery for MessageQuery {
    fn limit(&self) -> u32 {
        self.0.limit
    }

    fn filters(&self) -> Vec<(String, String)> {
        self.0.pairs("message_direction", "message_time")
    }
}

impl ListQuery for NumberQuery {
    fn limit(&self) -> u32 {
        self.limit
    }

    fn filters(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        push(&mut out, "subaccount", self.subaccount.as_deref());
        push(&mut out, "type", self.number_type.as_deref());
        push(
            &mut out,
            "number_startswith",
            self.number_startswith.as_deref(),
        );
        out
    }
}

/// A kind of usage record, as its list serves it.
pub trait Record: DeserializeOwned + Keyed + Send {
    /// The list's path under the account (`Call/`).
    const PATH: &'static str;
    /// How fast its pages may be asked for.
    const PACE: Pace;
    /// Its filters.
    type Query: ListQuery + Sync;
}

/// The message list allows 20 requests a minute per account: one page
/// every 3 s, one at a time.
pub const MESSAGE_PACE: Pace = Pace {
    gap: Duration::from_secs(3),
    in_flight: 1,
};

/// A record list page's position. Unlike the subaccount list's, its count
/// may be missing (Plivo's message list can leave it out).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordMeta {
    /// The page size asked for.
    pub limit: u32,
    /// How many come before this page.
    pub offset: u32,
    /// How many there are in all, when said.
    #[serde(default)]
    pub total_count: Option<u32>,
    /// The next page's URI, if there is one.
    #[serde(default, deserialize_with = "super::subaccount::link")]
    pub next: Option<String>,
    /// The previous page's URI, if there is one.
    #[serde(default, deserialize_with = "super::subaccount::link")]
    pub previous: Option<String>,
}

impl Position for RecordMeta {
    fn offset(&self) -> u32 {
        self.offset
    }

    fn total_count(&self) -> Option<u32> {
        self.total_count
    }

    fn has_next(&self) -> bool {
        self.next.is_some()
    }
}

/// One page of a record list, newest first.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub struct RecordPage<T> {
    /// Where this page is in the whole list.
    pub meta: RecordMeta,
    /// The records on it.
    #[serde(default)]
    pub objects: Vec<T>,
}

/// A time as a filter is written: UTC, `YYYY-MM-DD HH:MM:SS`, with
/// microseconds when there are any.
pub fn filter_time(at: Timestamp) -> String {
    let format = if at.subsec_nanosecond() == 0 {
        "%Y-%m-%d %H:%M:%S"
    } else {
        "%Y-%m-%d %H:%M:%S%.6f"
    };
    at.strftime(format).to_string()
}

/// A time as the API writes one: `2015-07-26 15:45:14+05:30` (a record's
/// time, with its offset; seconds may carry a fraction), or, as filters are
/// written, `2015-07-26 15:45[:14[.123456]]` in UTC.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
}

fn bad_time<E: serde::de::Error>(text: &str) -> E {
    E::custom(format!(
        "{:?} is not a time such as 2015-07-26 15:45:14+05:30",
        crate::text::sanitize(text)
    ))
}

/// A record's time that is always there.
pub(super) fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let text = String::deserialize(d)?;
    parse_time(&text).ok_or_else(|| bad_time(&text))
}

/// A record's time that may be null or empty (a call never answered).
pub(super) fn optional_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Timestamp>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) if !text.trim().is_empty() => {
            parse_time(&text).map(Some).ok_or_else(|| bad_time(&text))
        }
        _ => Ok(None),
    }
}

/// An amount, exactly as the string decimal says.
pub(super) fn money<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    super::account::read_decimal(d, "amount")
}

/// An amount that may be missing or null.
pub(super) fn optional_money<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    #[derive(Deserialize)]
    struct Amount(#[serde(deserialize_with = "money")] Decimal);
    Ok(Option::<Amount>::deserialize(d)?.map(|a| a.0))
}

/// Text from the server, neutralised; null reads as empty.
pub(super) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<SafeText, D::Error> {
    Ok(SafeText::new(
        &Option::<String>::deserialize(d)?.unwrap_or_default(),
    ))
}

/// Text that may be null (kept apart from empty), neutralised.
pub(super) fn optional_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SafeText>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(|s| SafeText::new(&s)))
}

/// A numeric code sent as a number or as a string of digits; anything
/// else reads as none rather than failing the whole page.
pub(super) fn optional_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A date (`2014-08-05`) that may be null or empty.
pub(super) fn optional_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<jiff::civil::Date>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) if !text.trim().is_empty() => text.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!(
                "{:?} is not a date such as 2014-08-05",
                crate::text::sanitize(&text)
            ))
        }),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_with_their_offset_or_as_utc() {
        let at = parse_time("2015-07-26 15:45:14+05:30").expect("a time");
        assert_eq!(at.to_string(), "2015-07-26T10:15:14Z");
        let fine = parse_time("2024-08-21 18:28:49.244057+05:30").expect("a time");
        assert_eq!(fine.subsec_microsecond(), 244_057);
        assert_eq!(
            parse_time("2015-07-26 10:15").map(|t| t.to_string()),
            Some("2015-07-26T10:15:00Z".to_owned())
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn filters_are_written_in_utc_and_read_back() {
        let at: Timestamp = "2026-12-05T13:20:00.5+01:00".parse().unwrap();
        assert_eq!(filter_time(at), "2026-12-05 12:20:00.500000");
        assert_eq!(parse_time(&filter_time(at)), Some(at));
        let whole: Timestamp = "2026-12-05T12:20:00Z".parse().unwrap();
        assert_eq!(filter_time(whole), "2026-12-05 12:20:00");
    }

    #[test]
    fn a_query_becomes_its_pairs_and_refuses_a_page_over_twenty() {
        let from: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let to: Timestamp = "2026-12-02T00:00:00Z".parse().unwrap();
        let query = CallQuery(RecordQuery {
            subaccount: Some("SAODNKNDDMY2EXY2JKMG".to_owned()),
            direction: Some(Direction::Outbound),
            to_number: Some("4420".to_owned()),
            time: TimeRange::between(from, to),
            limit: 21,
            ..RecordQuery::default()
        });
        assert_eq!(
            query.filters(),
            [
                ("subaccount", "SAODNKNDDMY2EXY2JKMG"),
                ("call_direction", "outbound"),
                ("to_number", "4420"),
                ("end_time__gte", "2026-12-01 00:00:00"),
                ("end_time__lt", "2026-12-02 00:00:00"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        let refused = query.page_limit().expect_err("over 20");
        assert!(refused.to_string().contains("limit 21"), "{refused}");
        assert_eq!(MessageQuery::default().page_limit(), Ok(PAGE_LIMIT));
    }

    #[test]
    fn a_hangup_code_is_read_as_a_number_or_a_string_of_one() {
        #[derive(Deserialize)]
        struct Coded {
            #[serde(default, deserialize_with = "optional_code")]
            code: Option<u32>,
        }
        let code = |json: &str| serde_json::from_str::<Coded>(json).unwrap().code;
        assert_eq!(code(r#"{"code":4000}"#), Some(4000));
        assert_eq!(code(r#"{"code":"4010"}"#), Some(4010));
        assert_eq!(code(r#"{"code":"n/a"}"#), None);
        assert_eq!(code(r#"{"code":null}"#), None);
        assert_eq!(code("{}"), None);
    }

    #[test]
    fn an_unknown_direction_is_kept_neutralised() {
        let odd: Direction = serde_json::from_str(r#""sideways\u001b[2J""#).unwrap();
        assert_eq!(odd.as_str(), "sideways␛[2J");
        let known: Direction = serde_json::from_str(r#""inbound""#).unwrap();
        assert_eq!(known, Direction::Inbound);
    }
}
