//! The Account object and the update request, exactly as the API spells them.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ApiError;

/// A Plivo account id: `MA` (main account) or `SA` (subaccount) followed by
/// 18 upper-case letters or digits.
///
/// Checked before it is put into a URL path, so a typo can never turn into a
/// request for some other resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthId(String);

impl AuthId {
    /// How many characters an auth id has.
    pub(crate) const LEN: usize = 20;

    /// Validates `s` as an account id.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let ok = s.len() == Self::LEN
            && (s.starts_with("MA") || s.starts_with("SA"))
            && s[2..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ApiError::InvalidAuthId(crate::text::sanitize(s)))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuthId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AuthId {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An enum the API documents with a closed set of values, but which keeps any
/// value it does not know instead of failing: a new plan type on Plivo's side
/// must not stop the dashboard from showing the balance.
macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version does not know, kept as the API sent it.
            Other(String),
        }

        impl $name {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($text => Self::$variant,)+
                    _ => Self::Other(s),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum! {
    /// `account_type`: a paying account or a free trial.
    AccountType {
        /// A paying account.
        Standard = "standard",
        /// A free-trial account.
        Developer = "developer",
    }
}

open_enum! {
    /// `billing_mode`: whether calls draw on credit bought in advance.
    BillingMode {
        /// Credit is bought in advance and drawn down.
        Prepaid = "prepaid",
        /// Usage is invoiced afterwards.
        Postpaid = "postpaid",
    }
}

impl AccountType {
    /// The type as people read it, safe to print: a free trial says so, and
    /// a value this version does not know is shown as sent, neutralised.
    pub(crate) fn describe(&self) -> String {
        match self {
            AccountType::Developer => "developer (free trial)".to_owned(),
            other => other.as_str().to_owned(),
        }
    }
}

/// The Account object of `GET /v1/Account/{auth_id}/`.
///
/// Unknown extra fields are ignored; text fields the API leaves out read as
/// empty. `cash_credits` keeps the scale the API sent ("1.80900" stays five
/// places), so what is shown is exactly what Plivo said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// `standard` or `developer` (free trial).
    pub account_type: AccountType,
    /// Postal address.
    #[serde(default)]
    pub address: String,
    /// The id Plivo gave this response; absent in some stored copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
    /// The account id.
    pub auth_id: String,
    /// Whether Plivo tops the balance up automatically.
    #[serde(default)]
    pub auto_recharge: bool,
    /// `prepaid` or `postpaid`.
    pub billing_mode: BillingMode,
    /// The balance in USD.
    #[serde(
        serialize_with = "serialize_decimal_str",
        deserialize_with = "deserialize_decimal"
    )]
    pub cash_credits: Decimal,
    /// City.
    #[serde(default)]
    pub city: String,
    /// Account holder's name.
    #[serde(default)]
    pub name: String,
    /// The account's own path in the API.
    #[serde(default)]
    pub resource_uri: String,
    /// State or region.
    #[serde(default)]
    pub state: String,
    /// IANA time zone name, e.g. `America/New_York`.
    #[serde(default)]
    pub timezone: String,
}

fn serialize_decimal_str<S: Serializer>(d: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(d)
}

fn deserialize_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    read_decimal(deserializer, "cash_credits")
}

/// Reads a decimal from the documented string form, and also from a bare JSON
/// number (seen from proxies that re-encode bodies), never through `f64`'s
/// rounding of the string form; `what` names it in an error.
pub(super) fn read_decimal<'de, D: Deserializer<'de>>(
    deserializer: D,
    what: &str,
) -> Result<Decimal, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(serde_json::Number),
    }
    let text = match Raw::deserialize(deserializer)
        .map_err(|_| serde::de::Error::custom(format!("{what} is neither a string nor a number")))?
    {
        Raw::Text(s) => s,
        Raw::Number(n) => n.to_string(),
    };
    let trimmed = text.trim();
    Decimal::from_str_exact(trimmed)
        .or_else(|_| Decimal::from_scientific(trimmed))
        .map_err(|_| {
            let why = if looks_numeric(trimmed) {
                "is out of range (an amount has at most 28 digits)"
            } else {
                "is not a decimal amount"
            };
            serde::de::Error::custom(format!("{what} {:?} {why}", crate::text::sanitize(&text)))
        })
}

/// Whether `text` is written as a number (sign, digits, a point, an
/// exponent), so that failing to read it means it is too large or too
/// precise, not that it is no number at all.
fn looks_numeric(text: &str) -> bool {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (text, None),
    };
    let mantissa = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, frac)) => {
            (whole.is_empty() || digits(whole))
                && (frac.is_empty() || digits(frac))
                && !(whole.is_empty() && frac.is_empty())
        }
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)))
}

/// The body of `POST /v1/Account/{auth_id}/`: only the fields that are set
/// are sent, so the others stay as they are on the server.
///
/// Reading one (the sandbox does) follows the official Python SDK: a JSON
/// `null` means "not provided", and an unknown key is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// New city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// New state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// New IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// One editable profile field, in the order the API documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `name`
    Name,
    /// `address`
    Address,
    /// `city`
    City,
    /// `state`
    State,
    /// `timezone`
    Timezone,
}

/// The most characters a text field holds, an account's or a subaccount's
/// name alike: the screens stop typing there and the command line refuses
/// more, by [`Field::problem`] and [`name_problem`](super::name_problem).
pub const MAX_FIELD_CHARS: usize = 128;

/// Why `value` could not have been typed into a field on a screen, if it
/// could not (the editors drop control characters and stop at
/// [`MAX_FIELD_CHARS`]): a phrase that follows the field's name. `value` is
/// taken trimmed, as sent. The command line's check for the same rule.
pub fn text_problem(value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.chars().any(crate::text::is_unsafe) {
        Some("not plain text on one line (a control, bidi or invisible character or a line break)")
    } else if value.chars().count() > MAX_FIELD_CHARS {
        Some("longer than 128 characters")
    } else {
        None
    }
}

impl Field {
    /// Why `value` cannot be this field's value, if it cannot: a phrase
    /// that follows the field's name ("Name is required"). `value` is taken
    /// trimmed, as it is sent. The one rule the form and `update` share
    /// (with [`text_problem`], which the form's editor enforces as it goes).
    pub fn problem(self, value: &str) -> Option<&'static str> {
        let value = value.trim();
        match self {
            Field::Name | Field::Timezone if value.is_empty() => Some("required"),
            Field::Timezone if !crate::tz::is_valid(value) => Some("not an IANA time zone"),
            _ => None,
        }
    }

    /// Every editable field, in form order.
    pub const ALL: [Field; 5] = [
        Field::Name,
        Field::Address,
        Field::City,
        Field::State,
        Field::Timezone,
    ];

    /// The field's position in [`Field::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The field's name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Address => "Address",
            Field::City => "City",
            Field::State => "State",
            Field::Timezone => "Timezone",
        }
    }

    /// The API's key for the field.
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Address => "address",
            Field::City => "city",
            Field::State => "state",
            Field::Timezone => "timezone",
        }
    }

    /// The field's current value in `account`.
    pub fn get(self, account: &Account) -> &str {
        match self {
            Field::Name => &account.name,
            Field::Address => &account.address,
            Field::City => &account.city,
            Field::State => &account.state,
            Field::Timezone => &account.timezone,
        }
    }

    fn get_mut(self, account: &mut Account) -> &mut String {
        match self {
            Field::Name => &mut account.name,
            Field::Address => &mut account.address,
            Field::City => &mut account.city,
            Field::State => &mut account.state,
            Field::Timezone => &mut account.timezone,
        }
    }

    fn slot(self, update: &mut AccountUpdate) -> &mut Option<String> {
        match self {
            Field::Name => &mut update.name,
            Field::Address => &mut update.address,
            Field::City => &mut update.city,
            Field::State => &mut update.state,
            Field::Timezone => &mut update.timezone,
        }
    }
}

impl AccountUpdate {
    /// Sets one field.
    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        *field.slot(self) = Some(value.into());
    }

    /// The fields that are set, in form order.
    pub fn fields(&self) -> impl Iterator<Item = (Field, &str)> {
        Field::ALL
            .into_iter()
            .filter_map(|f| self.value(f).map(|v| (f, v)))
    }

    /// The value set for `field`, if any.
    pub fn value(&self, field: Field) -> Option<&str> {
        match field {
            Field::Name => self.name.as_deref(),
            Field::Address => self.address.as_deref(),
            Field::City => self.city.as_deref(),
            Field::State => self.state.as_deref(),
            Field::Timezone => self.timezone.as_deref(),
        }
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        Field::ALL.iter().all(|f| self.value(*f).is_none())
    }

    /// Writes the set fields into `account`.
    pub(crate) fn apply_to(&self, account: &mut Account) {
        for (field, value) in self.fields() {
            value.clone_into(field.get_mut(account));
        }
    }
}

/// The reply to an update: `202 {"api_id": "...", "message": "changed"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateReply {
    /// The id Plivo gave this response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
    /// What the server did, "changed".
    pub message: String,
}
