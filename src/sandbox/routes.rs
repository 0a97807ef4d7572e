//! The sandbox's HTTP surface: paths, auth and status codes as Plivo has them.

use super::Shared;
use super::records::List;
use super::reply::{api_id, error};
use crate::plivo::{AccountUpdate, UpdateReply};
use crate::tz;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

/// What every handler needs.
#[derive(Debug, Clone)]
pub(super) struct Context {
    pub state: Shared,
    pub auth_id: String,
    pub auth_token: SecretString,
    pub latency: std::time::Duration,
    pub fail_rate: f64,
    pub retry_after_as_date: bool,
}

pub(super) fn router(ctx: Context) -> Router {
    let mut router = Router::new()
        // Some SDKs build the path as base + "/" + "Account/{id}/", which
        // comes out with a doubled trailing slash; Plivo accepts both.
        .route("/v1/Account/{auth_id}/", any(account))
        .route("/v1/Account/{auth_id}//", any(account))
        .route("/v1/Account/{auth_id}/Subaccount/", any(subaccounts))
        .route(
            "/v1/Account/{auth_id}/Subaccount/{sub_id}/",
            any(subaccount),
        );
    for (name, which) in [
        ("Call", List::Calls),
        ("Message", List::Messages),
        ("Number", List::Numbers),
    ] {
        let handler = move |c, p, m, u, h| records(c, p, m, u, h, which);
        router = router
            .route(&format!("/v1/Account/{{auth_id}}/{name}/"), any(handler))
            .route(
                &format!("/v1/Account/{{auth_id}}/{name}/{{id}}/"),
                any(handler),
            );
    }
    router
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not found") })
        .layer(axum::middleware::from_fn(log))
        .with_state(ctx)
}

/// Every request in the log (`--log-file`): method, path, status. Never a
/// header, so never the credentials.
async fn log(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), "sandbox answered");
    response
}

/// What every request meets before its handler: the latency, the faults,
/// the credentials and the account id. `Some` is the answer that stops it.
async fn gate(
    ctx: &Context,
    auth_id: &str,
    method: &Method,
    headers: &HeaderMap,
) -> Option<Response> {
    if !ctx.latency.is_zero() {
        tokio::time::sleep(ctx.latency).await;
    }
    let scripted = ctx.state.with(|l| {
        l.requests += 1;
        l.faults.pop_front()
    });
    let random =
        (ctx.fail_rate > 0.0 && fastrand::f64() < ctx.fail_rate).then(|| super::Fault::status(503));
    if let Some(fault) = scripted.filter(|f| *f != super::Fault::PASS).or(random) {
        tracing::info!(%method, status = fault.status, "sandbox: injected fault");
        return Some(injected(fault, ctx.retry_after_as_date));
    }
    if !authorised(ctx, headers) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "authentication credentials were not provided or are invalid",
        ));
    }
    if auth_id != ctx.auth_id {
        return Some(error(StatusCode::NOT_FOUND, "not found"));
    }
    None
}

async fn subaccounts(
    State(ctx): State<Context>,
    Path(auth_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(stop) = gate(&ctx, &auth_id, &method, &headers).await {
        return stop;
    }
    let today = super::today();
    let body = as_json(&headers, body);
    ctx.state.with(|l| {
        super::subaccounts::collection(
            &auth_id,
            &method,
            uri.query(),
            &body,
            l.list_fault,
            &mut l.subaccounts,
            today,
        )
    })
}

async fn subaccount(
    State(ctx): State<Context>,
    Path((auth_id, sub_id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(stop) = gate(&ctx, &auth_id, &method, &headers).await {
        return stop;
    }
    let today = super::today();
    let body = as_json(&headers, body);
    ctx.state.with(|l| {
        super::subaccounts::item(&auth_id, &sub_id, &method, &body, &mut l.subaccounts, today)
    })
}

/// `GET` on a usage record list, or (with an `id` in the path) on one
/// record; `DELETE` on a rented number releases it.
async fn records(
    State(ctx): State<Context>,
    Path(path): Path<std::collections::HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    which: List,
) -> Response {
    let auth_id = path.get("auth_id").map_or("", String::as_str);
    if let Some(stop) = gate(&ctx, auth_id, &method, &headers).await {
        return stop;
    }
    match (&method, which, path.get("id")) {
        (&Method::GET, _, _) => {}
        (&Method::DELETE, List::Numbers, Some(number)) => {
            return ctx
                .state
                .with(|l| super::records::release(&mut l.traffic, number));
        }
        _ => return error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    }
    let now = tokio::time::Instant::now();
    ctx.state.with(|l| {
        l.catch_up(now);
        match path.get("id") {
            Some(id) => super::records::get(auth_id, which, id, now, l),
            None => super::records::list(auth_id, which, uri.query(), now, l),
        }
    })
}

async fn account(
    State(ctx): State<Context>,
    Path(auth_id): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    ctx.state.with(|l| l.account_requests += 1);
    if let Some(stop) = gate(&ctx, &auth_id, &method, &headers).await {
        return stop;
    }
    match method {
        Method::GET => {
            let mut account = ctx.state.snapshot();
            account.api_id = Some(api_id());
            (StatusCode::OK, axum::Json(account)).into_response()
        }
        Method::POST => match parse_update(&as_json(&headers, body)) {
            Ok(update) => {
                ctx.state.with(|l| update.apply_to(&mut l.account));
                let reply = UpdateReply {
                    api_id: Some(api_id()),
                    message: "changed".to_owned(),
                };
                (StatusCode::ACCEPTED, axum::Json(reply)).into_response()
            }
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        },
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    }
}

fn authorised(ctx: &Context, headers: &HeaderMap) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let expected = format!("{}:{}", ctx.auth_id, ctx.auth_token.expose_secret());
    decoded == expected.as_bytes()
}

/// A form body (`application/x-www-form-urlencoded`, as the official SDKs of
/// some languages send) as the JSON object of strings it stands for, so one
/// parser reads both; any other body as it came.
fn as_json(headers: &HeaderMap, body: Bytes) -> Bytes {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form || body.iter().all(u8::is_ascii_whitespace) {
        return body;
    }
    let fields: serde_json::Map<String, serde_json::Value> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
        .collect();
    Bytes::from(serde_json::Value::Object(fields).to_string())
}

/// Reads an update body as the API does: JSON, null meaning "not provided",
/// unknown keys and non-string values refused, time zones checked.
fn parse_update(body: &[u8]) -> Result<AccountUpdate, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the request body is empty; send a JSON object".to_owned());
    }
    let update: AccountUpdate = serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            format!("the request body is not valid JSON: {e}")
        } else {
            format!("invalid parameters: {e}")
        }
    })?;
    if let Some(zone) = &update.timezone
        && !tz::is_valid(zone)
    {
        return Err(format!(
            "invalid timezone {zone:?}: use an IANA time zone name such as America/New_York"
        ));
    }
    Ok(update)
}

fn injected(fault: super::Fault, as_date: bool) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = error(status, "injected fault");
    let date = |secs: u64| {
        let secs = i64::try_from(secs).ok()?;
        let at = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_secs(secs))
            .ok()?;
        let text = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&at)
            .ok()?;
        header::HeaderValue::from_str(&text).ok()
    };
    let value = match fault.retry_after {
        Some(secs) if as_date => date(secs),
        Some(secs) => Some(header::HeaderValue::from(secs)),
        None => None,
    };
    if let Some(value) = value {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
