//! FakeGong: the server, its configuration, and how it answers each request.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::cursor::{CursorState, Cursors};
use crate::http::{self, Request, Response};
use crate::log::{Outcome, RecordedRequest};
use crate::{Fault, Faults};

/// Gong's page size, fixed by Gong.
pub const PAGE_SIZE: usize = 100;

const NO_USERS: &str = "No users found corresponding to the provided filters";
const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

/// Configures a [`FakeGong`]; [`FakeGong::builder`] makes one.
#[derive(Clone, Debug)]
pub struct FakeGongBuilder {
    users: usize,
    avatars: usize,
    seed: u64,
    page_size: usize,
    access_key: String,
    access_key_secret: String,
    bearer_token: String,
    rate_limit: Option<NonZeroU32>,
    rate_limit_burst: Option<NonZeroU32>,
    retry_after_http_date: bool,
    endless_page: Option<usize>,
    faults: Faults,
    repeat_cursor: bool,
    ignore_cursor: bool,
    cursor_ttl: Duration,
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
    /// intend: a request more than a tenth of the interval early (20% too fast, say) gets a 429,
    /// while the loopback network's jitter does not.
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
            users_json: users.iter().map(Value::to_string).collect(),
            avatars_json: avatars.iter().map(Value::to_string).collect(),
            users,
            avatars,
            cursors: Cursors::new(self.seed ^ 0x9e37_79b9_7f4a_7c15, self.cursor_ttl),
            limiter: self.rate_limit.map(|per_second| {
                DefaultDirectRateLimiter::direct(quota(per_second, self.rate_limit_burst))
            }),
            rng: Mutex::new(StdRng::seed_from_u64(self.seed)),
            log: Mutex::new(Vec::new()),
            request_count: AtomicU64::new(0),
            failing_page: Mutex::new(None),
            repeated_cursor: Mutex::new(None),
            started: Instant::now(),
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

struct State {
    config: FakeGongBuilder,
    users: Vec<Value>,
    avatars: Vec<Value>,
    users_json: Vec<String>,
    avatars_json: Vec<String>,
    cursors: Cursors,
    limiter: Option<DefaultDirectRateLimiter>,
    rng: Mutex<StdRng>,
    log: Mutex<Vec<RecordedRequest>>,
    request_count: AtomicU64,
    failing_page: Mutex<Option<usize>>,
    repeated_cursor: Mutex<Option<String>>,
    started: Instant,
}

/// The server's bucket: `per_second` with a burst of `burst` (default a second's worth). An
/// evenly spaced bucket (burst 1) accepts requests a tenth of the interval early, for jitter.
fn quota(per_second: NonZeroU32, burst: Option<NonZeroU32>) -> Quota {
    match burst {
        Some(burst) if burst == NonZeroU32::MIN => {
            let interval = Duration::from_secs(1) / per_second.get();
            Quota::with_period(interval - interval / 10)
                .unwrap_or_else(|| Quota::per_second(per_second))
                .allow_burst(burst)
        }
        Some(burst) => Quota::per_second(per_second).allow_burst(burst),
        None => Quota::per_second(per_second),
    }
}

/// A poisoned lock only means another connection task panicked; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
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
        let (outcome, response) = answer(&state, &request);
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

/// Decides the answer to one request and records it.
fn answer(state: &State, request: &Request) -> (Outcome, Option<Response>) {
    let at = state.started.elapsed();
    let (path, query) = split_target(&request.target);
    let auth_scheme = authenticate(state, request.authorization.as_deref());
    let (outcome, response) = respond(state, request, &path, &query, auth_scheme);
    lock(&state.log).push(RecordedRequest {
        at,
        method: request.method.clone(),
        path,
        query,
        user_agent: request.user_agent.clone(),
        auth_scheme,
        outcome: outcome.clone(),
    });
    (outcome, response)
}

fn respond(
    state: &State,
    request: &Request,
    path: &str,
    query: &[(String, String)],
    auth_scheme: Option<&'static str>,
) -> (Outcome, Option<Response>) {
    let request_id = next_request_id(state);
    let gong_error = |status: u16, message: &str| {
        Response::json(
            status,
            json!({"requestId": request_id, "errors": [message]}).to_string(),
        )
    };
    if request.method != "GET" || path.trim_end_matches('/') != "/v2/users" {
        return (Outcome::NotFound, Some(gong_error(404, "No such endpoint")));
    }
    if auth_scheme.is_none() {
        return (
            Outcome::Unauthorized,
            Some(gong_error(401, "Access denied: invalid credentials")),
        );
    }
    if let Some(limiter) = &state.limiter
        && let Err(not_until) = limiter.check()
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let header = retry_after_header(wait, state.config.retry_after_http_date);
        return (
            Outcome::RateLimited { retry_after },
            Some(gong_error(429, "API request limit exceeded").with_retry_after(header)),
        );
    }
    let fault = state.config.faults.draw(&mut lock(&state.rng));
    match fault {
        Some(Fault::InternalError) => {
            let response = gong_error(
                500,
                "Failed to complete the operation due to an unexpected error",
            );
            return (Outcome::Fault(Fault::InternalError), Some(response));
        }
        Some(Fault::BadGatewayHtml) => {
            return (
                Outcome::Fault(Fault::BadGatewayHtml),
                Some(Response::html(502, BAD_GATEWAY_HTML)),
            );
        }
        Some(Fault::Unavailable) => {
            let wait = Duration::from_secs(state.config.faults.unavailable_retry_after);
            let response = Response::html(503, "Service Unavailable")
                .with_retry_after(retry_after_header(wait, state.config.retry_after_http_date));
            return (Outcome::Fault(Fault::Unavailable), Some(response));
        }
        Some(Fault::ConnectionReset) => return (Outcome::Fault(Fault::ConnectionReset), None),
        Some(Fault::TruncatedBody | Fault::Slow) | None => {}
    }
    let include_avatars = match query_value(query, "includeAvatars") {
        None => false,
        Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return (
                Outcome::BadCursor,
                Some(gong_error(400, "includeAvatars must be true or false")),
            );
        }
    };
    let offset = match query_value(query, "cursor") {
        None => 0,
        Some(_) if state.config.ignore_cursor => 0,
        Some(cursor) => match state.cursors.check(cursor, include_avatars) {
            Ok(CursorState { offset, .. }) => offset,
            Err(error) => return (Outcome::BadCursor, Some(gong_error(400, error.message()))),
        },
    };
    if *lock(&state.failing_page) == Some(offset / state.config.page_size) {
        let response = gong_error(
            500,
            "Failed to complete the operation due to an unexpected error",
        );
        return (Outcome::Fault(Fault::InternalError), Some(response));
    }
    let total = state.users.len()
        + if include_avatars {
            state.avatars.len()
        } else {
            0
        };
    if offset >= total {
        return (Outcome::NoUsers, Some(gong_error(404, NO_USERS)));
    }
    if state.config.endless_page == Some(offset / state.config.page_size) {
        let head = format!(
            r#"{{"requestId":"{request_id}","records":{{"totalRecords":{total}}},"users":["#
        );
        let user = state
            .users_json
            .first()
            .cloned()
            .unwrap_or_else(|| "{}".into());
        return (Outcome::Endless, Some(Response::endless(head, user)));
    }
    let page_size = state.config.page_size;
    let end = (offset + page_size).min(total);
    let next = if state.config.repeat_cursor {
        Some(page_size)
    } else {
        (end < total).then_some(end)
    };
    let mut records = json!({
        "totalRecords": total,
        "currentPageSize": end - offset,
        "currentPageNumber": offset / page_size,
    });
    if let Some(next) = next.filter(|&next| next < total) {
        let issue = || {
            state.cursors.issue(CursorState {
                offset: next,
                include_avatars,
            })
        };
        let cursor = if state.config.repeat_cursor {
            // The very same string every time, as a server that ignores the cursor sends.
            lock(&state.repeated_cursor)
                .get_or_insert_with(issue)
                .clone()
        } else {
            issue()
        };
        records["cursor"] = json!(cursor);
    }
    let mut body = format!(r#"{{"requestId":"{request_id}","records":{records},"users":["#);
    let listing =
        state
            .users_json
            .iter()
            .chain(
                state
                    .avatars_json
                    .iter()
                    .take(if include_avatars { usize::MAX } else { 0 }),
            );
    for (index, user) in listing.skip(offset).take(end - offset).enumerate() {
        if index > 0 {
            body.push(',');
        }
        body.push_str(user);
    }
    body.push_str("]}");
    let outcome = match fault {
        Some(fault) => Outcome::Fault(fault),
        None => Outcome::Page {
            offset,
            users: end - offset,
        },
    };
    (outcome, Some(Response::json(200, body)))
}

/// Which scheme the presented credentials were valid for, if any.
fn authenticate(state: &State, authorization: Option<&str>) -> Option<&'static str> {
    let (scheme, value) = authorization?.split_once(' ')?;
    let config = &state.config;
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .ok()?;
        let expected = format!("{}:{}", config.access_key, config.access_key_secret);
        (decoded == expected.as_bytes()).then_some("Basic")
    } else if scheme.eq_ignore_ascii_case("bearer") {
        (value.trim() == config.bearer_token).then_some("Bearer")
    } else {
        None
    }
}

/// `Retry-After` for a wait: whole seconds rounded up, or the HTTP date when the wait is over,
/// rounded up to the next whole second (an HTTP date has no fractions).
fn retry_after_header(wait: Duration, as_date: bool) -> String {
    if !as_date {
        return (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).to_string();
    }
    let at = std::time::SystemTime::now() + wait;
    let since_epoch = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let rounded_up = Duration::from_secs(since_epoch.as_secs() + 1);
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + rounded_up)
}

fn next_request_id(state: &State) -> String {
    let count = state.request_count.fetch_add(1, Ordering::Relaxed);
    format!(
        "fake{:015x}",
        count.wrapping_mul(0x9e37_79b9).wrapping_add(7)
    )
}

fn split_target(target: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    (path.to_owned(), query)
}

fn query_value<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}
