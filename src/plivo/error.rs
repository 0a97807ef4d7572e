//! What can go wrong talking to Plivo, in words a user can act on.

use std::time::Duration;

/// One class of failure per variant, so callers can react (exit code, retry,
/// what to tell the user) without parsing messages.
///
/// Every text taken from the server has already been through
/// [`crate::text::sanitize`]; none of them can hold the token, which is only
/// ever sent in a header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The auth id does not have the `MA`/`SA` + 18 shape.
    #[error(
        "invalid auth id {0:?}: expected MA or SA followed by 18 capital letters or digits (e.g. MA2025RK4E639VJFZAGV)"
    )]
    InvalidAuthId(String),
    /// The profile's settings name no usable account (no token, say):
    /// nothing was sent.
    #[error("{0}")]
    Config(String),
    /// A list query the API would refuse (a page over 20, say): nothing
    /// was sent.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// The API URL cannot be used.
    #[error("invalid API URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// 401: wrong auth id or token.
    #[error("authentication failed (401{}): check the auth id and token", detail(.message))]
    Unauthorized {
        /// The server's own words, if any.
        message: Option<String>,
    },
    /// 403: the credentials are valid but not allowed to do this.
    #[error("forbidden (403{}): these credentials may not access this account", detail(.message))]
    Forbidden {
        /// The server's own words, if any.
        message: Option<String>,
    },
    /// 404: no such account at this URL.
    #[error("not found (404{}): check the auth id and the API URL", detail(.message))]
    NotFound {
        /// The server's own words, if any.
        message: Option<String>,
    },
    /// 400 or 405: the server refused the request as made.
    #[error("request refused ({status}{})", detail(.message))]
    InvalidRequest {
        /// 400 or 405.
        status: u16,
        /// The server's own words, if any.
        message: Option<String>,
    },
    /// 429: over Plivo's limit of 300 requests per 5 seconds.
    #[error("rate limited (429): {}", match .retry_after {
        Some(d) => format!("the server asks to wait {} s", d.as_secs().max(1)),
        None => "too many requests, try again shortly".to_owned(),
    })]
    RateLimited {
        /// How long the server asked us to wait (`Retry-After`).
        retry_after: Option<Duration>,
    },
    /// 5xx: the server failed.
    #[error("server error ({status}{}): Plivo could not answer, try again later", detail(.message))]
    Server {
        /// The 5xx status.
        status: u16,
        /// The server's own words, if any.
        message: Option<String>,
    },
    /// The server could not be reached or the connection broke.
    #[error("network error: {0}")]
    Network(String),
    /// No complete answer within the time allowed.
    #[error("timed out after {} s waiting for the server", .0.as_secs_f32())]
    Timeout(Duration),
    /// The server answered, but not with what the API promises.
    #[error("unexpected response ({status}): {reason}")]
    Malformed {
        /// The HTTP status of the odd response.
        status: u16,
        /// What was wrong with it.
        reason: String,
    },
}

fn detail(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

/// The broad class of an error, for exit codes and retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The request could not be made as configured (bad id, bad URL).
    Usage,
    /// The credentials were refused.
    Auth,
    /// Network, timeout, server failure or a garbled answer: worth retrying.
    Transient,
    /// Over the rate limit: retry after waiting.
    RateLimited,
    /// The server refused the request itself (400, 404, 405).
    Rejected,
}

impl ApiError {
    /// The class this error belongs to.
    pub fn class(&self) -> ErrorClass {
        match self {
            ApiError::InvalidAuthId(_)
            | ApiError::InvalidUrl { .. }
            | ApiError::Config(_)
            | ApiError::InvalidQuery(_) => ErrorClass::Usage,
            ApiError::Unauthorized { .. } | ApiError::Forbidden { .. } => ErrorClass::Auth,
            ApiError::RateLimited { .. } => ErrorClass::RateLimited,
            ApiError::NotFound { .. } | ApiError::InvalidRequest { .. } => ErrorClass::Rejected,
            ApiError::Server { .. }
            | ApiError::Network(_)
            | ApiError::Timeout(_)
            | ApiError::Malformed { .. } => ErrorClass::Transient,
        }
    }
}
