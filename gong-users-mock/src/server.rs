//! FakeGong: the server, its configuration, and the connection I/O around each answer (the
//! answers themselves are decided in `handler.rs`, without I/O).

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::bucket::Bucket;
use crate::cursor::Cursors;
use crate::handler;
use crate::http;
use crate::log::{Outcome, RecordedRequest};
use crate::oauth::{OAuthConfig, OAuthState, TOKEN_PATH, TokenFault};
use crate::{Fault, Faults};

/// Gong's page size, fixed by Gong.
pub const PAGE_SIZE: usize = 100;

/// Configures a [`FakeGong`]; [`FakeGong::builder`] makes one.
#[derive(Clone, Debug)]
pub struct FakeGongBuilder {
    pub(crate) users: usize,
    pub(crate) avatars: usize,
    pub(crate) seed: u64,
    pub(crate) page_size: usize,
    pub(crate) access_key: String,
    pub(crate) access_key_secret: String,
    pub(crate) bearer_token: String,
    pub(crate) rate_limit: Option<NonZeroU32>,
    pub(crate) rate_limit_burst: Option<NonZeroU32>,
    pub(crate) retry_after_http_date: bool,
    pub(crate) endless_page: Option<usize>,
    pub(crate) oauth: Option<OAuthConfig>,
    pub(crate) faults: Faults,
    pub(crate) repeat_cursor: bool,
    pub(crate) ignore_cursor: bool,
    pub(crate) cursor_ttl: Duration,
}

impl Default for FakeGongBuilder {
    fn default() -> Self {
        Self {
            users: 250,
            avatars: 3,
            seed: 1,
            page_size: PAGE_SIZE,
            access_key: "fake-access-key".into(),
            access_key_secret: "fake-access-key-secret".into(),
            bearer_token: "fake-bearer-token".into(),
            rate_limit: None,
            rate_limit_burst: None,
            retry_after_http_date: false,
            endless_page: None,
            oauth: None,
            faults: Faults::none(),
            repeat_cursor: false,
            ignore_cursor: false,
            cursor_ttl: Duration::from_secs(600),
        }
    }
}

impl FakeGongBuilder {
    /// How many regular users the company has (default 250).
    pub fn users(mut self, users: usize) -> Self {
        self.users = users;
        self
    }

    /// How many avatars, listed only with `includeAvatars=true` (default 3).
    pub fn avatars(mut self, avatars: usize) -> Self {
        self.avatars = avatars;
        self
    }

    /// The seed of the synthetic users and of the fault draws (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Users a page (default 100, Gong's; smaller pages make many-page tests cheap).
    pub fn page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// The access key and secret accepted with Basic auth.
    pub fn basic_credentials(mut self, access_key: &str, secret: &str) -> Self {
        self.access_key = access_key.into();
        self.access_key_secret = secret.into();
        self
    }

    /// The token accepted with Bearer auth.
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.bearer_token = token.into();
        self
    }

    /// Answer 429 with `Retry-After` past `per_second` requests a second (a token bucket that
    /// holds `per_second` tokens). `0` means no limit, the default.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = NonZeroU32::new(per_second);
        self
    }

    /// How many requests the rate limit's bucket holds (default: as many as a second's worth).
    /// With `1`, requests must come evenly spaced, as Gong's quota and a client's limiter
    /// intend: a request more than [`JITTER`](crate::JITTER) (3 ms) early gets a 429, so a
    /// limiter 10% fast meets one within a few requests.
    pub fn rate_limit_burst(mut self, burst: u32) -> Self {
        self.rate_limit_burst = NonZeroU32::new(burst);
        self
    }

    /// Send `Retry-After` (on 429 and 503) as an HTTP date instead of seconds; both are valid
    /// HTTP, and clients must read both.
    pub fn retry_after_http_date(mut self, as_date: bool) -> Self {
        self.retry_after_http_date = as_date;
        self
    }

    /// Answer page `number` (from 0) with a body that never ends: chunked, streaming users for
    /// as long as the client reads (at most 4 GiB or 60 s), as a broken proxy can.
    pub fn endless_page(mut self, number: Option<usize>) -> Self {
        self.endless_page = number;
        self
    }

    /// Serve OAuth for one app too: the token endpoint (`POST /oauth2/generate-customer-token`)
    /// accepts `refresh_token` once, answers with a new access token and a new refresh token
    /// (each single-use), and `invalid_grant` for a refresh token used twice; the API then
    /// accepts the access tokens it issued, until they expire. Access keys keep working.
    pub fn oauth(mut self, client_id: &str, client_secret: &str, refresh_token: &str) -> Self {
        let lifetime = self
            .oauth
            .as_ref()
            .map_or(Duration::from_secs(3600), |o| o.access_token_lifetime);
        self.oauth = Some(OAuthConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            access_token_lifetime: lifetime,
        });
        self
    }

    /// How long the access tokens issued live (default an hour; down to a second), when
    /// [`FakeGongBuilder::oauth`] is on.
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        let config = self.oauth.get_or_insert_with(|| OAuthConfig {
            client_id: "fake-oauth-client".into(),
            client_secret: "fake-oauth-client-secret".into(),
            refresh_token: "fake-refresh-0".into(),
            access_token_lifetime: lifetime,
        });
        config.access_token_lifetime = lifetime.max(Duration::from_secs(1));
        self
    }

    /// The faults to inject.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Return the same cursor on every page after the first, as a buggy server would.
    pub fn repeat_cursor(mut self, repeat: bool) -> Self {
        self.repeat_cursor = repeat;
        self
    }

    /// Ignore the cursor and serve the first page again, with a fresh cursor string each time:
    /// the bug other Gong clients met when they sent the cursor where Gong does not read it.
    pub fn ignore_cursor(mut self, ignore: bool) -> Self {
        self.ignore_cursor = ignore;
        self
    }

    /// How long a cursor stays valid (default 10 minutes).
    pub fn cursor_ttl(mut self, ttl: Duration) -> Self {
        self.cursor_ttl = ttl;
        self
    }

    /// Binds 127.0.0.1 on a free port and starts serving.
    pub async fn start(self) -> std::io::Result<FakeGong> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let (users, avatars) = crate::users::generate(self.users, self.avatars, self.seed);
        let state = Arc::new(State {
            listing: users.iter().chain(&avatars).map(Listed::new).collect(),
            users,
            avatars,
            cursors: Cursors::new(self.seed ^ 0x9e37_79b9_7f4a_7c15, self.cursor_ttl),
            limiter: self
                .rate_limit
                .map(|per_second| Bucket::new(per_second, self.rate_limit_burst)),
            rng: Mutex::new(StdRng::seed_from_u64(self.seed)),
            log: Mutex::new(Vec::new()),
            request_count: AtomicU64::new(0),
            failing_page: Mutex::new(None),
            token_faults: Mutex::new(Default::default()),
            repeated_cursor: Mutex::new(None),
            started: Instant::now(),
            oauth: self
                .oauth
                .as_ref()
                .map(|config| Mutex::new(OAuthState::new(config))),
            address,
            config: self,
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        Ok(FakeGong {
            address,
            state,
            accept,
        })
    }
}

/// A running fake of Gong's `GET /v2/users` on 127.0.0.1. Stops when dropped.
pub struct FakeGong {
    address: SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl FakeGong {
    /// A builder with the defaults: 250 users, 3 avatars, seed 1, pages of 100, no rate limit,
    /// no faults.
    pub fn builder() -> FakeGongBuilder {
        FakeGongBuilder::default()
    }

    /// `http://127.0.0.1:<port>`, to pass as the client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The access key accepted with Basic auth.
    pub fn access_key(&self) -> &str {
        &self.state.config.access_key
    }

    /// The secret accepted with Basic auth.
    pub fn access_key_secret(&self) -> &str {
        &self.state.config.access_key_secret
    }

    /// The token accepted with Bearer auth.
    pub fn bearer_token(&self) -> &str {
        &self.state.config.bearer_token
    }

    /// The environment a program needs to reach this fake, named by `gong-users`' own
    /// constants: `GONG_BASE_URL` with `GONG_ACCESS_KEY` and `GONG_ACCESS_KEY_SECRET`; or, with
    /// OAuth on, `GONG_OAUTH_CLIENT_ID`, `GONG_OAUTH_CLIENT_SECRET`, `GONG_OAUTH_REFRESH_TOKEN`
    /// (the first one issued) and `GONG_OAUTH_TOKEN_URL`, and no base URL (the token names the
    /// host). `fake-gong` prints these; [`FakeGong::client_builder`] reads them.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        match &self.state.config.oauth {
            Some(oauth) => vec![
                (gong_users::ENV_OAUTH_CLIENT_ID, oauth.client_id.clone()),
                (
                    gong_users::ENV_OAUTH_CLIENT_SECRET,
                    oauth.client_secret.clone(),
                ),
                (
                    gong_users::ENV_OAUTH_REFRESH_TOKEN,
                    oauth.refresh_token.clone(),
                ),
                (gong_users::ENV_OAUTH_TOKEN_URL, self.token_url()),
            ],
            None => vec![
                (gong_users::ENV_BASE_URL, self.base_url()),
                (gong_users::ENV_ACCESS_KEY, self.access_key().to_owned()),
                (
                    gong_users::ENV_ACCESS_KEY_SECRET,
                    self.access_key_secret().to_owned(),
                ),
            ],
        }
    }

    /// The token endpoint's URL.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base_url())
    }

    /// How many refreshes the token endpoint granted.
    pub fn oauth_refreshes(&self) -> u64 {
        self.state.oauth.as_ref().map_or(0, |o| lock(o).refreshes())
    }

    /// How many refreshes it refused with `invalid_grant` (a refresh token used twice).
    pub fn oauth_refused(&self) -> u64 {
        self.state.oauth.as_ref().map_or(0, |o| lock(o).refused())
    }

    /// Queues faults for the next token requests, one request each, in order.
    pub fn queue_token_faults(&self, faults: impl IntoIterator<Item = TokenFault>) {
        lock(&self.state.token_faults).extend(faults);
    }

    /// The one refresh token that works now.
    pub fn current_refresh_token(&self) -> Option<String> {
        self.state
            .oauth
            .as_ref()
            .map(|o| lock(o).current_refresh_token().to_owned())
    }

    /// A client builder aimed at this fake, configured from [`FakeGong::env`] as
    /// `Client::from_env` would be; every other setting is the client's default.
    pub fn client_builder(&self) -> gong_users::ClientBuilder {
        let env = self.env();
        gong_users::ClientBuilder::from_lookup(|name| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
        })
        .unwrap_or_else(|_| unreachable!("the fake's own URL and credentials are valid"))
    }

    /// The users a complete listing returns, in order, as JSON exactly as served.
    pub fn expected_users(&self, include_avatars: bool) -> Vec<Value> {
        let mut users = self.state.users.clone();
        if include_avatars {
            users.extend(self.state.avatars.iter().cloned());
        }
        users
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.log).clone()
    }

    /// Makes page `number` (from 0) answer 500 every time until called again with `None`: a
    /// page that always fails, for testing resumption.
    pub fn fail_page(&self, number: Option<usize>) {
        *lock(&self.state.failing_page) = number;
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
    }
}

impl Drop for FakeGong {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection task.
        self.accept.abort();
    }
}

impl std::fmt::Debug for FakeGong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGong")
            .field("base_url", &self.base_url())
            .field("users", &self.state.users.len())
            .field("avatars", &self.state.avatars.len())
            .finish_non_exhaustive()
    }
}

pub(crate) struct State {
    pub(crate) config: FakeGongBuilder,
    pub(crate) users: Vec<Value>,
    pub(crate) avatars: Vec<Value>,
    /// Every user as served, then every avatar.
    pub(crate) listing: Vec<Listed>,
    pub(crate) cursors: Cursors,
    pub(crate) limiter: Option<Bucket>,
    pub(crate) rng: Mutex<StdRng>,
    pub(crate) log: Mutex<Vec<RecordedRequest>>,
    pub(crate) request_count: AtomicU64,
    pub(crate) failing_page: Mutex<Option<usize>>,
    pub(crate) repeated_cursor: Mutex<Option<String>>,
    pub(crate) started: Instant,
    pub(crate) oauth: Option<Mutex<OAuthState>>,
    /// Faults queued for the next token requests.
    pub(crate) token_faults: Mutex<std::collections::VecDeque<TokenFault>>,
    /// Where the fake listens, for `api_base_url_for_customer`.
    pub(crate) address: SocketAddr,
}

/// One user as FakeGong serves it, with what its filters look at.
pub(crate) struct Listed {
    /// The user's JSON, exactly as served.
    pub(crate) json: String,
    pub(crate) id: Option<String>,
    /// `created`, when it is there and parses.
    pub(crate) created: Option<DateTime<FixedOffset>>,
}

impl Listed {
    fn new(user: &Value) -> Self {
        Self {
            json: user.to_string(),
            id: user["id"].as_str().map(str::to_owned),
            created: user["created"]
                .as_str()
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok()),
        }
    }
}

impl State {
    /// The users a listing serves: the regular users, then the avatars if asked.
    pub(crate) fn listing(&self, include_avatars: bool) -> &[Listed] {
        let avatars = if include_avatars {
            0
        } else {
            self.avatars.len()
        };
        &self.listing[..self.listing.len() - avatars]
    }

    /// The user or avatar with this id, as its JSON value.
    pub(crate) fn user(&self, id: &str) -> Option<&Value> {
        self.users
            .iter()
            .chain(&self.avatars)
            .find(|user| user["id"].as_str() == Some(id))
    }
}

/// A poisoned lock only means another connection task panicked; the data is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, Arc::clone(&state)));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(mut stream: TcpStream, state: Arc<State>) {
    let mut buffer = Vec::new();
    while let Ok(Some(request)) = http::read_request(&mut stream, &mut buffer).await {
        let keep_alive = request.keep_alive;
        let (outcome, response) = handler::handle(&state, &request);
        let served = match (&outcome, response) {
            (Outcome::Fault(Fault::ConnectionReset), _) => {
                http::reset(stream);
                return;
            }
            (Outcome::Fault(Fault::TruncatedBody), Some(response)) => {
                let _ = http::write_truncated(&mut stream, &response).await;
                return;
            }
            (Outcome::Endless, Some(response)) => {
                let _ = http::write_endless(&mut stream, &response).await;
                return;
            }
            (Outcome::Fault(Fault::Slow), Some(response)) => {
                tokio::time::sleep(state.config.faults.slow_delay).await;
                http::write_response(&mut stream, &response, keep_alive).await
            }
            (_, Some(response)) => http::write_response(&mut stream, &response, keep_alive).await,
            (_, None) => return,
        };
        if served.is_err() || !keep_alive {
            return;
        }
    }
}
