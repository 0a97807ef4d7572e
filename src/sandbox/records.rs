//! The usage record endpoints, as Plivo answers them: `Call/`, `Message/`
//! and `Number/` (lists and single records), with Plivo's rules: a page
//! holds at most 20, nothing older than 90 days, a call range at most 30
//! days wide, no time filter meaning the last 7 days of calls or 24 hours
//! of messages, the message list at most 20 requests a minute, newest
//! first, `meta` links that work; misbehaving as `Options::list_fault`
//! asks, as the subaccount list does.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::reply::{api_id, error, list_page};
use super::traffic::{COUNTRIES, KEPT, Kind, Medium, Rec, Traffic};
use super::{Ledger, ListFault};
use crate::plivo::{PAGE_LIMIT, parse_time};

/// The widest `end_time` range the call list answers.
const CALL_RANGE: Duration = Duration::from_secs(30 * 86_400);
/// The call list's window when no time is asked for.
const CALLS_BY_DEFAULT: Duration = Duration::from_secs(7 * 86_400);
/// The message list's window when no time is asked for.
const MESSAGES_BY_DEFAULT: Duration = Duration::from_secs(86_400);
/// Message list requests allowed per window.
pub(crate) const MESSAGE_REQUESTS: usize = 20;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// `Call/`.
    Calls,
    /// `Message/`.
    Messages,
    /// `Number/`.
    Numbers,
}

impl List {
    fn path(self) -> &'static str {
        match self {
            List::Calls => "Call",
            List::Messages => "Message",
            List::Numbers => "Number",
        }
    }
}

/// A list's answer to `GET …/{List}/?query` at `now`.
pub(super) fn list(
    parent: &str,
    which: List,
    query: Option<&str>,
    now: Instant,
    ledger: &mut Ledger,
) -> Response {
    if which == List::Messages
        && let Some(wait) = ledger.message_gate(now)
    {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests: the message list allows 20 a minute",
        );
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        return response;
    }
    let asked = match Asked::read(query, which) {
        Ok(asked) => asked,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    if ledger.list_fault == ListFault::RefuseSubaccount
        && let Some(id) = &asked.subaccount
    {
        let message = format!(
            "subaccount {:?} is not one of this account's",
            crate::text::sanitize(id)
        );
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let owner = match owner_of(ledger, asked.subaccount.as_deref()) {
        Ok(owner) => owner,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let traffic = &ledger.traffic;
    let main = ledger.account.auth_id.as_str();
    let kind = match which {
        List::Calls => Some(Kind::Call),
        List::Messages => Some(Kind::Message),
        List::Numbers => None,
    };
    let range = match kind.map(|_| asked.range(which, traffic.wall(now))) {
        Some(Err(message)) => return error(StatusCode::BAD_REQUEST, &message),
        Some(Ok(range)) => range,
        None => (0, 0),
    };
    let serve = |offset: usize| match kind {
        None => numbers(parent, &asked, offset, ledger),
        Some(kind) => {
            let (total, page) = page(traffic.list(kind), range, &asked, offset, owner);
            let objects = page
                .iter()
                .map(|r| match kind {
                    Kind::Call => call(parent, main, r),
                    Kind::Message => message(parent, main, r, traffic),
                })
                .collect();
            (total, objects)
        }
    };
    let link = |offset: usize| {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &asked.filters {
            pairs.append_pair(k, v);
        }
        pairs
            .append_pair("limit", &asked.limit.to_string())
            .append_pair("offset", &offset.to_string());
        format!("/v1/Account/{parent}/{}/?{}", which.path(), pairs.finish())
    };
    list_page(ledger.list_fault, asked.offset, asked.limit, serve, link)
}

/// One record: `GET …/Call/{uuid}/`, `…/Message/{uuid}/`, `…/Number/{number}/`.
pub(super) fn get(parent: &str, which: List, id: &str, now: Instant, ledger: &Ledger) -> Response {
    let traffic = &ledger.traffic;
    let main = ledger.account.auth_id.as_str();
    let oldest = oldest(traffic.wall(now));
    let found = match which {
        List::Numbers => ledger
            .traffic
            .numbers
            .iter()
            .enumerate()
            .find(|(_, n)| n.number.to_string() == id.trim_start_matches('+'))
            .map(|(i, _)| number(parent, i, ledger)),
        List::Calls | List::Messages => {
            let kind = if which == List::Calls {
                Kind::Call
            } else {
                Kind::Message
            };
            id_of(kind, main, id)
                .and_then(|i| traffic.list(kind).get(usize::try_from(i).ok()?))
                .filter(|r| r.at_ms >= oldest)
                .map(|r| match kind {
                    Kind::Call => call(parent, main, r),
                    Kind::Message => message(parent, main, r, traffic),
                })
        }
    };
    match found {
        Some(mut object) => {
            object["api_id"] = json!(api_id());
            (StatusCode::OK, axum::Json(object)).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "not found"),
    }
}

/// `DELETE …/Number/{number}/`: the number is released (Plivo's "unrent"),
/// so it leaves the Number list and no new record goes through it; the
/// records that did stay as they were. `204`, or `404` for a number not
/// rented.
pub(super) fn release(traffic: &mut Traffic, number: &str) -> Response {
    let digits = number.trim().trim_start_matches('+');
    match traffic
        .numbers
        .iter()
        .position(|n| n.number.to_string() == digits)
    {
        Some(i) => {
            traffic.numbers.remove(i);
            StatusCode::NO_CONTENT.into_response()
        }
        None => error(StatusCode::NOT_FOUND, "not found"),
    }
}

/// A list request's parameters, checked.
struct Asked {
    limit: usize,
    offset: usize,
    /// The filters as sent (for the links), without limit and offset.
    filters: Vec<(String, String)>,
    subaccount: Option<String>,
    inbound: Option<bool>,
    from: Option<u64>,
    to: Option<u64>,
    /// The time filter's lower bound (ms, included), if given.
    lower: Option<i64>,
    /// The time filter's upper bound (ms, excluded), if given.
    upper: Option<i64>,
    /// The message list's `message_type`.
    medium: Option<Medium>,
    number_type: Option<String>,
    starts_with: Option<String>,
}

impl Asked {
    fn read(query: Option<&str>, which: List) -> Result<Self, String> {
        let mut asked = Asked {
            limit: 20,
            offset: 0,
            filters: Vec::new(),
            subaccount: None,
            inbound: None,
            from: None,
            to: None,
            lower: None,
            upper: None,
            medium: None,
            number_type: None,
            starts_with: None,
        };
        let (direction, time) = match which {
            List::Calls => ("call_direction", "end_time"),
            List::Messages => ("message_direction", "message_time"),
            List::Numbers => ("", ""),
        };
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let (key, value) = (key.as_ref(), value.trim());
            let count = || {
                value
                    .parse::<usize>()
                    .map_err(|_| format!("{key} must be a number, not {value:?}"))
            };
            let digits = || {
                value
                    .trim_start_matches('+')
                    .parse::<u64>()
                    .map(Some)
                    .map_err(|_| format!("{key} must be a phone number, not {value:?}"))
            };
            match key {
                "limit" => {
                    asked.limit = count()?;
                    continue;
                }
                "offset" => {
                    asked.offset = count()?;
                    continue;
                }
                "subaccount" => asked.subaccount = Some(value.to_owned()),
                k if k == direction && !k.is_empty() => {
                    asked.inbound = Some(match value {
                        "inbound" => true,
                        "outbound" => false,
                        _ => return Err(format!("{key} must be inbound or outbound")),
                    });
                }
                "from_number" if which != List::Numbers => asked.from = digits()?,
                "to_number" if which != List::Numbers => asked.to = digits()?,
                "message_type" if which == List::Messages => {
                    asked.medium = Some(
                        Medium::of_message(value)
                            .ok_or_else(|| format!("{key} must be sms, mms or whatsapp"))?,
                    );
                }
                "type" if which == List::Numbers => asked.number_type = Some(value.to_owned()),
                "number_startswith" if which == List::Numbers => {
                    asked.starts_with = Some(value.trim_start_matches('+').to_owned());
                }
                k if !time.is_empty() && k.starts_with(time) => {
                    let at = parse_time(value)
                        .ok_or_else(|| {
                            format!(
                                "{key} must be a time such as 2026-01-31 23:59[:59], not {value:?}"
                            )
                        })?
                        .as_millisecond();
                    let raise = |bound: &mut Option<i64>, ms: i64| {
                        *bound = Some(bound.map_or(ms, |b| b.max(ms)));
                    };
                    let lower_to = |bound: &mut Option<i64>, ms: i64| {
                        *bound = Some(bound.map_or(ms, |b| b.min(ms)));
                    };
                    match &k[time.len()..] {
                        "" => {
                            raise(&mut asked.lower, at);
                            lower_to(&mut asked.upper, at + 1);
                        }
                        "__gt" => raise(&mut asked.lower, at + 1),
                        "__gte" => raise(&mut asked.lower, at),
                        "__lt" => lower_to(&mut asked.upper, at),
                        "__lte" => lower_to(&mut asked.upper, at + 1),
                        _ => return Err(format!("unknown filter {key:?}")),
                    }
                }
                // Plivo ignores what it does not filter on; so does the sandbox.
                _ => continue,
            }
            asked.filters.push((key.to_owned(), value.to_owned()));
        }
        if !(1..=usize::try_from(PAGE_LIMIT).unwrap_or(20)).contains(&asked.limit) {
            return Err(format!("limit must be between 1 and {PAGE_LIMIT}"));
        }
        Ok(asked)
    }

    /// The time range (ms, upper excluded) a record list answers for at
    /// `now`, or why it is refused.
    fn range(&self, which: List, now: jiff::Timestamp) -> Result<(i64, i64), String> {
        let window = ms(if which == List::Calls {
            CALLS_BY_DEFAULT
        } else {
            MESSAGES_BY_DEFAULT
        });
        let now_ms = now.as_millisecond();
        let (lower, upper) = match (self.lower, self.upper) {
            (None, None) => (now_ms - window, now_ms + 1),
            (Some(lower), None) => (lower, now_ms + 1),
            (None, Some(upper)) => (upper - window, upper),
            (Some(lower), Some(upper)) => (lower, upper),
        };
        if which == List::Calls && upper - lower > ms(CALL_RANGE) + 1 {
            return Err("end_time range cannot be wider than 30 days".to_owned());
        }
        Ok((lower.max(oldest(now)), upper))
    }

    fn matches(&self, r: &Rec, owner: Option<u16>) -> bool {
        owner.is_none_or(|o| r.owner == o)
            && self.inbound.is_none_or(|i| r.inbound == i)
            && self.from.is_none_or(|f| r.from == f)
            && self.to.is_none_or(|t| r.to == t)
            && self.medium.is_none_or(|m| r.medium == m)
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// The oldest time the lists reach back to.
fn oldest(now: jiff::Timestamp) -> i64 {
    now.as_millisecond() - ms(KEPT)
}

/// The owner number a `subaccount` filter stands for: `None` for no
/// filter; a subaccount with no traffic matches nothing.
fn owner_of(ledger: &Ledger, subaccount: Option<&str>) -> Result<Option<u16>, String> {
    let Some(id) = subaccount else {
        return Ok(None);
    };
    if let Some(i) = ledger.traffic.owners.iter().position(|o| o == id) {
        return Ok(Some(u16::try_from(i + 1).unwrap_or(u16::MAX)));
    }
    if ledger.subaccounts.iter().any(|s| s.auth_id == id) {
        return Ok(Some(u16::MAX));
    }
    Err(format!(
        "subaccount {:?} is not one of this account's",
        crate::text::sanitize(id)
    ))
}

/// The records in `range` that match, newest first: how many there are,
/// and the page asked for. Without filters the page is cut out by index
/// alone; with them, the range is walked.
fn page<'a>(
    records: &'a [Rec],
    (lower, upper): (i64, i64),
    asked: &Asked,
    offset: usize,
    owner: Option<u16>,
) -> (usize, Vec<&'a Rec>) {
    let from = records.partition_point(|r| r.at_ms < lower);
    let to = records.partition_point(|r| r.at_ms < upper).max(from);
    let range = &records[from..to];
    let filtered = owner.is_some()
        || asked.inbound.is_some()
        || asked.from.is_some()
        || asked.to.is_some()
        || asked.medium.is_some();
    if !filtered {
        let end = range.len().saturating_sub(offset);
        let start = end.saturating_sub(asked.limit);
        return (range.len(), range[start..end].iter().rev().collect());
    }
    let mut total = 0;
    let mut page = Vec::new();
    for r in range.iter().rev().filter(|r| asked.matches(r, owner)) {
        if total >= offset && page.len() < asked.limit {
            page.push(r);
        }
        total += 1;
    }
    (total, page)
}

fn numbers(parent: &str, asked: &Asked, offset: usize, ledger: &Ledger) -> (usize, Vec<Value>) {
    let matching: Vec<usize> = ledger
        .traffic
        .numbers
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            asked
                .subaccount
                .as_deref()
                .is_none_or(|s| n.sub_account.as_deref() == Some(s))
                && asked
                    .number_type
                    .as_deref()
                    .is_none_or(|t| n.number_type == t)
                && asked
                    .starts_with
                    .as_deref()
                    .is_none_or(|p| n.number.to_string().starts_with(p))
        })
        .map(|(i, _)| i)
        .collect();
    let objects = matching
        .iter()
        .skip(offset)
        .take(asked.limit)
        .map(|&i| number(parent, i, ledger))
        .collect();
    (matching.len(), objects)
}

/// The time as Plivo writes a record's.
fn written(at: jiff::Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%d %H:%M:%S%:z")
        .to_string()
}

/// Uuids are made from a record's place in its list, so a `Get` finds it
/// without an index: the high half names the list, the low half is the
/// place times an odd constant (undone by its inverse).
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;
const UNSPREAD: u64 = inverse(SPREAD);

const fn inverse(odd: u64) -> u64 {
    // Newton's iteration doubles the correct low bits each round: 6 rounds
    // reach 64 from the 3 that `odd` itself is right to.
    let mut x = odd;
    let mut round = 0;
    while round < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
        round += 1;
    }
    x
}

/// A uuid's first half: its kind's, mixed with the sandbox's own account
/// (FNV-1a of its id, the version nibble left alone), so that two sandboxes
/// (the demo's accounts, syncing into one store) never serve one uuid, as
/// Plivo never does.
fn high(kind: Kind, account: &str) -> u64 {
    let base: u64 = match kind {
        Kind::Call => 0x4d04_c52e_cea3_4458,
        Kind::Message => 0x5b40_a428_bfc7_4daf,
    };
    let hash = account.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    base ^ (hash & !0xf000)
}

fn uuid_of(kind: Kind, account: &str, id: u64) -> String {
    uuid::Uuid::from_u64_pair(high(kind, account), id.wrapping_mul(SPREAD)).to_string()
}

fn id_of(kind: Kind, account: &str, uuid: &str) -> Option<u64> {
    let (hi, lo) = uuid::Uuid::parse_str(uuid.trim()).ok()?.as_u64_pair();
    (hi == high(kind, account)).then(|| lo.wrapping_mul(UNSPREAD))
}

fn call(parent: &str, main: &str, r: &Rec) -> Value {
    let uuid = uuid_of(Kind::Call, main, r.id);
    let end = r.at();
    let seconds = i64::from(r.quantity);
    let answered = end - jiff::SignedDuration::from_secs(seconds);
    let started = answered - jiff::SignedDuration::from_secs(6);
    let country = &COUNTRIES[usize::from(r.country)];
    json!({
        "answer_time": written(answered),
        "bill_duration": r.quantity,
        "billed_duration": r.quantity.div_ceil(60) * 60,
        "call_direction": if r.inbound { "inbound" } else { "outbound" },
        "call_duration": r.quantity,
        "call_state": "ANSWER",
        "call_uuid": uuid,
        "end_time": written(end),
        "from_number": r.from.to_string(),
        "hangup_cause_code": 4000,
        "hangup_cause_name": "Normal Hangup",
        "hangup_source": "Callee",
        "initiation_time": written(started),
        "parent_call_uuid": null,
        "resource_uri": format!("/v1/Account/{parent}/Call/{uuid}/"),
        "stir_verification": "Not Applicable",
        "to_number": r.to.to_string(),
        "total_amount": r.amount().to_string(),
        "total_rate": r.rate().to_string(),
        "voice_network_group": country.network,
    })
}

fn message(parent: &str, main: &str, r: &Rec, traffic: &Traffic) -> Value {
    let uuid = uuid_of(Kind::Message, main, r.id);
    // Inbound, the destination is the rented number's country.
    let country = if r.inbound {
        traffic
            .numbers
            .iter()
            .find(|n| n.number == r.to)
            .map_or(0, |n| n.country)
    } else {
        usize::from(r.country)
    };
    json!({
        "carrier_fees": "0.00000",
        "carrier_fees_rate": "0.00000",
        "destination_country_iso2": COUNTRIES[country].iso2,
        "destination_network": "",
        "error_code": "000",
        "from_number": r.from.to_string(),
        "message_direction": if r.inbound { "inbound" } else { "outbound" },
        "message_state": if r.inbound { "received" } else { "delivered" },
        "message_time": written(r.at()),
        "message_type": r.medium.message_type(),
        "message_uuid": uuid,
        "resource_uri": format!("/v1/Account/{parent}/Message/{uuid}/"),
        "to_number": r.to.to_string(),
        "total_amount": r.amount().to_string(),
        "total_rate": r.rate().to_string(),
        "units": r.quantity,
    })
}

fn number(parent: &str, i: usize, ledger: &Ledger) -> Value {
    let n = &ledger.traffic.numbers[i];
    let sub_name = n.sub_account.as_deref().and_then(|id| {
        ledger
            .subaccounts
            .iter()
            .find(|s| s.auth_id == id)
            .map(|s| s.name.clone())
    });
    let country = &COUNTRIES[n.country];
    let today = super::today();
    let renewal = today
        .first_of_month()
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(today);
    json!({
        "active": true,
        "added_on": n.added_on.to_string(),
        "alias": null,
        "carrier": "Plivo",
        "country": country.iso2,
        "mms_enabled": false,
        "mms_rate": "0.00000",
        "monthly_rental_rate": n.monthly_rental_rate.to_string(),
        "number": n.number.to_string(),
        "number_type": n.number_type,
        "region": country.network.trim_end_matches(" All Networks"),
        "renewal_date": renewal.to_string(),
        "resource_uri": format!("/v1/Account/{parent}/Number/{}/", n.number),
        "sms_enabled": true,
        "sms_rate": "0.00000",
        "sub_account": n.sub_account,
        "sub_account_name": sub_name,
        "voice_enabled": true,
        "voice_rate": "0.00550",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_gives_back_the_place_it_was_made_from() {
        let main = "MA2025RK4E639VJFZAGV";
        for id in [0, 1, 2, 99_999, u64::MAX / 3] {
            let uuid = uuid_of(Kind::Call, main, id);
            assert_eq!(id_of(Kind::Call, main, &uuid), Some(id), "{uuid}");
            assert_eq!(id_of(Kind::Message, main, &uuid), None, "not a message's");
            assert_eq!(
                id_of(Kind::Call, "MA2025DEMO0000000001", &uuid),
                None,
                "not another sandbox's"
            );
            assert_eq!(
                uuid::Uuid::parse_str(&uuid).map(|u| u.get_version_num()),
                Ok(4),
                "{uuid}"
            );
        }
        assert_ne!(uuid_of(Kind::Call, main, 1), uuid_of(Kind::Call, main, 2));
        assert_ne!(
            uuid_of(Kind::Call, main, 1),
            uuid_of(Kind::Call, "MA2025DEMO0000000001", 1)
        );
    }
}
