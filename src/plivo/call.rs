//! A call record, as `GET /v1/Account/{auth_id}/Call/` lists it.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::pager::{Keyed, Pace};
use super::records::{self, CallQuery, Direction, Record};
use crate::text::SafeText;

/// One call. A record names no subaccount: the list's `subaccount` filter
/// (or the rented number it went through) says whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Call {
    /// Its id.
    #[serde(deserialize_with = "records::text")]
    pub call_uuid: SafeText,
    /// Inbound or outbound.
    pub call_direction: Direction,
    /// The caller (outbound: one of the account's numbers).
    #[serde(deserialize_with = "records::text")]
    pub from_number: SafeText,
    /// The called number, without "+".
    #[serde(deserialize_with = "records::text")]
    pub to_number: SafeText,
    /// When it was started.
    #[serde(default, deserialize_with = "records::optional_time")]
    pub initiation_time: Option<Timestamp>,
    /// When it was answered, if it was.
    #[serde(default, deserialize_with = "records::optional_time")]
    pub answer_time: Option<Timestamp>,
    /// When it ended: the time the list's `end_time` filter reads.
    #[serde(deserialize_with = "records::time")]
    pub end_time: Timestamp,
    /// Seconds it lasted.
    #[serde(default)]
    pub call_duration: u64,
    /// Seconds billed for.
    #[serde(default)]
    pub bill_duration: u64,
    /// Seconds billed for, rounded up to the billing increment.
    #[serde(default)]
    pub billed_duration: u64,
    /// What it cost, in USD.
    #[serde(deserialize_with = "records::money")]
    pub total_amount: Decimal,
    /// The rate per minute, in USD.
    #[serde(deserialize_with = "records::money")]
    pub total_rate: Decimal,
    /// The call that started it, if any.
    #[serde(default, deserialize_with = "records::optional_text")]
    pub parent_call_uuid: Option<SafeText>,
    /// The network group it was rated in ("USA All Networks").
    #[serde(default, deserialize_with = "records::text")]
    pub voice_network_group: SafeText,
    /// Why it hung up (code), when said as a number (or a string of one).
    #[serde(default, deserialize_with = "records::optional_code")]
    pub hangup_cause_code: Option<u32>,
    /// Why it hung up.
    #[serde(default, deserialize_with = "records::text")]
    pub hangup_cause_name: SafeText,
    /// Which side hung up.
    #[serde(default, deserialize_with = "records::text")]
    pub hangup_source: SafeText,
    /// Its state.
    #[serde(default, deserialize_with = "records::text")]
    pub call_state: SafeText,
    /// Its URI.
    #[serde(default, deserialize_with = "records::text")]
    pub resource_uri: SafeText,
}

impl Keyed for Call {
    fn key(&self) -> &str {
        self.call_uuid.as_str()
    }
}

impl Record for Call {
    const PATH: &'static str = "Call/";
    const PACE: Pace = Pace::ACCOUNT;
    type Query = CallQuery;
}
