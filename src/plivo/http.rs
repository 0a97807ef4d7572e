//! The process's one HTTP client, made once (in `main`, or once per test)
//! and handed to every [`Client`](super::Client) it makes.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::ApiError;

/// Proof that TLS has its crypto provider: reqwest is built without one of
/// its own and panics when a client is built before one is installed, so
/// an [`Http`] can only be made with this in hand.
#[derive(Debug, Clone, Copy)]
pub struct Tls(());

/// Installs ring as this process's TLS crypto provider (the same TLS for
/// every connection). `main` calls it once; a second call keeps the first
/// provider.
pub fn install_tls() -> Tls {
    // Refused (harmlessly) when a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Tls(())
}

/// The HTTP clients every account shares. Each reqwest client holds a
/// connection pool and the TLS set-up with its root certificates, so a
/// fleet of 100 accounts costs one, not 100 (the exporter's peak memory at
/// 100 accounts went from 22.5 to 11.8 MiB). Accounts still never share a
/// connection: the pool keeps one per host and port, and each request
/// carries its own credentials. Each client is made when a [`Client`]
/// first needs it, so a command that speaks to no server (`history`,
/// `completions`) never reads the system's root certificates. Cheap to
/// clone: clones share the clients.
///
/// [`Client`]: super::Client
#[derive(Debug, Clone)]
pub struct Http(Arc<Made>);

#[derive(Debug)]
struct Made {
    connect_timeout: Duration,
    /// Through the system's proxy, if it names one: for the API.
    proxied: OnceLock<reqwest::Client>,
    /// Never through a proxy: for a server on this machine (the sandbox),
    /// which a proxy could not reach.
    direct: OnceLock<reqwest::Client>,
}

impl Http {
    /// The clients, with `connect_timeout` to open a connection.
    pub fn new(_tls: Tls, connect_timeout: Duration) -> Self {
        Self(Arc::new(Made {
            connect_timeout,
            proxied: OnceLock::new(),
            direct: OnceLock::new(),
        }))
    }

    /// The client for a server on this machine (`loopback`) or elsewhere,
    /// made the first time it is asked for.
    pub(crate) fn for_host(&self, loopback: bool) -> Result<reqwest::Client, ApiError> {
        let made = if loopback {
            &self.0.direct
        } else {
            &self.0.proxied
        };
        if let Some(client) = made.get() {
            return Ok(client.clone());
        }
        let builder = reqwest::Client::builder()
            .user_agent(concat!("plivo-dash/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(self.0.connect_timeout)
            // A redirect would carry the Authorization header to wherever it
            // points; the API never redirects, so none is followed.
            .redirect(reqwest::redirect::Policy::none());
        let builder = if loopback {
            builder.no_proxy()
        } else {
            builder
        };
        let built = builder
            .build()
            .map_err(|e| ApiError::Config(format!("cannot set up HTTP: {e}")))?;
        // Two first asks at once both build one; the first kept serves both.
        Ok(made.get_or_init(|| built).clone())
    }
}
