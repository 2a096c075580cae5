//! How FakeGong answers one request: a function from the request (and the server's state) to
//! what it answers, with no I/O. The connection code in `server.rs` writes the answer, and acts
//! out the faults that no response can express (a body cut short, a reset connection).
//!
//! Each step is a function that either lets the request through or answers it:
//! route → authenticate → rate limit → injected fault → the operation itself (a listing, by
//! `GET /v2/users` or `POST /v2/users/extensive`; one user; a settings history).

use std::hash::{Hash as _, Hasher as _};
use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use crate::Fault;
use crate::body::{PageBody, error_body};
use crate::cursor::CursorState;
use crate::history::settings_history;
use crate::http::{Request, Response};
use crate::log::{Outcome, RecordedRequest};
use crate::oauth::{Refresh, TOKEN_PATH, TokenFault};
use crate::state::{Listed, State, lock};

const NO_USERS: &str = "No users found corresponding to the provided filters";
const USER_NOT_FOUND: &str = "User not found";
const UNEXPECTED: &str = "Failed to complete the operation due to an unexpected error";
const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

/// What FakeGong does with a request: the outcome to log, and the response to write (`None`:
/// reset the connection instead).
pub(crate) type Answer = (Outcome, Option<Response>);

/// Decides the answer to one request and records it.
pub(crate) fn handle(state: &State, request: &Request) -> Answer {
    let at = state.started.elapsed();
    let (path, query) = split_target(&request.target);
    let credentials = authenticate(state, request.authorization.as_deref());
    let auth_scheme = credentials.as_ref().ok().map(|(scheme, _)| *scheme);
    let token_generation = credentials
        .as_ref()
        .ok()
        .and_then(|(_, generation)| *generation);
    let call = Call {
        state,
        request,
        path: &path,
        query: &query,
        request_id: next_request_id(state),
    };
    let answer = call.answer(credentials).unwrap_or_else(|answer| answer);
    lock(&state.log).push(RecordedRequest {
        at,
        method: request.method.clone(),
        path,
        query,
        body: String::from_utf8_lossy(&request.body).into_owned(),
        user_agent: request.user_agent.clone(),
        auth_scheme,
        token_generation,
        outcome: answer.0.clone(),
    });
    answer
}

/// One request being answered. Each step returns `Err(answer)` to answer it there.
struct Call<'a> {
    state: &'a State,
    request: &'a Request,
    path: &'a str,
    query: &'a [(String, String)],
    request_id: String,
}

impl Call<'_> {
    fn answer(&self, credentials: Credentials) -> Result<Answer, Answer> {
        if self.path == TOKEN_PATH && self.request.method == "POST" {
            return Ok(self.refresh_token());
        }
        let route = self.route()?;
        match credentials {
            Ok(_) => {}
            Err(Rejected::Expired) => {
                return Err(self.gong_error(
                    Outcome::Unauthorized,
                    401,
                    "The access token has expired",
                ));
            }
            Err(Rejected::Unknown) => {
                return Err(self.gong_error(
                    Outcome::Unauthorized,
                    401,
                    "Access denied: invalid credentials",
                ));
            }
        }
        self.rate_limit()?;
        let fault = self.state.config.faults.draw(&mut lock(&self.state.rng));
        self.injected_fault(fault)?;
        match route {
            Route::List => self.listing_page(&self.list_query()?, fault),
            Route::ListByFilter => self.listing_page(&self.filter_query()?, fault),
            Route::User(id) => self.user(id),
            Route::History(id) => self.history(id),
        }
    }

    fn gong_error(&self, outcome: Outcome, status: u16, message: &str) -> Answer {
        let body = error_body(&self.request_id, &[message]);
        (outcome, Some(Response::json(status, body)))
    }

    /// Which operation the method and path name.
    fn route(&self) -> Result<Route<'_>, Answer> {
        let path = self.path.trim_end_matches('/');
        let rest = path.strip_prefix("/v2/users");
        let route = match (self.request.method.as_str(), rest) {
            ("GET", Some("")) => Some(Route::List),
            ("POST", Some("/extensive")) => Some(Route::ListByFilter),
            ("GET", Some(rest)) => match rest.trim_start_matches('/').split_once('/') {
                None if rest.starts_with('/') => Some(Route::User(&rest[1..])),
                Some((id, "settings-history")) if rest.starts_with('/') => Some(Route::History(id)),
                _ => None,
            },
            _ => None,
        };
        route.ok_or_else(|| self.gong_error(Outcome::NotFound, 404, "No such endpoint"))
    }

    /// The token bucket, when configured: 429 with `Retry-After` past it.
    fn rate_limit(&self) -> Result<(), Answer> {
        let Some(limiter) = &self.state.limiter else {
            return Ok(());
        };
        let Err(wait) = limiter.check() else {
            return Ok(());
        };
        let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let header = retry_after_header(wait, self.state.config.retry_after_http_date);
        let (outcome, response) = self.gong_error(
            Outcome::RateLimited { retry_after },
            429,
            "API request limit exceeded",
        );
        Err((outcome, response.map(|r| r.with_retry_after(header))))
    }

    /// The faults a response can carry; the others (cut bodies, slow answers) are acted out by
    /// the connection code on the page this request would otherwise get.
    fn injected_fault(&self, fault: Option<Fault>) -> Result<(), Answer> {
        match fault {
            Some(Fault::InternalError) => {
                Err(self.gong_error(Outcome::Fault(Fault::InternalError), 500, UNEXPECTED))
            }
            Some(Fault::BadGatewayHtml) => Err((
                Outcome::Fault(Fault::BadGatewayHtml),
                Some(Response::html(502, BAD_GATEWAY_HTML)),
            )),
            Some(Fault::Unavailable) => {
                let wait = Duration::from_secs(self.state.config.faults.unavailable_retry_after);
                let header = retry_after_header(wait, self.state.config.retry_after_http_date);
                Err((
                    Outcome::Fault(Fault::Unavailable),
                    Some(Response::html(503, "Service Unavailable").with_retry_after(header)),
                ))
            }
            Some(Fault::ConnectionReset) => Err((Outcome::Fault(Fault::ConnectionReset), None)),
            Some(Fault::TruncatedBody | Fault::Slow) | None => Ok(()),
        }
    }

    /// `GET /v2/users`: `includeAvatars` and `cursor` from the query string.
    fn list_query(&self) -> Result<Query, Answer> {
        let include_avatars = match query_value(self.query, "includeAvatars") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(self.gong_error(
                    Outcome::BadRequest,
                    400,
                    "includeAvatars must be true or false",
                ));
            }
        };
        Ok(Query {
            include_avatars,
            filter: None,
            cursor: query_value(self.query, "cursor").map(str::to_owned),
        })
    }

    /// `POST /v2/users/extensive`: the cursor and the filter from the JSON body. A cursor in
    /// the query string is not read, as Gong does not: such a client gets the first page again.
    fn filter_query(&self) -> Result<Query, Answer> {
        let bad = |message: &str| self.gong_error(Outcome::BadRequest, 400, message);
        let body: Value = serde_json::from_slice(&self.request.body)
            .map_err(|_| bad("The request body must be a JSON object"))?;
        let Some(filter) = body.get("filter").filter(|f| f.is_object()) else {
            return Err(bad("filter is required"));
        };
        let time = |name: &str| match filter.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => DateTime::parse_from_rfc3339(text)
                .map(Some)
                .map_err(|_| bad(&format!("{name} must be ISO-8601 with an offset"))),
            Some(_) => Err(bad(&format!("{name} must be a string"))),
        };
        let user_ids = match filter.get("userIds") {
            None | Some(Value::Null) => None,
            Some(Value::Array(ids)) => Some(
                ids.iter()
                    .map(|id| id.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| bad("userIds must be strings"))?,
            ),
            Some(_) => return Err(bad("userIds must be an array")),
        };
        Ok(Query {
            include_avatars: filter.get("includeAvatars") == Some(&Value::Bool(true)),
            filter: Some(Filter {
                created_from: time("createdFromDateTime")?,
                created_to: time("createdToDateTime")?,
                user_ids,
                as_sent: filter.to_string(),
            }),
            cursor: body
                .get("cursor")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }

    /// The page a listing query asks for.
    fn listing_page(&self, query: &Query, fault: Option<Fault>) -> Result<Answer, Answer> {
        let state = self.state;
        let params = query.fingerprint();
        let offset = match &query.cursor {
            None => 0,
            Some(_) if state.config.ignore_cursor => 0,
            Some(cursor) => match state.cursors.check(cursor, params) {
                Ok(CursorState { offset, .. }) => offset,
                Err(error) => {
                    return Err(self.gong_error(Outcome::BadCursor, 400, error.message()));
                }
            },
        };
        let page_size = state.config.page_size;
        let page_number = offset / page_size;
        if *lock(&state.failing_page) == Some(page_number) {
            return Err(self.gong_error(Outcome::Fault(Fault::InternalError), 500, UNEXPECTED));
        }
        let listing: Vec<&str> = state
            .listing(query.include_avatars)
            .iter()
            .filter(|user| query.matches(user))
            .map(|user| user.json.as_str())
            .collect();
        let total = listing.len();
        if offset >= total {
            return Err(self.gong_error(Outcome::NoUsers, 404, NO_USERS));
        }
        if state.config.endless_page == Some(page_number) {
            let head = PageBody::new(self.request_id.as_str())
                .total_records(total)
                .page_number(page_number)
                .render();
            // The envelope without its closing `]}`: the users then never end.
            let head = head.trim_end_matches("]}").to_owned();
            return Ok((
                Outcome::Endless,
                Some(Response::endless(head, listing[0].to_owned())),
            ));
        }
        let end = (offset + page_size).min(total);
        let body = PageBody::new(self.request_id.as_str())
            .total_records(total)
            .page_number(page_number)
            .cursor(self.next_cursor(end, total, params))
            .users(&listing[offset..end]);
        let outcome = match fault {
            Some(fault) => Outcome::Fault(fault),
            None => Outcome::Page {
                offset,
                users: end - offset,
            },
        };
        Ok((outcome, Some(Response::json(200, body.render()))))
    }

    /// `POST /oauth2/generate-customer-token`: the app's Basic credentials, and
    /// `grant_type=refresh_token` with a `refresh_token` in the query string, no body (the shape
    /// Gong documents; a form body is refused with `invalid_request`). Queued faults first.
    fn refresh_token(&self) -> Answer {
        let oauth_error = |error: &str, description: &str| {
            json!({"error": error, "error_description": description}).to_string()
        };
        let (Some(config), Some(oauth)) = (&self.state.config.oauth, &self.state.oauth) else {
            return self.gong_error(Outcome::NotFound, 404, "No such endpoint");
        };
        let expected = format!("{}:{}", config.client_id, config.client_secret);
        let app_ok = self
            .request
            .authorization
            .as_deref()
            .and_then(|value| value.strip_prefix("Basic "))
            .and_then(|encoded| {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
            })
            .is_some_and(|decoded| decoded == expected.as_bytes());
        if !app_ok {
            let body = oauth_error("invalid_client", "Client authentication failed");
            return (Outcome::Unauthorized, Some(Response::json(401, body)));
        }
        if !self.request.body.is_empty() {
            let body = oauth_error(
                "invalid_request",
                "grant_type and refresh_token belong in the query string, with no body",
            );
            return (Outcome::TokenRefused, Some(Response::json(400, body)));
        }
        let fault = lock(&self.state.token_faults).pop_front();
        if fault == Some(TokenFault::BadGatewayBeforeRotation) {
            let page = Response::html(502, BAD_GATEWAY_HTML);
            return (Outcome::TokenBadGateway, Some(page));
        }
        let answer = lock(oauth).refresh(
            self.query,
            config,
            &format!("http://{}", self.request_host()),
            &mut lock(&self.state.rng),
        );
        match answer {
            Refresh::Issued(_) if fault == Some(TokenFault::AnswerLostAfterRotation) => {
                (Outcome::TokenAnswerLost, None)
            }
            Refresh::Issued(body) => (Outcome::TokenIssued, Some(Response::json(200, body))),
            Refresh::InvalidGrant => {
                let body = oauth_error(
                    "invalid_grant",
                    "The refresh token is invalid, expired, or was already used",
                );
                (Outcome::TokenRefused, Some(Response::json(400, body)))
            }
            Refresh::InvalidRequest => {
                let body = oauth_error(
                    "invalid_request",
                    "grant_type=refresh_token and refresh_token are required",
                );
                (Outcome::TokenRefused, Some(Response::json(400, body)))
            }
        }
    }

    /// The fake's own address, for `api_base_url_for_customer`.
    fn request_host(&self) -> String {
        self.state.address.to_string()
    }

    /// `GET /v2/users/{id}`.
    fn user(&self, id: &str) -> Result<Answer, Answer> {
        let Some(user) = self.state.user(id) else {
            return Err(self.gong_error(Outcome::UnknownUser, 404, USER_NOT_FOUND));
        };
        let body = format!(
            r#"{{"requestId":{},"user":{user}}}"#,
            json!(self.request_id)
        );
        Ok((Outcome::User, Some(Response::json(200, body))))
    }

    /// `GET /v2/users/{id}/settings-history`.
    fn history(&self, id: &str) -> Result<Answer, Answer> {
        let Some(user) = self.state.user(id) else {
            return Err(self.gong_error(Outcome::UnknownUser, 404, USER_NOT_FOUND));
        };
        let changes = settings_history(user, self.state.config.seed);
        let outcome = Outcome::History {
            changes: changes.as_array().map_or(0, Vec::len),
        };
        let body = format!(
            r#"{{"requestId":{},"userSettingsHistory":{changes}}}"#,
            json!(self.request_id)
        );
        Ok((outcome, Some(Response::json(200, body))))
    }

    /// The cursor of the page starting at `next`; `None` past the end. With `repeat_cursor`,
    /// the very same string every time, as a server that ignores the cursor sends.
    fn next_cursor(&self, next: usize, total: usize, params: u64) -> Option<String> {
        let state = self.state;
        let next = if state.config.repeat_cursor {
            state.config.page_size
        } else {
            next
        };
        if next >= total {
            return None;
        }
        let issue = || {
            state.cursors.issue(CursorState {
                offset: next,
                params,
            })
        };
        Some(if state.config.repeat_cursor {
            lock(&state.repeated_cursor)
                .get_or_insert_with(issue)
                .clone()
        } else {
            issue()
        })
    }
}

/// The operations FakeGong serves.
enum Route<'a> {
    /// `GET /v2/users`.
    List,
    /// `POST /v2/users/extensive`.
    ListByFilter,
    /// `GET /v2/users/{id}`.
    User(&'a str),
    /// `GET /v2/users/{id}/settings-history`.
    History(&'a str),
}

/// What a listing asks for, by either operation.
struct Query {
    include_avatars: bool,
    filter: Option<Filter>,
    cursor: Option<String>,
}

/// The filter of `POST /v2/users/extensive`.
struct Filter {
    created_from: Option<DateTime<FixedOffset>>,
    created_to: Option<DateTime<FixedOffset>>,
    user_ids: Option<Vec<String>>,
    /// The filter's JSON as sent (keys sorted): what a cursor is bound to.
    as_sent: String,
}

impl Query {
    /// What a cursor is issued for: the operation, `includeAvatars` and the filter as sent.
    fn fingerprint(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.include_avatars.hash(&mut hasher);
        self.filter.as_ref().map(|f| &f.as_sent).hash(&mut hasher);
        hasher.finish()
    }

    /// Whether the filter keeps `user`: created from (inclusive) to (exclusive), among the ids.
    fn matches(&self, user: &Listed) -> bool {
        let Some(filter) = &self.filter else {
            return true;
        };
        if let Some(ids) = &filter.user_ids
            && !user.id.as_ref().is_some_and(|id| ids.contains(id))
        {
            return false;
        }
        if filter.created_from.is_some() || filter.created_to.is_some() {
            let Some(created) = user.created else {
                return false;
            };
            if filter.created_from.is_some_and(|from| created < from)
                || filter.created_to.is_some_and(|to| created >= to)
            {
                return false;
            }
        }
        true
    }
}

/// The scheme the presented credentials were valid for, and for an OAuth access token the
/// refresh that issued it.
type Credentials = Result<(&'static str, Option<u64>), Rejected>;

/// Why credentials were refused.
enum Rejected {
    /// None, or not valid.
    Unknown,
    /// An access token this fake issued, expired.
    Expired,
}

fn authenticate(state: &State, authorization: Option<&str>) -> Credentials {
    let (scheme, value) = authorization
        .and_then(|a| a.split_once(' '))
        .ok_or(Rejected::Unknown)?;
    let (config, value) = (&state.config, value.trim());
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|_| Rejected::Unknown)?;
        let expected = format!("{}:{}", config.access_key, config.access_key_secret);
        return (decoded == expected.as_bytes())
            .then_some(("Basic", None))
            .ok_or(Rejected::Unknown);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Rejected::Unknown);
    }
    if value == config.bearer_token {
        return Ok(("Bearer", None));
    }
    match state
        .oauth
        .as_ref()
        .map(|oauth| lock(oauth).check_access(value))
    {
        Some(Ok(generation)) => Ok(("Bearer", Some(generation))),
        Some(Err(true)) => Err(Rejected::Expired),
        _ => Err(Rejected::Unknown),
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
