//! The sandbox's subaccounts: a store kept newest first, seeded on demand,
//! and the five endpoints as Plivo answers them.

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::ListFault;
use super::reply::{api_id, error, list_page};
use crate::plivo::PAGE_LIMIT;

/// One subaccount as the sandbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `SA` + 18.
    pub auth_id: String,
    /// Its token (the sandbox's own, made up).
    pub auth_token: String,
    /// Its name.
    pub name: String,
    /// Whether it may be used.
    pub enabled: bool,
    /// "2017-05-22".
    pub created: String,
    /// When it was last changed, if ever.
    pub modified: Option<String>,
}

/// Made-up names for seeded subaccounts, cycled with a number.
const NAMES: &[&str] = &[
    "Gotham Support",
    "Wayne Tower",
    "Arkham Outreach",
    "Blüdhaven Sales",
    "Metropolis Ops",
    "Star City Billing",
    "Central City Labs",
    "Coast City Relay",
    "東京 Office",
    "Ærøskøbing Desk",
];

/// `n` subaccounts with names, dates a day apart going back from
/// `today`, every third disabled; newest first.
pub(crate) fn seed(n: u32, today: jiff::civil::Date) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let created = today
                .checked_sub(jiff::Span::new().days(i64::from(i)))
                .unwrap_or(today);
            let name = NAMES[usize::try_from(i).unwrap_or(0) % NAMES.len()];
            Record {
                auth_id: new_id(),
                auth_token: super::random_token(),
                name: format!("{name} {}", n - i),
                enabled: i % 3 != 2,
                created: created.to_string(),
                modified: None,
            }
        })
        .collect()
}

/// A subaccount id shaped like Plivo's: `SA` and 18 capitals or digits.
fn new_id() -> String {
    let chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let tail: String = (0..18)
        .map(|_| char::from(chars[fastrand::usize(..chars.len())]))
        .collect();
    format!("SA{tail}")
}

fn object(parent: &str, r: &Record) -> Value {
    json!({
        "account": format!("/v1/Account/{parent}/"),
        "auth_id": r.auth_id,
        "auth_token": r.auth_token,
        "new_auth_token": r.auth_token,
        "created": r.created,
        "enabled": r.enabled,
        "modified": r.modified,
        "name": r.name,
        "resource_uri": format!("/v1/Account/{parent}/Subaccount/{}/", r.auth_id),
    })
}

/// `GET` lists and `POST` creates, on `…/Subaccount/`.
pub fn collection(
    parent: &str,
    method: &Method,
    query: Option<&str>,
    body: &Bytes,
    fault: ListFault,
    store: &mut Vec<Record>,
    today: jiff::civil::Date,
) -> Response {
    match *method {
        Method::GET => list(parent, query, fault, store),
        Method::POST => match parse_change(body) {
            Ok((name, enabled)) => {
                let record = Record {
                    auth_id: new_id(),
                    auth_token: super::random_token(),
                    name,
                    enabled: enabled.unwrap_or(false),
                    created: today.to_string(),
                    modified: None,
                };
                let reply = json!({
                    "api_id": api_id(),
                    "auth_id": record.auth_id,
                    "auth_token": record.auth_token,
                    "message": "created",
                });
                store.insert(0, record);
                (StatusCode::CREATED, axum::Json(reply)).into_response()
            }
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        },
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    }
}

/// `GET`, `POST` (update) and `DELETE` on `…/Subaccount/{sub_id}/`.
pub fn item(
    parent: &str,
    sub_id: &str,
    method: &Method,
    body: &Bytes,
    store: &mut Vec<Record>,
    today: jiff::civil::Date,
) -> Response {
    let Some(at) = store.iter().position(|r| r.auth_id == sub_id) else {
        return error(StatusCode::NOT_FOUND, "subaccount not found");
    };
    match *method {
        Method::GET => {
            let mut value = object(parent, &store[at]);
            value["api_id"] = json!(api_id());
            (StatusCode::OK, axum::Json(value)).into_response()
        }
        Method::POST => match parse_change(body) {
            Ok((name, enabled)) => {
                let record = &mut store[at];
                record.name = name;
                if let Some(enabled) = enabled {
                    record.enabled = enabled;
                }
                record.modified = Some(today.to_string());
                let reply = json!({ "api_id": api_id(), "message": "changed" });
                (StatusCode::ACCEPTED, axum::Json(reply)).into_response()
            }
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        },
        // `?cascade=true` is accepted; the sandbox has no numbers to move.
        Method::DELETE => {
            store.remove(at);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    }
}

fn list(parent: &str, query: Option<&str>, fault: ListFault, store: &[Record]) -> Response {
    let mut limit: i64 = i64::from(PAGE_LIMIT);
    let mut offset: i64 = 0;
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let number = value.trim().parse::<i64>();
        match (key.as_ref(), number) {
            ("limit", Ok(n)) => limit = n,
            ("offset", Ok(n)) => offset = n,
            ("limit" | "offset", Err(_)) => {
                return error(StatusCode::BAD_REQUEST, &format!("{key} must be a number"));
            }
            _ => {}
        }
    }
    if !(1..=i64::from(PAGE_LIMIT)).contains(&limit) {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("limit must be between 1 and {PAGE_LIMIT}"),
        );
    }
    if offset < 0 {
        return error(StatusCode::BAD_REQUEST, "offset must not be negative");
    }
    let limit = usize::try_from(limit).unwrap_or(1);
    list_page(
        fault,
        usize::try_from(offset).unwrap_or(usize::MAX),
        limit,
        |offset| {
            let start = offset.min(store.len());
            let end = start.saturating_add(limit).min(store.len());
            let objects = store[start..end]
                .iter()
                .map(|r| object(parent, r))
                .collect();
            (store.len(), objects)
        },
        |offset| format!("/v1/Account/{parent}/Subaccount/?limit={limit}&offset={offset}"),
    )
}

/// `{"name": …, "enabled": …}`: the name required (and not blank), enabled
/// a boolean when given, or the string `"true"` or `"false"` as the official
/// SDKs of other languages (and every form body) send it. The Python SDK
/// sends null for what it was not given; that is "not provided" here too.
fn parse_change(body: &[u8]) -> Result<(String, Option<bool>), String> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        return Err("name is required".to_owned());
    } else {
        serde_json::from_slice(body)
            .map_err(|e| format!("the request body is not valid JSON: {e}"))?
    };
    let Some(fields) = value.as_object() else {
        return Err("send a JSON object".to_owned());
    };
    // The official Python SDK also sends the subaccount's own `auth_id`
    // in an update's body; Plivo takes it, and so does the sandbox.
    if let Some(unknown) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "enabled" | "auth_id"))
    {
        return Err(format!("unknown parameter {unknown:?}"));
    }
    let name = match fields.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_owned(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err("name is required".to_owned());
        }
        Some(_) => return Err("name must be a string".to_owned()),
    };
    let enabled = match fields.get("enabled") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s == "true" => Some(true),
        Some(Value::String(s)) if s == "false" => Some(false),
        Some(_) => return Err("enabled must be true or false".to_owned()),
    };
    Ok((name, enabled))
}
