//! The exporter's HTTP side: `/metrics` in the format the scraper asks
//! for, `/healthz` once every account's first poll has ended, and `/`, a
//! page saying what this is. Everything is read from the published
//! readings; nothing here makes a request or changes state.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;

use super::metrics::{Exposition, Format};
use super::state::Reading;

/// What the handlers read.
#[derive(Debug, Clone)]
struct Served {
    exposition: Arc<Exposition>,
    readings: watch::Receiver<Vec<Reading>>,
}

/// The routes, reading `readings` as the event loop publishes them.
pub fn router(readings: watch::Receiver<Vec<Reading>>) -> Router {
    let served = Served {
        exposition: Arc::new(Exposition::new(readings.clone())),
        readings,
    };
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/", get(index))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "not found: the metrics are at /metrics\n",
            )
        })
        .with_state(served)
}

async fn metrics(State(served): State<Served>, headers: HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = Format::negotiate(accept);
    match served.exposition.encode(format) {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(format.content_type()),
                ),
                (header::VARY, HeaderValue::from_static("Accept")),
            ],
            body,
        )
            .into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the metrics could not be encoded\n",
        )
            .into_response(),
    }
}

/// 200 once every account's first poll has ended, whatever it found (a
/// refused token is the metrics' news, not the exporter's ill health);
/// 503 naming the profiles still waiting before then.
async fn healthz(State(served): State<Served>) -> Response {
    let readings = served.readings.borrow();
    let waiting: Vec<&str> = readings
        .iter()
        .filter(|r| r.up.is_none())
        .map(|r| r.profile.as_str())
        .collect();
    if waiting.is_empty() {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("waiting for the first poll of: {}\n", waiting.join(", ")),
        )
            .into_response()
    }
}

async fn index(State(served): State<Served>) -> Html<String> {
    let readings = served.readings.borrow();
    let mut page = String::from(concat!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>plivo-dash exporter</title></head><body>\n",
        "<h1>plivo-dash exporter</h1>\n",
        "<p>Prometheus metrics for Plivo accounts: balance, burn rate, runway and API health. Version ",
        env!("CARGO_PKG_VERSION"),
        ".</p>\n<p><a href=\"/metrics\">/metrics</a> &middot; <a href=\"/healthz\">/healthz</a></p>\n",
        "<table border=\"1\" cellpadding=\"4\">\n<tr><th>profile</th><th>auth id</th><th>state</th><th>balance (USD)</th><th>fetched</th></tr>\n",
    ));
    for r in readings.iter() {
        let state = match (r.up, &r.problem) {
            (None, _) => "first poll under way".to_owned(),
            (Some(true), _) => "up".to_owned(),
            (Some(false), Some(why)) => format!("down: {why}"),
            (Some(false), None) => "down".to_owned(),
        };
        let (balance, fetched) = r.balance.map_or((String::new(), String::new()), |b| {
            (b.credits.to_string(), b.at.to_string())
        });
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.profile),
            escape(&r.auth_id),
            escape(&state),
            escape(&balance),
            escape(&fetched),
        );
    }
    page.push_str("</table>\n</body></html>\n");
    Html(page)
}

/// Text for an HTML page: profile names and errors are not the page's to
/// interpret.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_names_is_shown_not_obeyed() {
        assert_eq!(
            super::escape(r#"<b>"A&B's"</b>"#),
            "&lt;b&gt;&quot;A&amp;B&#39;s&quot;&lt;/b&gt;"
        );
    }
}
