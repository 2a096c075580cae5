//! The client and its builder: base URL, credentials, timeouts, retries, rate limit.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::auth::Auth;
use crate::auth::oauth::SessionContext;
use crate::events::{Event, EventHandler};
use crate::http::budget::{DEFAULT_DAILY_QUOTA, LocalBudget};
use crate::http::gate::Gate;
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
    /// The pace and the daily budget every request passes.
    pub(crate) gate: Gate,
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

    /// With shared state ([`ClientBuilder::shared_state`]): connects to it and checks that it
    /// answers, so a wrong URL fails at start (a configuration error naming the server, never
    /// its password) rather than at the first request. Without shared state, `Ok` at once.
    pub async fn check_shared_state(&self) -> Result<(), Error> {
        match &self.inner.gate {
            #[cfg(feature = "redis")]
            Gate::Shared(shared) => shared.check().await,
            Gate::Local { .. } => Ok(()),
        }
    }

    /// The company's shared pace and budget as they stand (`None` without shared state).
    #[cfg(feature = "redis")]
    pub async fn quota(&self) -> Result<Option<crate::QuotaState>, Error> {
        match &self.inner.gate {
            Gate::Shared(shared) => shared.snapshot().await.map(Some),
            Gate::Local { .. } => Ok(None),
        }
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
    daily_quota: u32,
    #[cfg(feature = "redis")]
    shared: Option<crate::RedisConfig>,
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
            daily_quota: DEFAULT_DAILY_QUOTA,
            #[cfg(feature = "redis")]
            shared: None,
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

    /// How many requests the client may send in a rolling 24 hours (default
    /// [`DEFAULT_DAILY_QUOTA`](crate::DEFAULT_DAILY_QUOTA), Gong's 10,000 a company). Past it
    /// no request is sent: the operation fails with [`Error::is_quota_exhausted`] and when the
    /// budget frees. Counted in this process, or by the whole fleet with shared state.
    pub fn daily_quota(mut self, requests: u32) -> Self {
        self.daily_quota = requests;
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

    /// Shares the pace, the daily budget and the OAuth tokens with every process of the same
    /// company through Redis (the `redis` feature): see [`RedisConfig`](crate::RedisConfig).
    /// The company is named by a hash of non-secret identifiers (the access key's id, or the
    /// OAuth client id and token endpoint; the base URL when set). With OAuth and no token store
    /// of its own, the app's tokens are kept in Redis too. Nothing is connected before the first
    /// request or [`Client::check_shared_state`].
    #[cfg(feature = "redis")]
    pub fn shared_state(mut self, config: crate::RedisConfig) -> Self {
        self.shared = Some(config);
        self
    }

    /// Builds the client. Fails without credentials.
    pub fn build(mut self) -> Result<Client, Error> {
        #[allow(unused_mut)] // changed only with shared state
        let mut credentials = self
            .credentials
            .take()
            .ok_or(ConfigError::MissingCredentials)?;
        let gate = self.gate(&mut credentials)?;
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
                gate,
                prefetch: self.prefetch,
                events: self.events,
            }),
        })
    }
}

impl ClientBuilder {
    /// The pace and the budget: this process's own, or the company's in Redis (then an OAuth
    /// app without a store of its own keeps its tokens there too).
    fn gate(&self, #[allow(unused)] credentials: &mut Credentials) -> Result<Gate, Error> {
        #[cfg(feature = "redis")]
        if let Some(config) = &self.shared {
            let mut identifiers = credentials.company_identifiers();
            if self.base_url_explicit {
                identifiers.push(self.base_url.to_string());
            }
            let identifiers: Vec<&str> = identifiers.iter().map(String::as_str).collect();
            let company = crate::http::shared::company_key(&identifiers);
            let shared = Arc::new(crate::http::shared::SharedState::new(
                config,
                &company,
                self.rate_limit,
                self.daily_quota,
            )?);
            if let Credentials::OAuth(app) = credentials
                && !app.has_store()
            {
                let store = crate::auth::oauth::redis_store::RedisTokenStore::new(
                    Arc::clone(&shared),
                    app.client_id(),
                    app.refresh_token(),
                );
                *app = app.clone().token_store(store);
            }
            return Ok(Gate::Shared(shared));
        }
        Ok(Gate::Local {
            limiter: Limiter::new(self.rate_limit),
            budget: LocalBudget::new(self.daily_quota),
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
