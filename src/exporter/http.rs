//! The exporter's HTTP side: `/metrics` in the format the scraper asks
//! for, `/healthz` once every account's first poll has ended, and `/`, a
//! page saying what this is. Everything is read from the published
//! readings; nothing here makes a request or changes state.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;
use tokio::task::JoinHandle;

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

/// How many connections are held open at once unless `--max-connections`
/// says otherwise: half the 1,024 descriptors a process may usually open,
/// leaving the rest for the polls, the history files and the log.
pub const MAX_CONNECTIONS: u16 = 512;

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// the requests in flight finish: `axum::serve`, with hyper's timer set so
/// [`HEAD_TIMEOUT`] holds, and at most `max_connections` open. At the
/// limit a new connection closes the oldest one not being answered (idle
/// between requests, or still sending its request's head), so slow or
/// silent clients cannot starve a scrape; one arriving while every
/// connection is being answered is closed at once.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    max_connections: usize,
    shutdown: impl Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut open = Connections::new(max_connections);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    if !open.make_room() {
                        tracing::debug!("every connection is being answered: one refused");
                        continue;
                    }
                    let answering = Arc::new(AtomicUsize::new(0));
                    let router = hyper_util::service::TowerToHyperService::new(router.clone());
                    let counted = Arc::clone(&answering);
                    let service = hyper::service::service_fn(move |request| {
                        let answer = Answering::start(&counted);
                        let response = hyper::service::Service::call(&router, request);
                        async move {
                            let _answer = answer;
                            response.await
                        }
                    });
                    let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                    let task = tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "connection ended");
                        }
                    });
                    open.push(task, answering);
                }
                // Out of descriptors, say: closing the oldest idle
                // connection frees one for the next accept; with none to
                // close, the open ones end within HEAD_TIMEOUT. Either way
                // accepting waits a moment rather than spins.
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    let pause = if is_per_connection(&e) || !open.close_oldest_idle() {
                        Duration::from_millis(100)
                    } else {
                        Duration::from_millis(10)
                    };
                    tokio::time::sleep(pause).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    graceful.shutdown().await;
}

/// An accept error about the one connection (it was reset before it was
/// taken), not about the process running short of descriptors or memory.
fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    )
}

/// The connections open, oldest first, at most `cap` of them.
#[derive(Debug)]
struct Connections {
    cap: usize,
    open: VecDeque<Connection>,
}

/// One open connection: its task, and how many requests on it are being
/// answered (0: idle, or its request's head not yet whole).
#[derive(Debug)]
struct Connection {
    task: JoinHandle<()>,
    answering: Arc<AtomicUsize>,
}

impl Connections {
    fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            open: VecDeque::new(),
        }
    }

    /// Makes room for one more: forgets those that have ended and, at the
    /// cap, closes the oldest idle one. False when every one is being
    /// answered.
    fn make_room(&mut self) -> bool {
        self.open.retain(|c| !c.task.is_finished());
        self.open.len() < self.cap || self.close_oldest_idle()
    }

    /// Closes the connection open longest that is not being answered;
    /// false if there is none.
    fn close_oldest_idle(&mut self) -> bool {
        let idle = self
            .open
            .iter()
            .position(|c| c.answering.load(Ordering::Acquire) == 0);
        match idle.and_then(|at| self.open.remove(at)) {
            Some(oldest) => {
                oldest.task.abort();
                true
            }
            None => false,
        }
    }

    fn push(&mut self, task: JoinHandle<()>, answering: Arc<AtomicUsize>) {
        self.open.push_back(Connection { task, answering });
    }
}

/// One request being answered on a connection, for as long as it lives
/// (an answer abandoned half-way included).
struct Answering(Arc<AtomicUsize>);

impl Answering {
    fn start(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(count))
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
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

    /// [`super::serve`] on a free port, at most `cap` connections, a route
    /// `/` answering "up": its address, what stops it, and its task.
    async fn serving(
        cap: usize,
    ) -> (
        std::net::SocketAddr,
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    ) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = axum::Router::new().route("/", axum::routing::get(|| async { "up" }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(super::serve(listener, router, cap, async {
            let _ = stopped.await;
        }));
        (address, stop, server)
    }

    /// Whether the server closed (or reset) `stream` within `wait`.
    async fn closed(stream: &mut tokio::net::TcpStream, wait: std::time::Duration) -> bool {
        use tokio::io::AsyncReadExt as _;
        let mut byte = [0u8; 1];
        matches!(
            tokio::time::timeout(wait, stream.read(&mut byte)).await,
            Ok(Ok(0) | Err(_))
        )
    }

    /// Real time, so only the cap, not HEAD_TIMEOUT, can close anything.
    #[tokio::test]
    async fn at_the_cap_a_new_connection_closes_the_oldest_idle_one() {
        use std::time::Duration;
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        use tokio::net::TcpStream;
        let (address, stop, server) = serving(3).await;
        let get = |mut stream: TcpStream| async move {
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .unwrap();
            let mut answer = [0u8; 512];
            let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut answer))
                .await
                .expect("answered at once")
                .unwrap();
            assert!(answer[..n].starts_with(b"HTTP/1.1 200 OK"));
            stream
        };
        // Three slow ones fill the cap: silent, half a request, and one
        // idle after its answer. Each is accepted before the next connects.
        let mut silent = TcpStream::connect(address).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut half = TcpStream::connect(address).await.unwrap();
        half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut kept = get(TcpStream::connect(address).await.unwrap()).await;
        // A fourth is answered at once, the oldest idle one making room.
        let mut fourth = get(TcpStream::connect(address).await.unwrap()).await;
        assert!(
            closed(&mut silent, Duration::from_secs(2)).await,
            "the oldest closed"
        );
        assert!(!closed(&mut half, Duration::from_millis(200)).await);
        assert!(!closed(&mut kept, Duration::from_millis(200)).await);
        // And so on, oldest first.
        let fifth = get(TcpStream::connect(address).await.unwrap()).await;
        assert!(
            closed(&mut half, Duration::from_secs(2)).await,
            "the next oldest"
        );
        assert!(!closed(&mut kept, Duration::from_millis(200)).await);
        // Still serving on those kept.
        fourth = get(fourth).await;
        drop((fourth, fifth, kept));
        let _ = stop.send(());
        server.await.unwrap();
    }

    /// On tokio's paused clock: the 30 s pass at once, the sockets are real.
    #[tokio::test(start_paused = true)]
    async fn a_connection_that_never_finishes_its_request_is_closed() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (address, stop, server) = serving(8).await;
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
