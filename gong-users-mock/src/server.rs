//! FakeGong: the server, its configuration, and the connection I/O around each answer (the
//! answers themselves are decided in `handler.rs`, without I/O).

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::Fault;
use crate::bucket::Bucket;
use crate::config::FakeGongBuilder;
use crate::cursor::Cursors;
use crate::handler;
use crate::http;
use crate::log::{Outcome, RecordedRequest};
use crate::oauth::{OAuthState, TOKEN_PATH, TokenFault};
use crate::state::{Listed, State, lock};

impl FakeGongBuilder {
    /// Binds 127.0.0.1 on a free port and starts serving.
    pub async fn start(self) -> std::io::Result<FakeGong> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let (mut users, avatars) = crate::users::generate(self.users, self.avatars, self.seed);
        if let Some((changes, seed)) = self.churn {
            crate::users::churn(&mut users, changes, seed);
        }
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
