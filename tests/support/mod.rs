//! Shared test helpers: a sandbox on its own runtime, and a canned-response
//! HTTP server for answers the sandbox would never give.
#![allow(dead_code)] // each test crate uses its own subset

pub mod app;
pub mod exporter;
pub mod faults;
pub mod pty;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use plivo_dash::sandbox::{self, Handle, Options};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A token distinctive enough that finding it anywhere is never a coincidence.
pub const TOKEN: &str = "tok3n-THAT-must-NEVER-leak-0123456789";

/// The HTTP client a test's Plivo clients go through, TLS set up as `main`
/// sets it up.
pub fn http() -> plivo_dash::plivo::Http {
    let connect_timeout = plivo_dash::plivo::Limits::default().connect_timeout;
    plivo_dash::plivo::Http::new(plivo_dash::plivo::install_tls(), connect_timeout)
}

/// A sandbox on the test's runtime answering to [`TOKEN`], with `options`
/// otherwise, and a client of it.
pub async fn sandbox_and_client(options: Options) -> (Handle, plivo_dash::plivo::Client) {
    let handle = sandbox::spawn(Options {
        auth_token: TOKEN.into(),
        ..options
    })
    .await
    .expect("sandbox starts");
    let client =
        plivo_dash::plivo::Client::new(&http(), &handle.base_url, &handle.auth_id, TOKEN.into())
            .expect("client");
    (handle, client)
}

/// A sandbox served from a runtime of its own, so blocking tests (running
/// the binary) can talk to it.
pub struct TestSandbox {
    pub handle: Handle,
    runtime: tokio::runtime::Runtime,
    home: tempfile::TempDir,
}

impl TestSandbox {
    pub fn start() -> Self {
        Self::with(Options {
            auth_token: TOKEN.into(),
            ..Options::default()
        })
    }

    /// The environment that points plivo-dash at this sandbox.
    pub fn env(&self) -> [(&'static str, &str); 3] {
        [
            ("PLIVO_API_URL", &self.handle.base_url),
            ("PLIVO_AUTH_ID", &self.handle.auth_id),
            ("PLIVO_AUTH_TOKEN", TOKEN),
        ]
    }

    pub fn with(options: Options) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let handle = runtime
            .block_on(sandbox::spawn(options))
            .expect("sandbox starts");
        Self {
            handle,
            runtime,
            home: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// An empty directory to use as the binary's home, removed with the
    /// sandbox.
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }
}

/// The program `name` on the PATH, or `None` having said, as a test that
/// needs it must, "skipped: {test}: … is not installed ({install})".
pub fn installed(name: &str, test: &str, install: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        eprintln!("skipped: {test}: {name} is not installed ({install})");
    }
    found
}

/// A sandbox and an empty home directory for the binary to run in.
pub struct World {
    pub sandbox: TestSandbox,
    pub home: tempfile::TempDir,
}

impl World {
    pub fn new() -> Self {
        Self {
            sandbox: TestSandbox::start(),
            home: tempfile::tempdir().expect("tempdir"),
        }
    }
}

/// How the canned server answers each connection.
#[derive(Clone)]
pub enum Canned {
    /// These exact bytes, then close.
    Raw(Vec<u8>),
    /// Read the request, never answer.
    Silent,
    /// The bytes one at a time, with a pause between each.
    Drip(Vec<u8>, Duration),
}

impl Canned {
    /// A complete response with the given status line, headers and body.
    pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        let mut raw = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in headers {
            raw.push_str(&format!("{k}: {v}\r\n"));
        }
        raw.push_str("Connection: close\r\n\r\n");
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(body);
        Canned::Raw(bytes)
    }

    /// A JSON response.
    pub fn json(status: &str, body: &str) -> Self {
        Self::response(
            status,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    }
}

/// A server on 127.0.0.1:0 that answers connections from a script: the
/// n-th connection gets the n-th answer, the last one repeating.
pub struct CannedServer {
    pub url: String,
    connections: Arc<AtomicUsize>,
}

impl CannedServer {
    /// Answers every connection with `canned`.
    pub async fn start(canned: Canned) -> Self {
        Self::script(vec![canned]).await
    }

    /// Answers connections with `steps` in turn.
    pub async fn script(steps: Vec<Canned>) -> Self {
        assert!(!steps.is_empty(), "a script needs a step");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                let canned = steps[n.min(steps.len() - 1)].clone();
                tokio::spawn(async move {
                    read_request(&mut socket).await;
                    match canned {
                        Canned::Raw(bytes) => {
                            let _ = socket.write_all(&bytes).await;
                            let _ = socket.shutdown().await;
                        }
                        Canned::Silent => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                        }
                        Canned::Drip(bytes, pause) => {
                            for b in bytes {
                                if socket.write_all(&[b]).await.is_err() {
                                    return;
                                }
                                tokio::time::sleep(pause).await;
                            }
                        }
                    }
                });
            }
        });
        Self {
            url: format!("http://{addr}"),
            connections,
        }
    }

    /// How many connections it has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads one request's head and body, enough that the client sees its
/// request accepted before the answer.
async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = socket.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return;
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
