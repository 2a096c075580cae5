//! The client and its builder: base URL, credentials, timeouts, retries, rate limit.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::auth::Auth;
use crate::auth::oauth::SessionContext;
use crate::events::{Event, EventHandler};
use crate::http::rate_limit::Limiter;
use crate::http::url::{DEFAULT_BASE_URL, base_url_string, parse_base_url};
use crate::{ConfigError, Credentials, Error, RateLimit, RetryPolicy};

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("gong-users/", env!("CARGO_PKG_VERSION"));

/// The largest response body read by default: 32 MiB. A page of 100 users is about 70 KB, so
/// this leaves room for any real page while bounding what a misbehaving server can cost.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;

/// A client for Gong's user directory. Cheap to clone: clones share the connection pool and the
/// rate limiter.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    /// Builds each operation's request (never sends).
    pub(crate) raw: gong_users_sys::Client,
    /// Sends every request.
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    /// Whether the caller chose the base URL (OAuth's customer host does not override it then).
    pub(crate) base_url_explicit: bool,
    /// The credentials each request carries.
    pub(crate) auth: Auth,
    pub(crate) max_body_bytes: u64,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: RateLimit,
    pub(crate) limiter: Option<Limiter>,
    pub(crate) prefetch: usize,
    pub(crate) events: Option<EventHandler>,
}

impl Client {
    /// A builder with the defaults: `https://api.gong.io`, 10 s to connect, 60 s a request,
    /// [`RetryPolicy::default`], [`RateLimit::GONG_DEFAULT`], one page fetched ahead.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// Waits for work that a dropped operation left running to finish: an OAuth token refresh
    /// already sent completes, and its rotated refresh token reaches the
    /// [`TokenStore`](crate::TokenStore), even when the listing that asked for it was dropped
    /// (Ctrl-C). Call it before a process exits; it returns at once when nothing is under way.
    pub async fn close(&self) {
        if let Some(session) = self.inner.auth.oauth() {
            session.settle().await;
        }
    }
}

impl ClientInner {
    /// Tells the caller's event handler, if there is one.
    pub(crate) fn emit(&self, event: &Event) {
        if let Some(events) = &self.events {
            events(event);
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field(
                "credentials",
                &format_args!("{} [REDACTED]", self.inner.auth.scheme()),
            )
            .field("retry", &self.inner.retry)
            .field("rate_limit", &self.inner.rate_limit)
            .field("prefetch", &self.inner.prefetch)
            .field("max_body_bytes", &self.inner.max_body_bytes)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Every setting has a default but the credentials.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: Url,
    base_url_explicit: bool,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    rate_limit: RateLimit,
    prefetch: usize,
    max_body_bytes: u64,
    events: Option<EventHandler>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: parse_base_url(DEFAULT_BASE_URL).unwrap_or_else(|_| unreachable!()),
            base_url_explicit: false,
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            rate_limit: RateLimit::default(),
            prefetch: 1,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            events: None,
        }
    }
}

impl ClientBuilder {
    /// Where to send requests: `https://api.gong.io` by default, or the company's own host
    /// (`https://us-55616.api.gong.io`). With [`Credentials::OAuth`] and no base URL set here,
    /// requests go to the host each token response names (`api_base_url_for_customer`); a base
    /// URL set here wins, and a mismatch is logged as a warning.
    ///
    /// Fails at once for anything but `https://`, except `http://` to a loopback host.
    pub fn base_url(mut self, base_url: impl AsRef<str>) -> Result<Self, Error> {
        self.base_url = parse_base_url(base_url.as_ref())?;
        self.base_url_explicit = true;
        Ok(self)
    }

    /// The credentials every request carries.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, from sending to the last byte of the body (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]; [`RetryPolicy::none`] turns it off).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The client-side rate limit (default [`RateLimit::GONG_DEFAULT`], 3 a second).
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// How many pages a listing fetches ahead of the caller (default 1; 0 fetches only when
    /// asked). Needs a Tokio runtime; without one, listings fetch on demand.
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages;
        self
    }

    /// The largest response body the client reads, in bytes (default
    /// [`DEFAULT_MAX_BODY_BYTES`], 32 MiB). A response announcing a larger `Content-Length` is
    /// refused before its body is read, and a body streamed without one is read only up to the
    /// bound: either fails with [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge), not
    /// retried.
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// A callback told of waits, retries and responses, for progress displays. It runs on the
    /// client's tasks and must return quickly.
    pub fn on_event(mut self, handler: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(handler));
        self
    }

    /// Builds the client. Fails without credentials.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.ok_or(ConfigError::MissingCredentials)?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(crate::http::tls::client_config()?)
            .user_agent(USER_AGENT)
            // A redirect could carry the Authorization header to another host: follow none.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .build()
            .map_err(ConfigError::HttpClient)?;
        let auth = Auth::new(
            credentials,
            SessionContext {
                http: http.clone(),
                retry: self.retry.clone(),
                max_body_bytes: self.max_body_bytes,
                events: self.events.clone(),
            },
        )?;
        let raw =
            gong_users_sys::Client::new_with_client(&base_url_string(&self.base_url), http.clone());
        Ok(Client {
            inner: Arc::new(ClientInner {
                raw,
                http,
                base_url: self.base_url,
                base_url_explicit: self.base_url_explicit,
                auth,
                max_body_bytes: self.max_body_bytes,
                retry: self.retry,
                rate_limit: self.rate_limit,
                limiter: Limiter::new(self.rate_limit),
                prefetch: self.prefetch,
                events: self.events,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_str())
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("prefetch", &self.prefetch)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}
