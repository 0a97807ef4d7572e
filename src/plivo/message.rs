//! A message record, as `GET /v1/Account/{auth_id}/Message/` lists it.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::pager::{Keyed, Pace};
use super::records::{self, Direction, MESSAGE_PACE, MessageQuery, Record};
use crate::text::SafeText;

/// One message (SMS, MMS, WhatsApp).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Message {
    /// Its id.
    #[serde(deserialize_with = "records::text")]
    pub message_uuid: SafeText,
    /// Inbound or outbound.
    pub message_direction: Direction,
    /// The sender.
    #[serde(deserialize_with = "records::text")]
    pub from_number: SafeText,
    /// The recipient.
    #[serde(deserialize_with = "records::text")]
    pub to_number: SafeText,
    /// When it was sent or received: the time the list's `message_time`
    /// filter reads.
    #[serde(deserialize_with = "records::time")]
    pub message_time: Timestamp,
    /// `queued`, `sent`, `delivered`, `failed`, …
    #[serde(default, deserialize_with = "records::text")]
    pub message_state: SafeText,
    /// `sms`, `mms` or `whatsapp`.
    #[serde(default, deserialize_with = "records::text")]
    pub message_type: SafeText,
    /// How many parts it was billed as.
    #[serde(default)]
    pub units: u32,
    /// What it cost, in USD.
    #[serde(deserialize_with = "records::money")]
    pub total_amount: Decimal,
    /// The rate per unit, in USD.
    #[serde(deserialize_with = "records::money")]
    pub total_rate: Decimal,
    /// Carriers' fees, in USD, when said.
    #[serde(default, deserialize_with = "records::optional_money")]
    pub carrier_fees: Option<Decimal>,
    /// Plivo's error code ("000": none), when said.
    #[serde(default, deserialize_with = "records::optional_text")]
    pub error_code: Option<SafeText>,
    /// The destination's country (`US`), when said.
    #[serde(default, deserialize_with = "records::optional_text")]
    pub destination_country_iso2: Option<SafeText>,
    /// The destination's network, when said.
    #[serde(default, deserialize_with = "records::text")]
    pub destination_network: SafeText,
    /// Its URI.
    #[serde(default, deserialize_with = "records::text")]
    pub resource_uri: SafeText,
}

impl Keyed for Message {
    fn key(&self) -> &str {
        self.message_uuid.as_str()
    }
}

impl Record for Message {
    const PATH: &'static str = "Message/";
    const PACE: Pace = MESSAGE_PACE;
    type Query = MessageQuery;
}
