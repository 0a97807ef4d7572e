//! The HTTP client: one pooled connection, Basic auth, bounded in time and size.

use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::budget::{Budget, Share};
use super::pager::{self, Listed, Paged};
use super::records::{ListQuery, Record, RecordMeta, RecordPage};
use super::subaccount::{Created, PAGE_LIMIT, Page, Subaccount, SubaccountChange};
use super::{Account, AccountUpdate, Answer, ApiError, AuthId, Http, Tally, UpdateReply};
use crate::text::sanitize;

/// Plivo's production API.
pub const DEFAULT_API_URL: &str = "https://api.plivo.com";

/// How many pages of a long list are asked for at once.
pub const PAGES_IN_FLIGHT: usize = 3;
/// The least time between the starts of two page requests: at most 50 a
/// second, far inside Plivo's 300 per 5 s.
pub const PAGE_GAP: Duration = Duration::from_millis(20);

/// How many times one page of a long list is asked for before giving up.
pub(crate) const PAGE_ATTEMPTS: u32 = 3;
/// The wait before asking again after a passing failure (doubling).
const PAGE_RETRY: Duration = Duration::from_millis(500);
/// The longest `Retry-After` a list waits out by itself.
const MAX_PAGE_WAIT: Duration = Duration::from_secs(30);

/// Limits on one request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time allowed to open the connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole exchange, body included.
    pub timeout: Duration,
    /// The largest body read; an Account object is under 1 KiB.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            max_body: 1024 * 1024,
        }
    }
}

/// A client for one account. Cheap to clone; clones share the connection pool.
///
/// `Debug` shows the URL and auth id, never the token.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    account_url: Url,
    auth_id: AuthId,
    token: SecretString,
    /// `auth_id:token` as the Authorization header carries it (base64): an
    /// answer echoing the header must not carry it on either.
    header_secret: SecretString,
    limits: Limits,
    tally: Option<Tally>,
    /// The account's request budget, shared with the clones that speak
    /// for it, and this client's share of it.
    budget: Option<(Budget, Share)>,
}

impl Client {
    /// A client for `auth_id` at `api_url` with the default [`Limits`],
    /// through `http`.
    pub fn new(
        http: &Http,
        api_url: &str,
        auth_id: &str,
        token: SecretString,
    ) -> Result<Self, ApiError> {
        Self::with_limits(http, api_url, auth_id, token, Limits::default())
    }

    /// A client with explicit limits (`http`'s connect time limit is the
    /// process's, set when it was made).
    pub fn with_limits(
        http: &Http,
        api_url: &str,
        auth_id: &str,
        token: SecretString,
        limits: Limits,
    ) -> Result<Self, ApiError> {
        let auth_id = AuthId::parse(auth_id)?;
        let base = parse_api_url(api_url)?;
        let account_url = account_url(&base, &auth_id, api_url)?;
        let http = http.for_host(is_loopback(&base))?;
        let header_secret = {
            use base64::Engine as _;
            SecretString::from(base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                auth_id.as_str(),
                token.expose_secret()
            )))
        };
        Ok(Self {
            http,
            account_url,
            auth_id,
            token,
            header_secret,
            limits,
            tally: None,
            budget: None,
        })
    }

    /// This client, counting how each request it makes ends in `tally`.
    #[must_use]
    pub fn with_tally(mut self, tally: Tally) -> Self {
        self.tally = Some(tally);
        self
    }

    /// This client, its requests counted in `budget` as `share`: a
    /// background one waits for room there before each request.
    #[must_use]
    pub fn with_budget(mut self, budget: Budget, share: Share) -> Self {
        self.budget = Some((budget, share));
        self
    }

    /// Whether `text` holds this client's token (as answers are redacted:
    /// a token too short to be told from ordinary text is not looked for).
    /// What the user asks to send is checked with it, so a token pasted
    /// into the wrong place is neither stored in the account nor echoed.
    pub fn holds_token(&self, text: &str) -> bool {
        let token = self.token.expose_secret();
        token.len() >= REDACTED_FROM && text.contains(token)
    }

    /// The account this client speaks for.
    pub fn auth_id(&self) -> &AuthId {
        &self.auth_id
    }

    /// `GET /v1/Account/{auth_id}/`.
    pub async fn get_account(&self) -> Result<Account, ApiError> {
        let url = self.account_url.clone();
        self.exchange(&url, self.http.get(url.clone()), parse_body)
            .await
    }

    /// `POST /v1/Account/{auth_id}/` with only the fields set in `update`.
    pub async fn update_account(&self, update: &AccountUpdate) -> Result<UpdateReply, ApiError> {
        let url = self.account_url.clone();
        self.exchange(&url, self.http.post(url.clone()).json(update), parse_body)
            .await
    }

    /// One page of subaccounts, newest first: `limit` (1 to
    /// [`PAGE_LIMIT`]) from `offset`.
    pub async fn list_subaccounts(&self, limit: u32, offset: u32) -> Result<Page, ApiError> {
        let mut url = self.subaccounts_url();
        url.query_pairs_mut()
            .append_pair("limit", &limit.clamp(1, PAGE_LIMIT).to_string())
            .append_pair("offset", &offset.to_string());
        self.exchange(&url, self.http.get(url.clone()), parse_body)
            .await
    }

    /// Every subaccount, newest first, read by [`pager::read_all`] (so it
    /// ends whatever the server answers) within Plivo's 300 requests per
    /// 5 s. `on_page` sees each page's new subaccounts as they arrive, in
    /// order (to show the first rows at once).
    pub async fn all_subaccounts(
        &self,
        on_page: impl FnMut(&Paged<Subaccount>),
    ) -> Result<Listed<Subaccount>, ApiError> {
        pager::read_all(
            PAGE_LIMIT,
            pager::Pace::ACCOUNT,
            |offset| async move {
                let page =
                    with_retries(offset, || self.list_subaccounts(PAGE_LIMIT, offset)).await?;
                Ok((page.meta, page.objects))
            },
            on_page,
        )
        .await
    }

    /// One page of a usage record list (calls, messages or numbers), newest
    /// first, from `offset`. A query the API would refuse (a page over 20)
    /// is refused here, before anything is sent. This is the step a sync
    /// takes, page by page.
    pub async fn list_records<R: Record>(
        &self,
        query: &R::Query,
        offset: u32,
    ) -> Result<RecordPage<R>, ApiError> {
        let limit = query.page_limit()?;
        let mut url = self.account_url.clone();
        let path = format!("{}{}", url.path(), R::PATH);
        url.set_path(&path);
        {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query.filters() {
                pairs.append_pair(&key, &value);
            }
            pairs
                .append_pair("limit", &limit.to_string())
                .append_pair("offset", &offset.to_string());
        }
        self.exchange(&url, self.http.get(url.clone()), parse_body)
            .await
    }

    /// One page of a record list as a sync reads it, page by page: asked
    /// again after a passing failure (a 5xx, a dropped connection) or a
    /// `Retry-After` of at most 30 s, as every page of a long list is; a
    /// longer wait is the error, for the caller to say or wait out.
    pub async fn record_page<R: Record>(
        &self,
        query: &R::Query,
        offset: u32,
    ) -> Result<RecordPage<R>, ApiError> {
        with_retries(offset, || self.list_records::<R>(query, offset)).await
    }

    /// Every record a query matches, newest first, read by
    /// [`pager::read_all`] at the list's own pace (the message list's 20
    /// requests a minute included), so it ends whatever the server answers
    /// and any disagreement with the count is said. `on_page` sees each
    /// page's new records as they arrive. At most [`pager::MAX_PAGES`]
    /// pages: a longer list (a sync's back-fill) goes page by page with
    /// [`Client::list_records`] in narrower time windows.
    pub async fn all_records<R: Record>(
        &self,
        query: &R::Query,
        on_page: impl FnMut(&Paged<R, RecordMeta>),
    ) -> Result<Listed<R>, ApiError> {
        let limit = query.page_limit()?;
        pager::read_all(
            limit,
            R::PACE,
            |offset| async move {
                let page = with_retries(offset, || self.list_records::<R>(query, offset)).await?;
                Ok((page.meta, page.objects))
            },
            on_page,
        )
        .await
    }

    /// One usage record by its id (a call's or a message's uuid, a number).
    pub async fn get_record<R: Record>(&self, id: &str) -> Result<R, ApiError> {
        let id = id.trim();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(ApiError::InvalidQuery(format!(
                "{:?} is not a record id",
                sanitize(id)
            )));
        }
        let mut url = self.account_url.clone();
        let path = format!("{}{}{id}/", url.path(), R::PATH);
        url.set_path(&path);
        self.exchange(&url, self.http.get(url.clone()), parse_body)
            .await
    }

    /// One subaccount.
    pub async fn get_subaccount(&self, sub_id: &str) -> Result<Subaccount, ApiError> {
        let url = self.subaccount_url(sub_id)?;
        self.exchange(&url, self.http.get(url.clone()), parse_body)
            .await
    }

    /// Creates a subaccount.
    pub async fn create_subaccount(&self, change: &SubaccountChange) -> Result<Created, ApiError> {
        let url = self.subaccounts_url();
        self.exchange(&url, self.http.post(url.clone()).json(change), parse_body)
            .await
    }

    /// Renames, enables or disables a subaccount (the name is required).
    pub async fn update_subaccount(
        &self,
        sub_id: &str,
        change: &SubaccountChange,
    ) -> Result<UpdateReply, ApiError> {
        let url = self.subaccount_url(sub_id)?;
        self.exchange(&url, self.http.post(url.clone()).json(change), parse_body)
            .await
    }

    /// Deletes a subaccount; with `cascade` its numbers, endpoints and
    /// applications go too (else they move to the main account).
    pub async fn delete_subaccount(&self, sub_id: &str, cascade: bool) -> Result<(), ApiError> {
        let mut url = self.subaccount_url(sub_id)?;
        if cascade {
            url.query_pairs_mut().append_pair("cascade", "true");
        }
        self.exchange(&url, self.http.delete(url.clone()), |_, _| Ok(()))
            .await
    }

    fn subaccounts_url(&self) -> Url {
        let mut url = self.account_url.clone();
        let path = format!("{}Subaccount/", url.path());
        url.set_path(&path);
        url
    }

    /// A subaccount's URL; an id that is not letters and digits is refused
    /// before it can change the path.
    fn subaccount_url(&self, sub_id: &str) -> Result<Url, ApiError> {
        let sub_id = sub_id.trim();
        if sub_id.is_empty() || !sub_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ApiError::InvalidAuthId(sanitize(sub_id)));
        }
        let mut url = self.subaccounts_url();
        let path = format!("{}{sub_id}/", url.path());
        url.set_path(&path);
        Ok(url)
    }

    async fn exchange<T>(
        &self,
        url: &Url,
        request: RequestBuilder,
        parse: impl FnOnce(u16, &[u8]) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let request = request.basic_auth(self.auth_id.as_str(), Some(self.token.expose_secret()));
        if let Some((budget, share)) = &self.budget {
            budget.spend(*share).await;
        }
        let started = std::time::Instant::now();
        // Set as soon as the status line arrives, so a body that times out
        // after it still counts as answered.
        let status = AtomicU16::new(0);
        let answer = tokio::time::timeout(self.limits.timeout, self.fetch(request, &status))
            .await
            .map_err(|_| ApiError::Timeout(self.limits.timeout))
            .and_then(|fetched| fetched);
        if let Some(tally) = &self.tally {
            tally.count(match status.load(Ordering::Relaxed) {
                0 => Answer::None,
                code => Answer::Status(code),
            });
        }
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let url = url.as_str();
        let result = answer.and_then(|(status, retry_after, body)| {
            tracing::info!(%url, status = status.as_u16(), bytes = body.len(), elapsed_ms, "answer");
            if status.is_success() {
                parse(status.as_u16(), &body)
            } else {
                Err(failure(status, retry_after, &body))
            }
        });
        if let Err(error) = &result {
            tracing::warn!(%url, elapsed_ms, %error, "request failed");
        }
        result
    }

    async fn fetch(
        &self,
        request: RequestBuilder,
        answered: &AtomicU16,
    ) -> Result<(StatusCode, Option<Duration>, Vec<u8>), ApiError> {
        let mut response = request.send().await.map_err(|e| self.network_error(&e))?;
        let status = response.status();
        answered.store(status.as_u16(), Ordering::Relaxed);
        let too_big = || ApiError::Malformed {
            status: status.as_u16(),
            reason: format!(
                "the body is larger than {} KiB",
                self.limits.max_body / 1024
            ),
        };
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if declared.is_some_and(|n| n > self.limits.max_body) {
            return Err(too_big());
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| parse_retry_after(v.to_str().ok()?));
        let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(self.limits.max_body));
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            ApiError::Network(format!(
                "the connection broke while reading the answer ({})",
                root_cause(&e)
            ))
        })? {
            if body.len() + chunk.len() > self.limits.max_body {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        let body = redact(body, &self.token);
        Ok((status, retry_after, redact(body, &self.header_secret)))
    }

    fn network_error(&self, e: &reqwest::Error) -> ApiError {
        if e.is_timeout() {
            return ApiError::Timeout(self.limits.connect_timeout);
        }
        let host = self.account_url.host_str().unwrap_or("the server");
        let port = self
            .account_url
            .port_or_known_default()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        if e.is_connect() {
            ApiError::Network(format!(
                "cannot connect to {host}{port} ({})",
                root_cause(e)
            ))
        } else {
            ApiError::Network(format!(
                "request to {host}{port} failed ({})",
                root_cause(e)
            ))
        }
    }
}

/// One page of a long list, tried again after a passing failure (a 5xx, a
/// dropped connection, a timeout) or a short `Retry-After`, so one bad
/// answer in fifty does not lose the list. At most [`PAGE_ATTEMPTS`].
async fn with_retries<T, Fut>(offset: u32, ask: impl Fn() -> Fut) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempt: u32 = 1;
    loop {
        let error = match ask().await {
            Ok(page) => return Ok(page),
            Err(error) => error,
        };
        let wait = match &error {
            ApiError::RateLimited {
                retry_after: Some(after),
            } if *after <= MAX_PAGE_WAIT => *after,
            e if e.class() == super::ErrorClass::Transient => PAGE_RETRY.saturating_mul(attempt),
            _ => return Err(error),
        };
        if attempt >= PAGE_ATTEMPTS {
            return Err(error);
        }
        tracing::info!(offset, attempt, %error, "page failed; trying again");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// The shortest token looked for in answers: a shorter one (a made-up
/// test token) could match JSON's own keys and break the body, and no
/// Plivo token is that short.
const REDACTED_FROM: usize = 16;

/// `body` with every copy of the token replaced. The API never sends the
/// account's own token back, but a name or a message could hold it (pasted
/// by mistake, or planted): whatever is drawn, exported, logged or put in
/// an error from this answer comes from the redacted body. The replacement
/// holds no character JSON gives a meaning to, so the body still parses.
fn redact(body: Vec<u8>, token: &SecretString) -> Vec<u8> {
    let token = token.expose_secret().as_bytes();
    if token.len() < REDACTED_FROM || memchr::memmem::find(&body, token).is_none() {
        return body;
    }
    let mut clean = Vec::with_capacity(body.len());
    let mut rest = 0;
    // The matches come in order and never overlap.
    for at in memchr::memmem::find_iter(&body, token) {
        clean.extend_from_slice(&body[rest..at]);
        clean.extend_from_slice(b"[redacted]");
        rest = at + token.len();
    }
    clean.extend_from_slice(&body[rest..]);
    clean
}

/// The innermost cause of an error: "Connection refused (os error 111)"
/// says more than reqwest's "error sending request for url (...)".
fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    sanitize(&cause.to_string())
}

/// What went wrong, from an answer that is not a success.
fn failure(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> ApiError {
    let code = status.as_u16();
    let message = error_message(body);
    match code {
        401 => ApiError::Unauthorized { message },
        403 => ApiError::Forbidden { message },
        404 => ApiError::NotFound { message },
        400 | 405 => ApiError::InvalidRequest {
            status: code,
            message,
        },
        429 => ApiError::RateLimited { retry_after },
        500..=599 => ApiError::Server {
            status: code,
            message,
        },
        300..=399 => ApiError::Malformed {
            status: code,
            reason: "the server answered with a redirect, which is not followed so that the credentials stay with the configured host".to_owned(),
        },
        _ => ApiError::Malformed {
            status: code,
            reason: format!(
                "status {code} is not one the API uses{}",
                message.map(|m| format!(": {m}")).unwrap_or_default()
            ),
        },
    }
}

fn parse_body<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, ApiError> {
    let malformed = |reason: String| ApiError::Malformed { status, reason };
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(malformed("the body is empty".to_owned()));
    }
    if trimmed.starts_with('<') {
        return Err(malformed(
            "the body is an HTML page, not JSON (is the API URL right?)".to_owned(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        let reason = if e.is_eof() {
            "the body is cut short".to_owned()
        } else if e.is_syntax() {
            format!("the body is not valid JSON ({e})")
        } else {
            format!("the body does not match the API ({e})")
        };
        malformed(sanitize(&reason))
    })
}

/// The server's explanation from an error body: the JSON `error` field, or a
/// short plain-text body. HTML pages and empty bodies give nothing.
fn error_message(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: serde_json::Value,
    }
    if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) {
        let text = match parsed.error {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        return Some(sanitize(text.trim()));
    }
    let text = String::from_utf8_lossy(body);
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if first.starts_with('<') || first.starts_with('{') || first.chars().count() > 200 {
        return None;
    }
    Some(sanitize(first))
}

/// `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// The API URL as an error may show it: a user or password in it (a token
/// pasted in the wrong place, say) masked, and neutralised.
fn shown_url(api_url: &str) -> String {
    let masked = match Url::parse(api_url.trim()) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("***");
            let _ = url.set_password(None);
            url.to_string()
        }
        Ok(_) => api_url.to_owned(),
        // Unparsed, anything before an @ may be a secret.
        Err(_) => match api_url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => api_url.to_owned(),
        },
    };
    sanitize(&masked)
}

fn parse_api_url(api_url: &str) -> Result<Url, ApiError> {
    let refuse = |reason: &str| ApiError::InvalidUrl {
        url: shown_url(api_url),
        reason: reason.to_owned(),
    };
    let url = Url::parse(api_url.trim()).map_err(|e| refuse(&e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "it holds credentials; give the token in PLIVO_AUTH_TOKEN instead",
        ));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(refuse(
            "plain http:// would send the token unencrypted; use https:// (http:// is allowed only for localhost)",
        )),
        _ => Err(refuse("only https:// URLs are supported")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn account_url(base: &Url, auth_id: &AuthId, api_url: &str) -> Result<Url, ApiError> {
    let prefix = base.path().trim_end_matches('/');
    let mut url = base.clone();
    url.set_path(&format!("{prefix}/v1/Account/{auth_id}/"));
    url.set_query(None);
    url.set_fragment(None);
    if url.cannot_be_a_base() {
        return Err(ApiError::InvalidUrl {
            url: shown_url(api_url),
            reason: "not a base URL".to_owned(),
        });
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_holding_a_secret_is_never_shown_whole() {
        for url in [
            "http://x:s3cr3t-token@127.0.0.1:1",
            "https://s3cr3t-token@api.plivo.com",
            "ht!tp://user:s3cr3t-token@host",
        ] {
            let err = super::parse_api_url(url).expect_err("refused").to_string();
            assert!(!err.contains("s3cr3t-token"), "{err}");
            assert!(err.contains("***"), "{err}");
        }
    }

    use super::*;

    #[test]
    fn the_token_is_cut_out_of_an_answer_wherever_it_is() {
        let token = SecretString::from("tok3n-THAT-must-NEVER-leak-0123456789");
        let body = br#"{"name":"tok3n-THAT-must-NEVER-leak-0123456789tok3n-THAT-must-NEVER-leak-0123456789","city":"x tok3n-THAT-must-NEVER-leak-0123456789"}"#;
        let clean = String::from_utf8(redact(body.to_vec(), &token)).unwrap();
        assert_eq!(
            clean,
            r#"{"name":"[redacted][redacted]","city":"x [redacted]"}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&clean).is_ok());
        let short = SecretString::from("name");
        assert_eq!(
            redact(body.to_vec(), &short),
            body.to_vec(),
            "too short to look for"
        );
    }

    #[test]
    fn the_authorization_header_echoed_back_is_cut_out_too() {
        let http = Http::new(super::super::install_tls(), Duration::from_secs(1));
        let client = Client::new(
            &http,
            "http://127.0.0.1:1",
            "MA2025RK4E639VJFZAGV",
            SecretString::from("sandboxtoken0123456789abcdef"),
        )
        .unwrap();
        let header = "TUEyMDI1Uks0RTYzOVZKRlpBR1Y6c2FuZGJveHRva2VuMDEyMzQ1Njc4OWFiY2RlZg==";
        assert_eq!(client.header_secret.expose_secret(), header);
        let body = format!(r#"{{"error":"bad token for Basic {header}"}}"#);
        let clean = redact(body.into_bytes(), &client.header_secret);
        assert_eq!(
            String::from_utf8(clean).unwrap(),
            r#"{"error":"bad token for Basic [redacted]"}"#
        );
    }

    #[test]
    fn http_is_refused_except_for_loopback() {
        assert!(parse_api_url("https://api.plivo.com").is_ok());
        assert!(parse_api_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_api_url("http://localhost:8080").is_ok());
        assert!(parse_api_url("http://[::1]:8080").is_ok());
        let err = parse_api_url("http://api.plivo.com").unwrap_err();
        assert!(err.to_string().contains("unencrypted"), "{err}");
        assert!(parse_api_url("ftp://x").is_err());
        assert!(parse_api_url("not a url").is_err());
        assert!(parse_api_url("https://u:p@api.plivo.com").is_err());
    }

    #[test]
    fn account_url_keeps_a_path_prefix() {
        let id = AuthId::parse("MA2025RK4E639VJFZAGV").unwrap();
        let url = |base: &str| {
            account_url(&parse_api_url(base).unwrap(), &id, base)
                .unwrap()
                .to_string()
        };
        assert_eq!(
            url("https://api.plivo.com"),
            "https://api.plivo.com/v1/Account/MA2025RK4E639VJFZAGV/"
        );
        assert_eq!(
            url("http://127.0.0.1:9/proxy/?x=1"),
            "http://127.0.0.1:9/proxy/v1/Account/MA2025RK4E639VJFZAGV/"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn retry_after_reads_a_far_http_date_as_the_long_wait_it_is() {
        // The schedule caps it at the period; here it must not be lost.
        let wait = parse_retry_after("Tue, 31 Dec 2999 23:59:59 GMT").expect("a date");
        assert!(wait > Duration::from_secs(365 * 24 * 3600), "{wait:?}");
        let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(120);
        let header = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&soon)
            .expect("a date");
        let wait = parse_retry_after(&header).expect("a date");
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{header}: {wait:?}"
        );
    }

    #[test]
    fn error_message_takes_json_or_a_short_line() {
        assert_eq!(
            error_message(br#"{"api_id":"x","error":"bad \u001b[31m"}"#).as_deref(),
            Some("bad ␛[31m")
        );
        assert_eq!(
            error_message(b"Bad Gateway\n").as_deref(),
            Some("Bad Gateway")
        );
        assert_eq!(error_message(b"<html><body>502</body></html>"), None);
        assert_eq!(error_message(b""), None);
    }
}
