//! A rented number, as `GET /v1/Account/{auth_id}/Number/` lists it.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::pager::{Keyed, Pace};
use super::records::{self, NumberQuery, Record};
use crate::text::SafeText;

/// One number the account rents.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Number {
    /// The number, without "+".
    #[serde(deserialize_with = "records::text")]
    pub number: SafeText,
    /// Its alias, if it has one.
    #[serde(default, deserialize_with = "records::optional_text")]
    pub alias: Option<SafeText>,
    /// When it was rented.
    #[serde(default, deserialize_with = "records::optional_date")]
    pub added_on: Option<Date>,
    /// Its monthly rent, in USD.
    #[serde(deserialize_with = "records::money")]
    pub monthly_rental_rate: Decimal,
    /// `local`, `tollfree`, `mobile`, …
    #[serde(default, deserialize_with = "records::text")]
    pub number_type: SafeText,
    /// The next billing date.
    #[serde(default, deserialize_with = "records::optional_date")]
    pub renewal_date: Option<Date>,
    /// The subaccount it is assigned to (`SA…`), if any.
    #[serde(default, deserialize_with = "records::optional_text")]
    pub sub_account: Option<SafeText>,
    /// The voice rate per minute, in USD, when said.
    #[serde(default, deserialize_with = "records::optional_money")]
    pub voice_rate: Option<Decimal>,
    /// The SMS rate, in USD, when said.
    #[serde(default, deserialize_with = "records::optional_money")]
    pub sms_rate: Option<Decimal>,
    /// The MMS rate, in USD, when said.
    #[serde(default, deserialize_with = "records::optional_money")]
    pub mms_rate: Option<Decimal>,
    /// Its country, when said.
    #[serde(default, deserialize_with = "records::text")]
    pub country: SafeText,
    /// Its region ("California, UNITED STATES").
    #[serde(default, deserialize_with = "records::text")]
    pub region: SafeText,
    /// Its URI.
    #[serde(default, deserialize_with = "records::text")]
    pub resource_uri: SafeText,
}

impl Keyed for Number {
    fn key(&self) -> &str {
        self.number.as_str()
    }
}

impl Record for Number {
    const PATH: &'static str = "Number/";
    const PACE: Pace = Pace::ACCOUNT;
    type Query = NumberQuery;
}
