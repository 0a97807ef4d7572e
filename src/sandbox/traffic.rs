//! The sandbox's traffic: one model of the calls and messages the main
//! account and its subaccounts make through its rented numbers, to several
//! countries. Live traffic is what drains the balance: each record is made
//! when the drain has spent its amount, so the records' amounts add up to
//! exactly what was drained. `--traffic DAYS` also seeds past days.
//!
//! Records are kept compact (amounts in 1/100,000 USD, numbers as digits)
//! in vectors sorted by time, so a page is found by binary search.

use std::time::Duration;

use jiff::Timestamp;
use rust_decimal::Decimal;
use tokio::time::Instant;

/// Amounts are kept in units of 0.00001 USD, the API's five places.
const SCALE: u32 = 5;
/// Calls a seeded day holds, times the scale.
const CALLS_A_DAY: u64 = 100;
/// Messages a seeded day holds, times the scale.
const MESSAGES_A_DAY: u64 = 150;
const DAY_MS: i64 = 86_400_000;

/// A destination: its calling code and Plivo-like rates (in 0.00001 USD).
pub(crate) struct Country {
    /// ISO 3166 code.
    pub iso2: &'static str,
    /// The calling code that starts its numbers.
    pub code: &'static str,
    /// Outbound voice, per minute.
    voice: i64,
    /// Outbound SMS, per part.
    sms: i64,
    /// The voice network group a call is rated in.
    pub network: &'static str,
}

/// Where the usual traffic goes: the first of [`COUNTRIES`].
const USUAL: usize = 6;
/// Where a pumping burst goes (`--pumping`): Latvia, which the usual
/// traffic never reaches.
const PUMPED: usize = 6;

/// Every destination: the usual ones, then the pumping burst's.
pub(crate) const COUNTRIES: [Country; 7] = [
    Country {
        iso2: "US",
        code: "1",
        voice: 850,
        sms: 500,
        network: "USA All Networks",
    },
    Country {
        iso2: "GB",
        code: "44",
        voice: 1_200,
        sms: 4_000,
        network: "United Kingdom All Networks",
    },
    Country {
        iso2: "IN",
        code: "91",
        voice: 3_570,
        sms: 250,
        network: "India All Networks",
    },
    Country {
        iso2: "DE",
        code: "49",
        voice: 2_100,
        sms: 8_000,
        network: "Germany All Networks",
    },
    Country {
        iso2: "BR",
        code: "55",
        voice: 3_500,
        sms: 5_500,
        network: "Brazil All Networks",
    },
    Country {
        iso2: "AU",
        code: "61",
        voice: 2_800,
        sms: 6_000,
        network: "Australia All Networks",
    },
    Country {
        iso2: "LV",
        code: "371",
        voice: 9_000,
        sms: 5_000,
        network: "Latvia All Networks",
    },
];

/// An inbound minute on a rented number, in 0.00001 USD (inbound SMS and
/// MMS are free).
const INBOUND_VOICE: i64 = 550;
/// An MMS sent (US numbers only), in 0.00001 USD.
const MMS: i64 = 2_000;
/// A WhatsApp message sent: Plivo's fee and Meta's, in 0.00001 USD.
const WHATSAPP_OUT: i64 = 1_400;
/// A WhatsApp message received: Plivo's fee alone, in 0.00001 USD.
const WHATSAPP_IN: i64 = 500;

/// What a record is: a call, or a message of one `message_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Medium {
    /// A call.
    Voice,
    /// `sms`.
    Sms,
    /// `mms`.
    Mms,
    /// `whatsapp`.
    Whatsapp,
}

impl Medium {
    /// A message's `message_type` (a call has none: `""`).
    pub fn message_type(self) -> &'static str {
        match self {
            Medium::Voice => "",
            Medium::Sms => "sms",
            Medium::Mms => "mms",
            Medium::Whatsapp => "whatsapp",
        }
    }

    /// The message type `text` names, if it names one.
    pub fn of_message(text: &str) -> Option<Self> {
        [Medium::Sms, Medium::Mms, Medium::Whatsapp]
            .into_iter()
            .find(|m| m.message_type() == text)
    }

    /// The product the store and `usage --by product` name it by.
    pub fn product(self, inbound: bool) -> String {
        let medium = match self {
            Medium::Voice => "voice",
            other => other.message_type(),
        };
        format!("{medium}-{}", if inbound { "inbound" } else { "outbound" })
    }
}

/// One rented number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rented {
    /// Its digits.
    pub number: u64,
    /// The subaccount it is assigned to, if any.
    pub sub_account: Option<String>,
    /// Its country (an index into [`COUNTRIES`]).
    pub country: usize,
    /// `local` or `tollfree`.
    pub number_type: &'static str,
    /// Its monthly rent.
    pub monthly_rental_rate: Decimal,
    /// When it was rented.
    pub added_on: jiff::civil::Date,
}

/// A call or a message, compact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rec {
    /// When it ended (calls) or was sent (messages), ms since the epoch.
    pub at_ms: i64,
    /// Its number in its list, ascending with time: its uuid is made from it.
    pub id: u64,
    /// Caller or sender digits.
    pub from: u64,
    /// Called or recipient digits.
    pub to: u64,
    /// Amount in 0.00001 USD.
    pub amount: i64,
    /// Call: seconds; message: parts.
    pub quantity: u32,
    /// Whose it is: 0 the main account, `i + 1` the subaccount `owners[i]`.
    pub owner: u16,
    /// The far end's country (an index into [`COUNTRIES`]).
    pub country: u8,
    /// Toward the account.
    pub inbound: bool,
    /// A call, or which kind of message.
    pub medium: Medium,
}

impl Rec {
    /// Its amount in USD.
    pub fn amount(&self) -> Decimal {
        Decimal::new(self.amount, SCALE)
    }

    /// Its rate in USD: per minute for calls, per part for messages.
    pub fn rate(&self) -> Decimal {
        Decimal::new(self.rate_units(), SCALE)
    }

    fn rate_units(&self) -> i64 {
        let country = &COUNTRIES[usize::from(self.country)];
        match (self.medium, self.inbound) {
            (Medium::Voice, true) => INBOUND_VOICE,
            (Medium::Voice, false) => country.voice,
            (Medium::Sms | Medium::Mms, true) => 0,
            (Medium::Sms, false) => country.sms,
            (Medium::Mms, false) => MMS,
            (Medium::Whatsapp, true) => WHATSAPP_IN,
            (Medium::Whatsapp, false) => WHATSAPP_OUT,
        }
    }

    /// Its time.
    pub fn at(&self) -> Timestamp {
        Timestamp::from_millisecond(self.at_ms).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// A call or a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A call.
    Call,
    /// A message.
    Message,
}

/// Both lists.
pub(crate) const KINDS: [Kind; 2] = [Kind::Call, Kind::Message];

/// The account's numbers, its records, and the live traffic's progress.
#[derive(Debug)]
pub(crate) struct Traffic {
    /// The numbers rented, oldest first.
    pub numbers: Vec<Rented>,
    /// The subaccounts traffic belongs to (a record's `owner - 1`).
    pub owners: Vec<String>,
    /// Calls, by time.
    pub calls: Vec<Rec>,
    /// Messages, by time.
    pub messages: Vec<Rec>,
    rng: fastrand::Rng,
    /// The live traffic's clock: `start` is `start_wall`.
    start: Instant,
    start_wall_ms: i64,
    drain_per_min: Decimal,
    /// Spent by live traffic so far, in 0.00001 USD.
    spent: i64,
    /// The next live record, with when it is due (ms after `start`).
    next: Option<(i64, Kind, Rec)>,
    /// A pumping burst: when its next SMS is due (ms after `start`).
    pump: Option<i64>,
    /// The burst's pace, ms between SMS.
    pump_every: i64,
    /// When the burst ends (ms after `start`, excluded); `None`: never.
    pump_until: Option<i64>,
}

impl Traffic {
    /// The account's numbers (some assigned to `owners`, the subaccounts)
    /// and `days` past days of traffic, `scale` times the usual volume,
    /// all drawn from `seed`; live traffic then spends `drain_per_min`.
    pub fn new(
        owners: Vec<String>,
        days: u32,
        scale: u32,
        seed: u64,
        drain_per_min: Decimal,
        start: Instant,
        start_wall: Timestamp,
    ) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let today = start_wall.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        let numbers = rent(&mut rng, &owners, today);
        let mut traffic = Self {
            numbers,
            owners,
            calls: Vec::new(),
            messages: Vec::new(),
            rng,
            start,
            start_wall_ms: start_wall.as_millisecond(),
            drain_per_min,
            spent: 0,
            next: None,
            pump: None,
            pump_every: 0,
            pump_until: None,
        };
        let per_day = u64::from(scale);
        for (kind, a_day) in [(Kind::Call, CALLS_A_DAY), (Kind::Message, MESSAGES_A_DAY)] {
            let count = u64::from(days) * a_day * per_day;
            let from = traffic.start_wall_ms - i64::from(days) * DAY_MS;
            let mut times: Vec<i64> = (0..count)
                .map(|_| traffic.rng.i64(from..traffic.start_wall_ms.max(from + 1)))
                .collect();
            times.sort_unstable();
            let mut records = Vec::with_capacity(times.len());
            for at_ms in times {
                let mut rec = traffic.make(kind);
                rec.at_ms = at_ms;
                rec.id = u64::try_from(records.len()).unwrap_or(u64::MAX);
                records.push(rec);
            }
            *traffic.list_mut(kind) = records;
        }
        traffic.plan_after(0);
        traffic
    }

    /// The records of `kind`, by time.
    pub fn list(&self, kind: Kind) -> &[Rec] {
        match kind {
            Kind::Call => &self.calls,
            Kind::Message => &self.messages,
        }
    }

    fn list_mut(&mut self, kind: Kind) -> &mut Vec<Rec> {
        match kind {
            Kind::Call => &mut self.calls,
            Kind::Message => &mut self.messages,
        }
    }

    /// What live traffic has spent.
    pub fn spent(&self) -> Decimal {
        Decimal::new(self.spent, SCALE)
    }

    /// When the traffic's clock started: the seeded days end there.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// The time at `now` on the traffic's clock.
    pub fn wall(&self, now: Instant) -> Timestamp {
        let ms = i64::try_from(now.saturating_duration_since(self.start).as_millis())
            .unwrap_or(i64::MAX / 2);
        Timestamp::from_millisecond(self.start_wall_ms.saturating_add(ms)).unwrap_or(Timestamp::MAX)
    }

    /// Starts a pumping burst as `pumping` says: SMS to [`PUMPED`], a
    /// country the usual traffic never reaches, from the first
    /// subaccount's rented number (the main account's without
    /// subaccounts), spent from the balance as live traffic is.
    pub fn pump(&mut self, pumping: super::Pumping) {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2);
        let after = ms(pumping.after);
        self.pump_every = ms(pumping.every).max(1);
        self.pump_until = pumping.lasting.map(|d| after.saturating_add(ms(d)));
        self.pump = Some(after).filter(|at| self.pump_until.is_none_or(|end| *at < end));
    }

    /// Makes every live record due by `now`, in time order. `room` is what
    /// the balance can still pay, `None` when it is topped up whenever it
    /// runs low: a record that costs more than the room left is cut to it
    /// (a call hung up when the credit ran out), and the traffic stops
    /// there.
    pub(crate) fn catch_up(
        &mut self,
        now: Instant,
        mut room: impl FnMut(Decimal) -> Option<Decimal>,
    ) {
        let elapsed = i64::try_from(now.saturating_duration_since(self.start).as_millis())
            .unwrap_or(i64::MAX);
        loop {
            let drain = self.next.as_ref().map(|(due, ..)| *due);
            let (due, pumped) = match (drain, self.pump) {
                (Some(d), Some(p)) if p < d => (p, true),
                (Some(d), _) => (d, false),
                (None, Some(p)) => (p, true),
                (None, None) => return,
            };
            if due > elapsed {
                return;
            }
            let (kind, mut rec) = match self.next.take() {
                Some((_, kind, rec)) if !pumped => (kind, rec),
                planned => {
                    self.next = planned;
                    (Kind::Message, self.pumped())
                }
            };
            if let Some(left) = room(self.spent()) {
                let left = units(left).max(0);
                if rec.amount >= left {
                    rec.amount = left;
                    if left > 0 {
                        self.push(kind, rec, due);
                    }
                    self.next = None;
                    self.pump = None;
                    return;
                }
            }
            self.push(kind, rec, due);
            if pumped {
                self.pump = Some(due.saturating_add(self.pump_every))
                    .filter(|at| self.pump_until.is_none_or(|end| *at < end));
            } else {
                self.plan_after(due);
            }
        }
    }

    /// The pumping burst's next SMS (its time and id set later).
    fn pumped(&mut self) -> Rec {
        let sub = self.owners.first().map(String::as_str);
        let (owner, number) = self
            .numbers
            .iter()
            .find(|n| n.sub_account.as_deref() == sub)
            .map_or((0, 14_155_550_000), |n| {
                (u16::from(sub.is_some()), n.number)
            });
        let mut rec = Rec {
            at_ms: 0,
            id: 0,
            from: number,
            to: far_number(&mut self.rng, PUMPED),
            amount: 0,
            quantity: 1,
            owner,
            country: u8::try_from(PUMPED).unwrap_or(0),
            inbound: false,
            medium: Medium::Sms,
        };
        rec.amount = rec.rate_units();
        rec
    }

    fn push(&mut self, kind: Kind, mut rec: Rec, due: i64) {
        self.spent += rec.amount;
        rec.at_ms = self.start_wall_ms.saturating_add(due);
        let list = self.list_mut(kind);
        rec.id = u64::try_from(list.len()).unwrap_or(u64::MAX);
        list.push(rec);
    }

    /// Draws the next live record: due when the drain, from `after`, has
    /// spent its amount.
    fn plan_after(&mut self, after: i64) {
        if self.drain_per_min <= Decimal::ZERO {
            return;
        }
        // Three messages for two calls, as in the seeded days.
        let kind = if self.rng.u8(0..5) < 2 {
            Kind::Call
        } else {
            Kind::Message
        };
        let rec = self.make(kind);
        let ms = (Decimal::new(rec.amount, SCALE) * Decimal::from(60_000) / self.drain_per_min)
            .ceil()
            .try_into()
            .unwrap_or(i64::MAX / 2);
        self.next = Some((after.saturating_add(ms), kind, rec));
    }

    /// A record of `kind` drawn from the model (its time and id set later).
    fn make(&mut self, kind: Kind) -> Rec {
        let rng = &mut self.rng;
        let owners = u16::try_from(self.owners.len().min(usize::from(u16::MAX - 1))).unwrap_or(0);
        let owner = rng.u16(0..=owners);
        let sub = (owner > 0).then(|| self.owners[usize::from(owner - 1)].as_str());
        let own: Vec<&Rented> = self
            .numbers
            .iter()
            .filter(|n| n.sub_account.as_deref() == sub)
            .collect();
        // Mostly through a rented number; otherwise from a SIP endpoint or
        // an app, with a caller id the account does not rent.
        let rented = (!own.is_empty() && rng.u8(0..10) < 8).then(|| own[rng.usize(..own.len())]);
        let inbound = rented.is_some() && rng.u8(0..10) < 3;
        // Of messages, mostly SMS; MMS only between US numbers.
        let mut medium = match kind {
            Kind::Call => Medium::Voice,
            Kind::Message => match rng.u8(0..100) {
                0..80 => Medium::Sms,
                80..92 => Medium::Mms,
                _ => Medium::Whatsapp,
            },
        };
        if medium == Medium::Mms && rented.is_some_and(|n| n.country != 0) {
            medium = Medium::Sms;
        }
        let country = if medium == Medium::Mms {
            0
        } else {
            rng.usize(..USUAL)
        };
        let far = far_number(rng, country);
        let ours = rented.map_or_else(|| 14_155_550_000 + rng.u64(0..10_000), |n| n.number);
        let (from, to) = if inbound { (far, ours) } else { (ours, far) };
        let mut rec = Rec {
            at_ms: 0,
            id: 0,
            from,
            to,
            amount: 0,
            quantity: 0,
            owner,
            country: u8::try_from(country).unwrap_or(0),
            inbound,
            medium,
        };
        let rate = rec.rate_units();
        match kind {
            Kind::Call => {
                let seconds = rng.u32(5..=900);
                rec.quantity = seconds;
                rec.amount = rate * i64::from(seconds.div_ceil(60));
            }
            Kind::Message => {
                // Only a long SMS is billed as several parts.
                let parts = if medium == Medium::Sms {
                    [1, 1, 1, 1, 2, 3][rng.usize(..6)]
                } else {
                    1
                };
                rec.quantity = parts;
                rec.amount = rate * i64::from(parts);
            }
        }
        rec
    }
}

/// `amount` in 0.00001 USD (a balance finer than that is rounded down, so
/// the last record never takes more than is left).
fn units(amount: Decimal) -> i64 {
    (amount * Decimal::from(100_000))
        .floor()
        .try_into()
        .unwrap_or(i64::MAX / 2)
}

/// Area codes a made-up US number is given: real ones, so that the number
/// is one libphonenumber reads as a US number, as every number Plivo rents
/// or bills is a real one.
const US_AREAS: [u64; 8] = [201, 212, 305, 312, 415, 617, 646, 702];

/// A number in `country`, valid by libphonenumber's data (a mobile's
/// prefix, or a US area code and an exchange not starting with 0 or 1):
/// one draw, as before, spread over the digits the country's format leaves
/// free.
fn far_number(rng: &mut fastrand::Rng, country: usize) -> u64 {
    let code: u64 = COUNTRIES[country].code.parse().unwrap_or(1);
    let drawn = rng.u64(1_000_000_000..10_000_000_000);
    let national = match COUNTRIES[country].iso2 {
        "US" => {
            let area = US_AREAS[usize::try_from(drawn % 8).unwrap_or(0)];
            let exchange = 200 + drawn / 8 % 800;
            area * 10_000_000 + exchange * 10_000 + drawn / 6_400 % 10_000
        }
        // UK mobiles 7400…, German 151…, Brazilian São Paulo mobiles 119…,
        // Australian mobiles 40…, Latvian mobiles 2…, Indian mobiles 98….
        "GB" => 7_400_000_000 + drawn % 1_000_000,
        "LV" => 20_000_000 + drawn % 10_000_000,
        "DE" => 15_100_000_000 + drawn % 100_000_000,
        "BR" => 11_900_000_000 + drawn % 100_000_000,
        "AU" => 400_000_000 + drawn % 10_000_000,
        _ => 9_800_000_000 + drawn % 100_000_000,
    };
    let digits = national.checked_ilog10().map_or(1, |l| l + 1);
    code * 10u64.pow(digits) + national
}

/// The account's rented numbers: two in the US for the main account, and
/// one or two for each of the first subaccounts, some abroad.
fn rent(rng: &mut fastrand::Rng, owners: &[String], today: jiff::civil::Date) -> Vec<Rented> {
    let mut slots: Vec<Option<String>> = vec![None, None];
    for sub in owners.iter().take(4) {
        slots.push(Some(sub.clone()));
    }
    slots.extend(owners.iter().take(2).cloned().map(Some));
    slots
        .into_iter()
        .enumerate()
        .map(|(i, sub_account)| {
            let country = [0, 0, 1, 0, 2, 0, 5][i % 7];
            let tollfree = i == 1;
            let number = if tollfree {
                // A toll-free 844 number's exchange starts with 2 to 9.
                18_442_000_000 + rng.u64(0..8_000_000)
            } else {
                far_number(rng, country)
            };
            let days = i64::try_from(30 * (i + 1)).unwrap_or(30);
            Rented {
                number,
                sub_account,
                country,
                number_type: if tollfree { "tollfree" } else { "local" },
                monthly_rental_rate: match (tollfree, country) {
                    (true, _) => Decimal::new(100_000, SCALE),
                    (false, 0) => Decimal::new(80_000, SCALE),
                    _ => Decimal::new(150_000, SCALE),
                },
                added_on: today
                    .checked_sub(jiff::Span::new().days(days))
                    .unwrap_or(today),
            }
        })
        .collect()
}

/// How far back the lists reach.
pub(crate) const KEPT: Duration = Duration::from_secs(90 * 86_400);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Pumping;

    fn traffic(drain: Decimal, start: Instant) -> Traffic {
        let wall: Timestamp = "2026-12-05T12:00:00Z".parse().unwrap();
        Traffic::new(
            vec![
                "SAAAAAAAAAAAAAAAAAA1".to_owned(),
                "SAAAAAAAAAAAAAAAAAA2".to_owned(),
            ],
            2,
            1,
            7,
            drain,
            start,
            wall,
        )
    }

    fn sum(records: &[Rec]) -> Decimal {
        records.iter().map(Rec::amount).sum()
    }

    #[test]
    fn seeded_days_are_sorted_and_sized_and_repeat_with_the_seed() {
        let start = Instant::now();
        let t = traffic(Decimal::ZERO, start);
        assert_eq!(t.calls.len(), 200);
        assert_eq!(t.messages.len(), 300);
        assert!(t.calls.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        assert!(t.calls.iter().any(|r| r.owner > 0), "subaccounts call too");
        assert!(t.calls.iter().any(|r| r.inbound));
        assert_eq!(t.calls, traffic(Decimal::ZERO, start).calls, "same seed");
    }

    #[test]
    fn what_live_traffic_spends_is_what_its_records_add_up_to() {
        let start = Instant::now();
        let mut t = traffic(Decimal::from(6), start);
        let seeded = (t.calls.len(), t.messages.len());
        let mut last = Decimal::ZERO;
        for secs in [1, 7, 30, 61, 600] {
            t.catch_up(start + Duration::from_secs(secs), |_| None);
            let live = sum(&t.calls[seeded.0..]) + sum(&t.messages[seeded.1..]);
            assert_eq!(live, t.spent(), "after {secs} s");
            // The drain's pace: never ahead of it, behind by at most one
            // record.
            let due = Decimal::from(6) * Decimal::from(secs) / Decimal::from(60);
            assert!(t.spent() <= due, "{} > {due}", t.spent());
            assert!(t.spent() > due - Decimal::new(54, 2), "{}", t.spent());
            assert!(t.spent() >= last);
            last = t.spent();
        }
        assert!(t.calls.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    }

    #[test]
    fn pumping_bursts_sms_to_a_new_country_from_the_first_subaccount() {
        let start = Instant::now();
        let mut t = traffic(Decimal::from(6), start);
        let seeded = (t.calls.len(), t.messages.len());
        assert!(
            t.calls
                .iter()
                .chain(&t.messages)
                .all(|r| usize::from(r.country) < USUAL),
            "the seeded days never reach it"
        );
        t.pump(Pumping::starting(Duration::from_secs(30)));
        t.catch_up(start + Duration::from_secs(29), |_| None);
        let pumped = |t: &Traffic| {
            t.messages
                .iter()
                .filter(|r| COUNTRIES[usize::from(r.country)].iso2 == "LV")
                .copied()
                .collect::<Vec<_>>()
        };
        assert!(pumped(&t).is_empty(), "not before its time");
        t.catch_up(start + Duration::from_secs(40), |_| None);
        let burst = pumped(&t);
        // 30 s to 40 s, one every half second, both ends included.
        assert_eq!(burst.len(), 21);
        let number = t
            .numbers
            .iter()
            .find(|n| n.sub_account.as_deref() == Some("SAAAAAAAAAAAAAAAAAA1"));
        for r in &burst {
            assert_eq!((r.owner, r.medium, r.inbound), (1, Medium::Sms, false));
            assert_eq!(Some(r.from), number.map(|n| n.number), "its own number");
            assert_eq!(r.amount(), Decimal::new(5, 2));
        }
        // Drained as live traffic is, and the list stays in time order.
        let live = sum(&t.calls[seeded.0..]) + sum(&t.messages[seeded.1..]);
        assert_eq!(live, t.spent());
        assert_eq!(sum(&burst), Decimal::new(105, 2));
        assert!(t.messages.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        assert!(t.messages.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn a_bounded_burst_keeps_its_pace_and_ends_when_told() {
        let start = Instant::now();
        let mut t = traffic(Decimal::ZERO, start);
        t.pump(Pumping {
            after: Duration::from_secs(30),
            every: Duration::from_secs(3),
            lasting: Some(Duration::from_secs(90)),
        });
        let lv = |t: &Traffic| {
            t.messages
                .iter()
                .filter(|r| usize::from(r.country) == PUMPED)
                .map(|r| r.at_ms - t.start_wall_ms)
                .collect::<Vec<_>>()
        };
        t.catch_up(start + Duration::from_secs(60), |_| None);
        assert_eq!(
            lv(&t),
            (0..11).map(|i| 30_000 + 3_000 * i).collect::<Vec<_>>()
        );
        t.catch_up(start + Duration::from_secs(3600), |_| None);
        // 30 s to 120 s, the end excluded: thirty, and none after.
        let burst = lv(&t);
        assert_eq!(burst.len(), 30);
        assert_eq!(burst.last(), Some(&117_000));
        assert_eq!(t.spent(), Decimal::new(150, 2));
        // Over before it began: nothing.
        let mut t = traffic(Decimal::ZERO, start);
        t.pump(Pumping {
            lasting: Some(Duration::ZERO),
            ..Pumping::starting(Duration::ZERO)
        });
        t.catch_up(start + Duration::from_secs(60), |_| None);
        assert!(lv(&t).is_empty());
    }

    #[test]
    fn traffic_stops_where_the_credit_runs_out_spending_it_exactly() {
        let start = Instant::now();
        let mut t = traffic(Decimal::from(60), start);
        let balance = Decimal::new(123_457, 5);
        t.catch_up(start + Duration::from_secs(3600), |spent| {
            Some(balance - spent)
        });
        assert_eq!(t.spent(), balance);
        let before = t.calls.len() + t.messages.len();
        t.catch_up(start + Duration::from_secs(7200), |spent| {
            Some(balance - spent)
        });
        assert_eq!(t.calls.len() + t.messages.len(), before, "nothing after");
    }
}
