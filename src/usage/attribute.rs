//! Whose a usage record is, and which country its spend belongs to. Pure:
//! the sync calls it on every call and message before storing it.
//!
//! # Whose
//!
//! A record names no subaccount. Two things can say whose it is, and when
//! neither does the record is [`Attribution::Unattributed`], never guessed:
//!
//! - **The list it came from** ([`Source`]): a record read with the list's
//!   `subaccount` filter is that subaccount's, by Plivo's own word
//!   ([`Basis::ByQuery`]). It wins over the number, because a number can
//!   move between subaccounts and the Number list only says where it is
//!   now. The main account's unfiltered list holds every subaccount's
//!   records too, so it says nothing by itself.
//! - **The rented number it went through** ([`Numbers`]): `from_number` of an
//!   outbound record, `to_number` of an inbound one. A number belongs to the
//!   subaccount its `sub_account` names, or to the main account when that is
//!   null ([`Basis::ByNumber`]). A record through no rented number, with a
//!   direction this version does not know, or through a number listed twice
//!   with two different owners, gets nothing from this rule.
//!
//! Numbers are compared as their digits: the Number list writes
//! `14155551234`, records may write `+14155551234`, and both are read the
//! same way ([`Numbers::owner_of`]). Text that is not a phone number (letters,
//! more than 15 digits, a stray symbol) matches nothing, so a record is never
//! given to a number that only shares some of its digits.
//!
//! # Where
//!
//! "Spend by country" is the country whose tariff the record was billed at.
//! Plivo bills an outbound call or message by its destination, and an
//! inbound one by the country of the rented number it reached: in both cases
//! the record's `to_number`. So an inbound call from abroad to a US number is
//! US spend, not the caller's country (which is not what was paid for).
//!
//! - A call names no country: it is read from `to_number`'s calling code with
//!   libphonenumber's data (the `phonenumber` crate): a code that is one
//!   country's names it, the region inside a shared code (+1: US, CA, …)
//!   is found by libphonenumber's patterns ([`number_country`]).
//! - A message says it in `destination_country_iso2`: used upper-cased when
//!   it is two ASCII letters, unknown when it is anything else; when it is
//!   missing or empty (the SDKs' own fixtures leave it out), read from
//!   `to_number` as for a call ([`Countries::of_message`]).
//!
//! An unknown or invalid number has no country (`None`).

use std::collections::HashMap;
use std::sync::Arc;

use crate::plivo::{Call, Direction, Message, Number};

/// Who a record's spend belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The main account itself.
    Main,
    /// A subaccount, by its id (`SA…`).
    Subaccount(Arc<str>),
}

impl Owner {
    /// The subaccount's id, or `None` for the main account.
    pub fn subaccount(&self) -> Option<&str> {
        match self {
            Owner::Main => None,
            Owner::Subaccount(id) => Some(id),
        }
    }
}

/// What a record's owner was decided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The rented number it went through.
    ByNumber,
    /// The per-subaccount list it was read from.
    ByQuery,
}

/// A record's owner and how it was decided, or that nothing decided it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Attribution {
    /// Its owner is known.
    Known {
        /// Whose it is.
        owner: Owner,
        /// What said so.
        by: Basis,
    },
    /// Neither its number nor its list said whose it is: shown as such.
    Unattributed,
}

impl Attribution {
    /// The owner, when known.
    pub fn owner(&self) -> Option<&Owner> {
        match self {
            Attribution::Known { owner, .. } => Some(owner),
            Attribution::Unattributed => None,
        }
    }

    /// What decided the owner, when known.
    pub fn basis(&self) -> Option<Basis> {
        match self {
            Attribution::Known { by, .. } => Some(*by),
            Attribution::Unattributed => None,
        }
    }
}

/// The list a record was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The account's list without a `subaccount` filter: every subaccount's
    /// records are in it too, so it says nothing about whose one is.
    Account,
    /// The list read with `subaccount` set to this id.
    Subaccount(Arc<str>),
}

/// What attribution reads of a call or a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<'a> {
    /// Inbound or outbound.
    pub direction: &'a Direction,
    /// The caller or sender.
    pub from_number: &'a str,
    /// The called number or the recipient.
    pub to_number: &'a str,
}

impl Route<'_> {
    /// The account's side of the record: the rented number it went through,
    /// if it went through one.
    fn rented(&self) -> Option<&str> {
        match self.direction {
            Direction::Outbound => Some(self.from_number),
            Direction::Inbound => Some(self.to_number),
            Direction::Other(_) => None,
        }
    }
}

impl<'a> From<&'a Call> for Route<'a> {
    fn from(call: &'a Call) -> Self {
        Route {
            direction: &call.call_direction,
            from_number: call.from_number.as_str(),
            to_number: call.to_number.as_str(),
        }
    }
}

impl<'a> From<&'a Message> for Route<'a> {
    fn from(message: &'a Message) -> Self {
        Route {
            direction: &message.message_direction,
            from_number: message.from_number.as_str(),
            to_number: message.to_number.as_str(),
        }
    }
}

/// The most digits an E.164 number has.
const MAX_DIGITS: u32 = 15;

/// A phone number as its digits, packed in a `u64` behind a leading 1 so
/// that leading zeros still count: a lookup allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Digits(u64);

impl Digits {
    /// The digits of `text` written with or without "+" and with the usual
    /// separators (space, `-`, `.`, parentheses); `None` for anything else,
    /// for no digit, or for more than [`MAX_DIGITS`].
    fn read(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.strip_prefix('+').unwrap_or(text);
        let mut packed: u64 = 1;
        let mut count = 0;
        for c in text.chars() {
            // to_digit reads only ASCII digits: no other script's digit counts.
            if let Some(digit) = c.to_digit(10) {
                count += 1;
                if count > MAX_DIGITS {
                    return None;
                }
                packed = packed * 10 + u64::from(digit);
            } else if !matches!(c, ' ' | '-' | '.' | '(' | ')') {
                return None;
            }
        }
        (count > 0).then_some(Digits(packed))
    }

    /// Its first [`DECIDING_DIGITS`] digits and how many it has.
    fn deciding(self) -> (u64, u32) {
        // The packing's marker 1 counts as a digit of the logarithm.
        let count = self.0.ilog10();
        let prefix = self.0 / 10u64.pow(count.saturating_sub(DECIDING_DIGITS));
        (prefix, count)
    }

    /// The number in international form: "+" and its digits.
    fn international(self) -> String {
        let mut text = self.0.to_string();
        // The leading 1 is the packing's marker, not a digit of the number.
        text.replace_range(..1, "+");
        text
    }
}

/// What the Number list says of one number.
#[derive(Debug, Clone)]
enum Held {
    By(Owner),
    /// Listed more than once with different owners: it decides nothing.
    Disputed,
}

/// The account's rented numbers and whose each is: built once from the
/// Number list, then each record's lookup is one hash of its digits.
#[derive(Debug, Clone, Default)]
pub struct Numbers {
    by_digits: HashMap<Digits, Held>,
}

impl<'a> FromIterator<&'a Number> for Numbers {
    fn from_iter<I: IntoIterator<Item = &'a Number>>(numbers: I) -> Self {
        let mut by_digits = HashMap::new();
        // One Arc per subaccount, shared by its numbers and by every record
        // attributed to it.
        let mut ids: HashMap<&str, Arc<str>> = HashMap::new();
        for number in numbers {
            let Some(digits) = Digits::read(number.number.as_str()) else {
                continue;
            };
            let owner = match number.sub_account.as_ref().map(|s| s.as_str().trim()) {
                None | Some("") => Owner::Main,
                Some(id) => Owner::Subaccount(ids.entry(id).or_insert_with(|| id.into()).clone()),
            };
            by_digits
                .entry(digits)
                .and_modify(|held| {
                    if matches!(held, Held::By(known) if *known != owner) {
                        *held = Held::Disputed;
                    }
                })
                .or_insert_with(|| Held::By(owner));
        }
        Numbers { by_digits }
    }
}

impl Numbers {
    /// How many distinct numbers are known.
    pub fn len(&self) -> usize {
        self.by_digits.len()
    }

    /// Whether no number is known.
    pub fn is_empty(&self) -> bool {
        self.by_digits.is_empty()
    }

    /// Whose `number` is, written with or without "+": `None` when it is
    /// not a rented number, not a number at all, or listed with two owners.
    pub fn owner_of(&self, number: &str) -> Option<&Owner> {
        match self.by_digits.get(&Digits::read(number)?)? {
            Held::By(owner) => Some(owner),
            Held::Disputed => None,
        }
    }

    /// Whose the record on `route`, read from `source`, is (see the module
    /// doc for the rule).
    pub fn attribute(&self, route: Route<'_>, source: &Source) -> Attribution {
        if let Source::Subaccount(id) = source {
            return Attribution::Known {
                owner: Owner::Subaccount(Arc::clone(id)),
                by: Basis::ByQuery,
            };
        }
        match route.rented().and_then(|number| self.owner_of(number)) {
            Some(owner) => Attribution::Known {
                owner: owner.clone(),
                by: Basis::ByNumber,
            },
            None => Attribution::Unattributed,
        }
    }
}

/// A country, as its ISO 3166 alpha-2 code in capitals (`US`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country([u8; 2]);

impl Country {
    /// `code` when it is two ASCII letters (any case), upper-cased.
    pub fn from_iso2(code: &str) -> Option<Self> {
        match code.trim().as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(Country([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    /// The code (`US`).
    pub fn as_str(&self) -> &str {
        // Two ASCII letters by construction, so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Display for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The country of a phone number written with or without "+" (always read
/// as international, as Plivo writes them), by its calling code; `None` for
/// an unknown code, a number libphonenumber cannot read, or text that is no
/// number.
pub fn number_country(number: &str) -> Option<Country> {
    // Only "+" and at most 15 digits ever reach the parser.
    digits_country(Digits::read(number)?)
}

/// Loads libphonenumber's metadata, which its first use parses (tens of
/// milliseconds): a sync does it off the runtime's threads before its first
/// page, or a poll due on the same thread would wait behind it.
pub fn load_metadata() {
    let _ = phonenumber::metadata::DATABASE.region(&1);
}

fn digits_country(digits: Digits) -> Option<Country> {
    sole_region(digits).unwrap_or_else(|| parsed_country(digits))
}

/// The country libphonenumber gives `digits` by matching them against its
/// patterns.
fn parsed_country(digits: Digits) -> Option<Country> {
    let parsed = phonenumber::parse(None, digits.international()).ok()?;
    let id = parsed.country().id()?;
    Country::from_iso2(id.as_ref())
}

/// The country of a number whose calling code is one country's alone (+91
/// India, +49 Germany), without matching libphonenumber's patterns, whose
/// caches grow with every new number matched: the code is what Plivo's
/// tariff goes by, and where the patterns read the number they name the
/// same country. `None` when only the patterns can tell: a shared code (+1,
/// +7, +44, …), an unknown one, a short national number or one starting
/// with 0.
fn sole_region(digits: Digits) -> Option<Option<Country>> {
    let count = digits.0.ilog10();
    if (digits.0 / 10u64.pow(count - 1)).is_multiple_of(10) {
        // No calling code starts with 0.
        return None;
    }
    // Calling codes are 1 to 3 digits, and none is the start of another.
    (1..=3u32)
        .filter(|&len| len < count)
        .find_map(|len| {
            let code = u16::try_from(digits.0 / 10u64.pow(count - len) % 10u64.pow(len)).ok()?;
            let regions = phonenumber::metadata::DATABASE.region(&code)?;
            let [region] = regions.as_slice() else {
                return Some(None);
            };
            // A short national number, or one with a leading 0 (a national
            // prefix, in many countries), is for the patterns to judge.
            let national = count - len;
            let first = digits.0 / 10u64.pow(national - 1) % 10;
            Some((national >= 4 && first != 0).then(|| Country::from_iso2(region)))
        })
        .flatten()
}

/// The leading digits that decide a number's region inside a calling code
/// (libphonenumber's own ranges are never longer: +1 and an area code,
/// +44 7781 for Guernsey's mobiles, +39 06698 for the Vatican).
const DECIDING_DIGITS: u32 = 8;

/// The most numbers' countries [`Countries`] remembers before it starts
/// again: a bound on its memory, whatever the traffic.
const REMEMBERED: usize = 4096;

/// [`number_country`], remembered by a number's deciding digits and length:
/// libphonenumber matches each number against many patterns, and the
/// regular expressions' caches grow with every new number (at a million
/// records, most of a sync's memory). Numbers alike in their first
/// [`DECIDING_DIGITS`] digits and in length are in one country.
#[derive(Debug, Default)]
pub struct Countries {
    known: HashMap<(u64, u32), Option<Country>>,
}

impl Countries {
    /// The country of `number`, as [`number_country`] says.
    pub fn of_number(&mut self, number: &str) -> Option<Country> {
        let digits = Digits::read(number)?;
        let key = digits.deciding();
        if let Some(known) = self.known.get(&key) {
            return *known;
        }
        if self.known.len() >= REMEMBERED {
            self.known.clear();
        }
        let country = digits_country(digits);
        self.known.insert(key, country);
        country
    }

    /// The country a call's spend belongs to: its `to_number`'s (the
    /// destination outbound, the rented number inbound).
    pub fn of_call(&mut self, call: &Call) -> Option<Country> {
        self.of_number(call.to_number.as_str())
    }

    /// The country a message's spend belongs to: its
    /// `destination_country_iso2` when it says one, else its `to_number`'s.
    pub fn of_message(&mut self, message: &Message) -> Option<Country> {
        match said_country(message) {
            Some(said) => said,
            None => self.of_number(message.to_number.as_str()),
        }
    }
}

/// What a message's `destination_country_iso2` says, when it says anything.
fn said_country(message: &Message) -> Option<Option<Country>> {
    match message
        .destination_country_iso2
        .as_ref()
        .map(|c| c.as_str())
    {
        Some(code) if !code.trim().is_empty() => Some(Country::from_iso2(code)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::SafeText;

    const SA: &str = "SAODNKNDDMY2EXY2JKMG";

    fn number(digits: &str, sub_account: Option<&str>) -> Number {
        serde_json::from_value(serde_json::json!({
            "number": digits,
            "monthly_rental_rate": "0.80000",
            "sub_account": sub_account,
        }))
        .expect("a number")
    }

    fn route<'a>(direction: &'a Direction, from: &'a str, to: &'a str) -> Route<'a> {
        Route {
            direction,
            from_number: from,
            to_number: to,
        }
    }

    fn numbers() -> Numbers {
        [
            number("14155551234", Some(SA)),
            number("442079460018", None),
            number("919876543210", Some("")),
        ]
        .iter()
        .collect()
    }

    fn sub(id: &str) -> Owner {
        Owner::Subaccount(id.into())
    }

    fn by_number(owner: Owner) -> Attribution {
        Attribution::Known {
            owner,
            by: Basis::ByNumber,
        }
    }

    #[test]
    fn outbound_goes_by_from_and_inbound_by_to() {
        let numbers = numbers();
        let out = route(&Direction::Outbound, "14155551234", "442071234567");
        assert_eq!(numbers.attribute(out, &Source::Account), by_number(sub(SA)));
        // The same pair inbound went through the other side's number, which
        // is not rented: the subaccount's number was the caller here.
        let back = route(&Direction::Inbound, "14155551234", "442071234567");
        assert_eq!(
            numbers.attribute(back, &Source::Account),
            Attribution::Unattributed
        );
        let inbound = route(&Direction::Inbound, "33612345678", "14155551234");
        assert_eq!(
            numbers.attribute(inbound, &Source::Account),
            by_number(sub(SA))
        );
    }

    #[test]
    fn a_number_with_no_sub_account_is_the_main_accounts() {
        let numbers = numbers();
        for rented in ["442079460018", "919876543210"] {
            let call = route(&Direction::Outbound, rented, "14155550000");
            assert_eq!(
                numbers.attribute(call, &Source::Account),
                by_number(Owner::Main),
                "{rented}"
            );
        }
    }

    #[test]
    fn a_record_through_no_rented_number_is_unattributed_unless_its_list_says() {
        let numbers = numbers();
        let stranger = route(&Direction::Outbound, "12125550100", "14155551234");
        assert_eq!(
            numbers.attribute(stranger, &Source::Account),
            Attribution::Unattributed
        );
        let listed = Source::Subaccount("SAOTHERXXXXXXXXXXXXX".into());
        assert_eq!(
            numbers.attribute(stranger, &listed),
            Attribution::Known {
                owner: sub("SAOTHERXXXXXXXXXXXXX"),
                by: Basis::ByQuery
            }
        );
        let odd = Direction::Other(SafeText::new("sideways"));
        let unknown = route(&odd, "14155551234", "14155551234");
        assert_eq!(
            numbers.attribute(unknown, &Source::Account),
            Attribution::Unattributed,
            "a direction not known says no side"
        );
    }

    #[test]
    fn the_subaccount_list_wins_over_where_the_number_is_now() {
        let numbers = numbers();
        let moved = route(&Direction::Outbound, "442079460018", "14155550000");
        let listed = Source::Subaccount(SA.into());
        let decided = numbers.attribute(moved, &listed);
        assert_eq!(decided.owner(), Some(&sub(SA)));
        assert_eq!(decided.basis(), Some(Basis::ByQuery));
    }

    #[test]
    fn plus_spaces_and_dashes_match_the_bare_digits() {
        let numbers = numbers();
        for written in [
            "+14155551234",
            "14155551234",
            " +1 415 555 1234 ",
            "+1 (415) 555-1234",
            "1.415.555.1234",
        ] {
            assert_eq!(numbers.owner_of(written), Some(&sub(SA)), "{written:?}");
        }
        let plussed: Numbers = [number("+14155551234", None)].iter().collect();
        assert_eq!(plussed.owner_of("14155551234"), Some(&Owner::Main));
    }

    #[test]
    fn text_that_only_contains_the_digits_matches_nothing() {
        let numbers = numbers();
        for text in [
            "14155551234 ext 5",
            "1415555123４",
            "141555512345",
            "x14155551234",
            "++14155551234",
            "",
            "+",
            "١٤١٥٥٥٥١٢٣٤",
            "1415\u{1b}5551234",
        ] {
            assert_eq!(numbers.owner_of(text), None, "{text:?}");
        }
        assert_eq!(numbers.owner_of(&"1".repeat(1000)), None);
    }

    #[test]
    fn leading_zeros_are_digits() {
        let numbers: Numbers = [number("0014155551234", Some(SA))].iter().collect();
        assert_eq!(numbers.owner_of("14155551234"), None);
        assert_eq!(numbers.owner_of("0014155551234"), Some(&sub(SA)));
    }

    #[test]
    fn a_number_listed_with_two_owners_decides_nothing() {
        let numbers: Numbers = [
            number("14155551234", Some(SA)),
            number("+14155551234", None),
            number("442079460018", None),
            number("442079460018", None),
        ]
        .iter()
        .collect();
        assert_eq!(numbers.len(), 2);
        assert_eq!(numbers.owner_of("14155551234"), None);
        assert_eq!(numbers.owner_of("442079460018"), Some(&Owner::Main));
        let call = route(&Direction::Outbound, "14155551234", "1");
        assert_eq!(
            numbers.attribute(call, &Source::Account),
            Attribution::Unattributed
        );
    }

    #[test]
    fn a_number_that_is_no_number_is_left_out_of_the_index() {
        let numbers: Numbers = [number("not a number", Some(SA))].iter().collect();
        assert!(numbers.is_empty());
    }

    fn country(text: &str) -> Option<String> {
        number_country(text).map(|c| c.to_string())
    }

    #[test]
    fn a_number_names_its_country_by_calling_code() {
        assert_eq!(country("14153268174").as_deref(), Some("US"));
        assert_eq!(country("+1 415 326 8174").as_deref(), Some("US"));
        assert_eq!(country("16135550123").as_deref(), Some("CA"));
        assert_eq!(country("442079460018").as_deref(), Some("GB"));
        assert_eq!(country("+44 7400 123456").as_deref(), Some("GB"));
        // +44 is shared too: this range is Guernsey's mobiles.
        assert_eq!(country("+44 7911 123456").as_deref(), Some("GG"));
        assert_eq!(country("919876543210").as_deref(), Some("IN"));
        assert_eq!(country("919999999999").as_deref(), Some("IN"));
    }

    #[test]
    fn remembered_countries_are_the_ones_libphonenumber_gives() {
        let mut countries = Countries::default();
        // Twice each: the second answer is the remembered one.
        for _ in 0..2 {
            for text in [
                "14153268174",
                "+1 415 326 8174",
                "16135550123",
                "442079460018",
                "+44 7400 123456",
                "+44 7911 123456",
                "919876543210",
                "999123456789",
                "1",
                "not a number",
                "+1 415 CALL NOW",
            ] {
                assert_eq!(countries.of_number(text), number_country(text), "{text:?}");
            }
        }
        // Guernsey's mobiles and Britain's differ in the sixth digit: two
        // entries, not one.
        assert_ne!(
            countries.of_number("+44 7911 654321"),
            countries.of_number("+44 7400 654321")
        );
    }

    proptest::proptest! {
        #[test]
        fn a_sole_country_never_contradicts_the_patterns(text in "[0-9]{1,15}") {
            let digits = Digits::read(&text).expect("digits");
            if let (Some(sole), Some(parsed)) = (sole_region(digits), parsed_country(digits)) {
                proptest::prop_assert_eq!(sole, Some(parsed), "{}", text);
            }
        }
    }

    #[test]
    fn a_sole_country_is_found_for_unshared_codes_only() {
        let sole = |text: &str| sole_region(Digits::read(text).expect("digits"));
        assert_eq!(sole("919876543210"), Some(Country::from_iso2("IN")));
        assert_eq!(sole("4930123456"), Some(Country::from_iso2("DE")));
        assert_eq!(sole("919"), None, "short: the patterns judge");
        assert_eq!(
            sole("3101234567"),
            None,
            "a national prefix: the patterns judge"
        );
        assert_eq!(sole("14153268174"), None, "+1 is shared");
        assert_eq!(sole("442079460018"), None, "+44 is shared");
        assert_eq!(sole("0919876543210"), None);
        assert_eq!(sole("999123456789"), None, "no such code");
    }

    #[test]
    fn remembered_countries_stay_within_their_bound() {
        let mut countries = Countries::default();
        for i in 0..(REMEMBERED as u64 * 3) {
            let number = format!("1415{:07}", i * 997);
            assert_eq!(countries.of_number(&number), number_country(&number));
            assert!(countries.known.len() <= REMEMBERED);
        }
    }

    #[test]
    fn an_unknown_or_invalid_number_has_no_country() {
        for text in [
            "",
            "+",
            "0",
            "999123456789",
            "1",
            "not a number",
            "+1 415 CALL NOW",
            "١٤١٥٣٢٦٨١٧٤",
            "\u{202e}14153268174",
            "1415326817414153268174",
        ] {
            assert_eq!(country(text), None, "{text:?}");
        }
        assert_eq!(country(&"9".repeat(1000)), None);
        assert_eq!(country(&"é".repeat(1000)), None);
    }

    fn call(direction: &str, from: &str, to: &str) -> Call {
        serde_json::from_value(serde_json::json!({
            "call_uuid": "c1",
            "call_direction": direction,
            "from_number": from,
            "to_number": to,
            "end_time": "2026-12-05 12:00:00+00:00",
            "total_amount": "0.01",
            "total_rate": "0.01",
        }))
        .expect("a call")
    }

    fn message(to: &str, iso2: Option<&str>) -> Message {
        serde_json::from_value(serde_json::json!({
            "message_uuid": "m1",
            "message_direction": "outbound",
            "from_number": "14155551234",
            "to_number": to,
            "message_time": "2026-12-05 12:00:00+00:00",
            "total_amount": "0.0025",
            "total_rate": "0.0025",
            "destination_country_iso2": iso2,
        }))
        .expect("a message")
    }

    #[test]
    fn a_calls_country_is_where_it_was_billed() {
        let out = call("outbound", "+14155551234", "442079460018");
        assert_eq!(
            Countries::default()
                .of_call(&out)
                .map(|c| c.to_string())
                .as_deref(),
            Some("GB")
        );
        // From India to the account's US number: billed at the US number.
        let inbound = call("inbound", "919876543210", "14155551234");
        assert_eq!(
            Countries::default()
                .of_call(&inbound)
                .map(|c| c.to_string())
                .as_deref(),
            Some("US")
        );
        let nowhere = call("outbound", "14155551234", "sip:alice@example.com");
        assert_eq!(Countries::default().of_call(&nowhere), None);
    }

    #[test]
    fn a_messages_country_is_its_own_word_upper_cased_or_else_unknown() {
        let said = |iso2| {
            Countries::default()
                .of_message(&message("14155551234", iso2))
                .map(|c| c.to_string())
        };
        assert_eq!(said(Some("in")).as_deref(), Some("IN"));
        assert_eq!(said(Some(" GB ")).as_deref(), Some("GB"));
        assert_eq!(said(Some("USA")), None);
        assert_eq!(said(Some("U1")), None);
        assert_eq!(said(Some("ÜS")), None);
        // Not said at all: read from the recipient, as for a call.
        assert_eq!(said(None).as_deref(), Some("US"));
        assert_eq!(said(Some("")).as_deref(), Some("US"));
    }

    #[test]
    fn records_route_by_their_own_fields() {
        let numbers = numbers();
        let out = call("outbound", "+14155551234", "442079460018");
        assert_eq!(
            numbers.attribute(Route::from(&out), &Source::Account),
            by_number(sub(SA))
        );
        let sms = message("442079460018", None);
        assert_eq!(
            numbers.attribute(Route::from(&sms), &Source::Account),
            by_number(sub(SA))
        );
    }

    proptest::proptest! {
        #[test]
        fn any_digits_reach_the_parser_without_a_panic(digits in "[0-9]{1,15}") {
            if let Some(found) = number_country(&digits) {
                proptest::prop_assert_eq!(found.as_str().len(), 2);
            }
        }

        #[test]
        fn any_text_reads_as_it_does_with_a_plus(text in "\\PC{0,40}") {
            let plussed = format!("+{}", text.trim_start());
            if !text.trim_start().starts_with('+') {
                proptest::prop_assert_eq!(number_country(&text), number_country(&plussed));
                let numbers = numbers();
                proptest::prop_assert_eq!(numbers.owner_of(&text), numbers.owner_of(&plussed));
            }
        }
    }
}
