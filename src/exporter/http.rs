//! The exporter's HTTP side: `/metrics` in the format the scraper asks
//! for, `/healthz` once every account's first poll has ended, and `/`, a
//! page saying what this is. Everything is read from the published
//! readings; nothing here makes a request or changes state.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

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

/// How long a connection may take to send a request's head, and how long
/// one may sit idle between requests: a half-sent request (or a client
/// that sends nothing) is closed, not held open until descriptors run out.
/// Prometheus reconnects for its next scrape if this closed its last one.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// the requests in flight finish: `axum::serve`, with hyper's timer set so
/// [`HEAD_TIMEOUT`] holds.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let service = hyper_util::service::TowerToHyperService::new(router.clone());
                    let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "connection ended");
                        }
                    });
                }
                // Out of descriptors, say: the connections open will close
                // (HEAD_TIMEOUT at most); accepting waits a moment, not spins.
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    graceful.shutdown().await;
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

    /// On tokio's paused clock: the 30 s pass at once, the sockets are real.
    #[tokio::test(start_paused = true)]
    async fn a_connection_that_never_finishes_its_request_is_closed() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = axum::Router::new().route("/", axum::routing::get(|| async { "up" }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(super::serve(listener, router, async {
            let _ = stopped.await;
        }));
        // A whole request is answered, and the connection kept for more.
        let mut whole = tokio::net::TcpStream::connect(address).await.unwrap();
        whole
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = [0u8; 512];
        let n = whole.read(&mut answer).await.unwrap();
        assert!(answer[..n].starts_with(b"HTTP/1.1 200 OK"));
        let mut half = tokio::net::TcpStream::connect(address).await.unwrap();
        half.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let silent = tokio::net::TcpStream::connect(address).await.unwrap();
        let started = tokio::time::Instant::now();
        // Closed by the server (an answer or none, then the end).
        let closed = |mut stream: tokio::net::TcpStream| async move {
            let mut rest = Vec::new();
            tokio::time::timeout(super::HEAD_TIMEOUT * 2, stream.read_to_end(&mut rest))
                .await
                .is_ok()
        };
        assert!(closed(half).await, "a half-sent request is closed");
        assert!(started.elapsed() >= super::HEAD_TIMEOUT);
        assert!(closed(silent).await, "a connection that says nothing");
        assert!(closed(whole).await, "one idle after its answer");
        let _ = stop.send(());
        server.await.unwrap();
    }
}
