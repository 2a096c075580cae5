//! The one error type of the crate: what happened ([`ErrorKind`]), and beside it the context of
//! the operation that failed (how many attempts, where a listing can resume).
//!
//! The context is held once, in [`Error`], rather than copied into every variant, so a new kind
//! of failure is one new variant and nothing else.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// How many bytes of an unexpected body an error keeps, for its message.
pub(crate) const BODY_SNIPPET_LIMIT: usize = 512;

/// Everything that can go wrong while talking to Gong.
///
/// Ask it what happened with the predicates ([`Error::status`], [`Error::is_not_found`],
/// [`Error::is_retryable`], [`Error::retry_after`], …) or match on [`Error::kind`] for detail.
/// [`Error::resume_cursor`] says where a listing that failed can continue.
///
/// ```
/// # fn demo(error: gong_users::Error) {
/// use gong_users::ErrorKind;
/// match error.kind() {
///     ErrorKind::Api(api) if api.status == 404 => println!("not found: {:?}", api.messages),
///     _ if error.is_retryable() => println!("try again later: {error}"),
///     _ => println!("failed: {error}"),
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    attempts: u32,
    resume_cursor: Option<String>,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Gong, or a proxy in front of it, answered with an error status.
    #[error(transparent)]
    Api(ApiError),
    /// The request could not be sent or its response not received (connection refused or reset,
    /// TLS failure, a body cut short). The cause is the error's [`source`](std::error::Error::source).
    #[error("the request to Gong failed in transport")]
    Transport(#[source] reqwest::Error),
    /// Connecting or receiving the response took longer than the configured timeout.
    #[error("timed out waiting for Gong")]
    Timeout(#[source] reqwest::Error),
    /// A successful response whose body is not what the operation returns.
    #[error(transparent)]
    Decode(DecodeError),
    /// A response body larger than [`ClientBuilder::max_body_bytes`](crate::ClientBuilder::max_body_bytes):
    /// refused before it was read (by its `Content-Length`) or as soon as it passed the bound.
    #[error(
        "Gong's response body is larger than the {limit}-byte bound{}; it was not read further \
         (raise it with ClientBuilder::max_body_bytes if this is expected)",
        content_length.map(|length| format!(" (Content-Length {length})")).unwrap_or_default()
    )]
    BodyTooLarge {
        /// The bound, in bytes.
        limit: u64,
        /// The `Content-Length` the server announced, when it announced one.
        content_length: Option<u64>,
    },
    /// Gong returned a cursor it had returned before: following it would loop over the same pages.
    #[error(
        "Gong returned the cursor {cursor:?} a second time{}; stopping instead of looping over the same page",
        request_id_note(request_id.as_deref())
    )]
    RepeatedCursor {
        /// The cursor that came back again.
        cursor: String,
        /// The `requestId` of the response that repeated it.
        request_id: Option<String>,
    },
    /// Gong sent the same users as an earlier page of the listing, under a new cursor: the
    /// cursor is being ignored somewhere, and following it would loop forever.
    #[error(
        "Gong sent the same {users} users as an earlier page{}; stopping instead of looping",
        request_id_note(request_id.as_deref())
    )]
    RepeatedPage {
        /// How many users the repeated page holds.
        users: usize,
        /// The `requestId` of the response that repeated the page.
        request_id: Option<String>,
    },
    /// Users asked for by id that Gong does not have (from
    /// [`UsersByIds::into_all`](crate::UsersByIds::into_all)).
    #[error("Gong has no user with {} of the ids asked for: {}", ids.len(), ids.join(", "))]
    UsersNotFound {
        /// The ids not found, in the order they were asked for.
        ids: Vec<String>,
    },
    /// Gong's token endpoint refused the refresh token (`invalid_grant`, 400 or 401): it was
    /// used already, or revoked. Only re-authorizing the app gives a new one. Not retried.
    #[error(
        "Gong refused the OAuth refresh token (HTTP {status}{}{}): the app must be re-authorized \
         for this customer to get a new one",
        reason.as_deref().map(|r| format!(", {r}")).unwrap_or_default(),
        description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
    )]
    ReauthorizationRequired {
        /// The token endpoint's status.
        status: StatusCode,
        /// The OAuth `error` (`invalid_grant`, …), when it sent one.
        reason: Option<String>,
        /// The OAuth `error_description`, when it sent one.
        description: Option<String>,
    },
    /// Gong's token endpoint refused the refresh token after an earlier attempt of the same
    /// refresh may have reached it (it timed out, the connection was cut, or a proxy answered
    /// 5xx): that attempt most likely rotated the token and its answer, with the new refresh
    /// token, was lost on the way back. Only re-authorizing the app gives a new one. Not retried.
    #[error(
        "Gong refused the OAuth refresh token (HTTP {status}{}{}) after an earlier attempt of the \
         same refresh failed on the way ({earlier}): that attempt most likely rotated the token \
         and its answer was lost; the app must be re-authorized for this customer",
        reason.as_deref().map(|r| format!(", {r}")).unwrap_or_default(),
        description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
    )]
    RefreshAnswerLost {
        /// The token endpoint's status on the last attempt.
        status: StatusCode,
        /// The OAuth `error` (`invalid_grant`, …), when it sent one.
        reason: Option<String>,
        /// The OAuth `error_description`, when it sent one.
        description: Option<String>,
        /// What happened to the earlier attempt.
        earlier: String,
    },
    /// The daily budget of requests ([`ClientBuilder::daily_quota`](crate::ClientBuilder::daily_quota),
    /// Gong's 10,000 in 24 hours by default) is spent, in this process or, with shared state,
    /// by the company's fleet: no request was sent. [`Error::retry_after`] says when the budget
    /// frees. Not retried.
    #[error(
        "the daily budget of {budget} requests is spent; the next request frees in {}",
        human_wait(*frees_in)
    )]
    QuotaExhausted {
        /// The budget, requests in 24 hours.
        budget: u32,
        /// How long until the oldest request of the window leaves it.
        frees_in: Duration,
    },
    /// The shared state (Redis) a fleet paces itself with failed mid-run (a dropped
    /// connection, a timeout). Retried like a network error.
    #[error("the shared state (Redis) failed: {0}")]
    SharedState(String),
    /// A background task of the client ended without finishing its work: it panicked (in the
    /// client, or in an [`on_event`](crate::ClientBuilder::on_event) callback) or its runtime
    /// shut down. A listing that meets this did not end: [`Error::resume_cursor`] says where
    /// to continue.
    #[error(
        "the client's {task} task ended before finishing its work (it panicked or was aborted)"
    )]
    TaskFailed {
        /// Which task: `"page fetching"`, `"OAuth token refresh"`.
        task: &'static str,
    },
    /// The generated code could not turn the operation's parameters into a request (a user id
    /// that is not 1 to 20 digits, say). Raised before anything is sent.
    #[error("the request could not be built: {0}")]
    InvalidRequest(String),
    /// The client was configured in a way that cannot work. Raised only while building a
    /// client, never by a request.
    #[error(transparent)]
    Config(ConfigError),
}

/// A client configuration that cannot work, found while building it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A client was built without credentials ([`ClientBuilder::credentials`](crate::ClientBuilder::credentials)).
    #[error(
        "no Gong credentials: give them with ClientBuilder::credentials (or build from the environment with ClientBuilder::from_env)"
    )]
    MissingCredentials,
    /// The environment holds no credentials: `ways` names every way to give them.
    #[error("no Gong credentials in the environment: set {ways}")]
    NoCredentialsInEnvironment {
        /// The variables to set, each way of giving credentials.
        ways: &'static str,
    },
    /// One variable of a pair was set without the other.
    #[error("{set} is set but {missing} is not")]
    IncompleteCredentials {
        /// The variable that is set.
        set: &'static str,
        /// The variable that is missing.
        missing: &'static str,
    },
    /// The credentials hold characters an HTTP header cannot carry.
    #[error("the credentials contain characters not allowed in an HTTP header")]
    InvalidCredentials,
    /// The base URL does not parse, or has parts a base URL must not have.
    #[error("base URL {url:?} {problem}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A plain `http://` base URL to a host that is not this machine.
    #[error(
        "refusing plain http:// to {host}: credentials would travel unencrypted; use https:// \
         (http:// is allowed only for 127.0.0.0/8, ::1 and localhost)"
    )]
    InsecureBaseUrl {
        /// The host named.
        host: String,
    },
    /// A base URL that ends in Gong's `/v2`: the client adds `/v2/users` itself.
    #[error(
        "base URL {url:?} ends in /v2, but the client adds /v2/users itself (it would ask for \
         /v2/v2/users); use {suggestion:?}"
    )]
    VersionedBaseUrl {
        /// The URL as given.
        url: String,
        /// The same URL without `/v2`.
        suggestion: String,
    },
    /// A setting from the environment that does not parse.
    #[error("{name}: {problem}")]
    InvalidSetting {
        /// The variable.
        name: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// The shared state (Redis) could not be reached or used when the client started: the
    /// server named (never its password), and why.
    #[error("the shared state at {server} could not be used: {reason}")]
    SharedState {
        /// `host:port` (or the socket path) of the server.
        server: String,
        /// What went wrong.
        reason: String,
    },
    /// The TLS configuration could not be built (the platform's certificate roots did not load,
    /// say).
    #[error("TLS could not be set up: {0}")]
    Tls(String),
    /// The HTTP client could not be built (its TLS backend failed to load, say).
    #[error("the HTTP client could not be built")]
    HttpClient(#[source] reqwest::Error),
}

/// An error status from Gong or a proxy, with what Gong said about it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The URL asked, without its query.
    pub url: String,
    /// Gong's `requestId`, when the body was Gong's JSON error.
    pub request_id: Option<String>,
    /// Gong's `errors` messages, when the body was Gong's JSON error.
    pub messages: Vec<String>,
    /// The wait the server asked for in `Retry-After`, seconds or HTTP date.
    pub retry_after: Option<Duration>,
    /// The response headers.
    pub headers: HeaderMap,
    /// The start of the body when it was not Gong's JSON error (an HTML page from a proxy, say).
    pub body_snippet: Option<String>,
}

impl ApiError {
    /// True when the body was Gong's own JSON error (`{"requestId", "errors"}`), not a proxy's
    /// page or some other JSON.
    pub fn is_gong_error(&self) -> bool {
        self.body_snippet.is_none()
    }
}

impl std::error::Error for ApiError {}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gong answered HTTP {} for {}", self.status, self.url)?;
        f.write_str(&request_id_note(self.request_id.as_deref()))?;
        if !self.messages.is_empty() {
            write!(f, ": {}", self.messages.join("; "))?;
        } else if let Some(snippet) = &self.body_snippet {
            write!(f, " with a body that is not Gong's JSON: {snippet:?}")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; Retry-After {}s", wait.as_secs())?;
        }
        Ok(())
    }
}

/// A 2xx response whose body could not be decoded.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status (a 2xx).
    pub status: StatusCode,
    /// Gong's `requestId`, when the body had one that could be read.
    pub request_id: Option<String>,
    /// The JSON path of the value that failed, such as `users[3].settings.emailsImported`.
    pub path: String,
    /// What was wrong there.
    pub message: String,
    /// The start of the body, bounded.
    pub body_snippet: String,
    /// True when the body ended in the middle of the JSON: a body cut short, worth retrying.
    pub truncated: bool,
}

impl std::error::Error for DecodeError {}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.truncated {
            "was cut short"
        } else {
            "could not be decoded"
        };
        write!(f, "the HTTP {} response from Gong {what}", self.status)?;
        f.write_str(&request_id_note(self.request_id.as_deref()))?;
        write!(
            f,
            " at `{}`: {}; body starts {:?}",
            self.path, self.message, self.body_snippet
        )
    }
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// What went wrong, owned.
    pub fn into_kind(self) -> ErrorKind {
        self.inner.kind
    }

    /// How many attempts were made before giving up (1 when the first attempt's failure was
    /// final; 0 for a configuration error, raised before any request).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The cursor from which a listing that failed here can continue: pass it to
    /// [`ListUsers::cursor`](crate::ListUsers::cursor). `None` when the listing failed on its
    /// first page (start again from the beginning) or the error did not come from a listing.
    pub fn resume_cursor(&self) -> Option<&str> {
        self.inner.resume_cursor.as_deref()
    }

    /// The error status Gong (or a proxy) answered with, when that is what went wrong.
    pub fn api(&self) -> Option<&ApiError> {
        match &self.inner.kind {
            ErrorKind::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The HTTP status, for errors that had one.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.inner.kind {
            ErrorKind::Api(api) => Some(api.status),
            ErrorKind::Decode(decode) => Some(decode.status),
            _ => None,
        }
    }

    /// Gong's `requestId` for the failed request, to quote to Gong's support.
    pub fn request_id(&self) -> Option<&str> {
        match &self.inner.kind {
            ErrorKind::Api(api) => api.request_id.as_deref(),
            ErrorKind::Decode(decode) => decode.request_id.as_deref(),
            ErrorKind::RepeatedCursor { request_id, .. }
            | ErrorKind::RepeatedPage { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again: 429, 500, 502, 503, 504, transport
    /// failures, timeouts and bodies cut short. Never 400, 401, 403, 404, a complete body that
    /// does not decode, or one over the size bound.
    pub fn is_retryable(&self) -> bool {
        match &self.inner.kind {
            ErrorKind::Api(api) => is_retryable_status(api.status),
            ErrorKind::Transport(_) | ErrorKind::Timeout(_) | ErrorKind::SharedState(_) => true,
            ErrorKind::Decode(decode) => decode.truncated,
            _ => false,
        }
    }

    /// The wait the server asked for with `Retry-After`; for a spent daily budget
    /// ([`Error::is_quota_exhausted`]), how long until it frees.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.inner.kind {
            ErrorKind::QuotaExhausted { frees_in, .. } => Some(*frees_in),
            _ => self.api().and_then(|api| api.retry_after),
        }
    }

    /// True when the daily budget is spent ([`ErrorKind::QuotaExhausted`]): no request was
    /// sent; [`Error::retry_after`] says when the budget frees.
    pub fn is_quota_exhausted(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::QuotaExhausted { .. })
    }

    /// True for 401 and 403 (the credentials are wrong or lack the `api:users:read` scope) and
    /// for a refused OAuth refresh token ([`ErrorKind::ReauthorizationRequired`]).
    pub fn is_auth(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        ) || matches!(
            self.inner.kind,
            ErrorKind::ReauthorizationRequired { .. } | ErrorKind::RefreshAnswerLost { .. }
        )
    }

    /// True for 404 (an unknown user id; a later page of a listing that is gone; never for a
    /// listing's first page, where Gong's 404 means "no users") and for
    /// [`ErrorKind::UsersNotFound`].
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
            || matches!(self.inner.kind, ErrorKind::UsersNotFound { .. })
    }

    /// True when Gong refused a listing's cursor as expired (`400 {"errors":["cursor has
    /// expired"]}`): Gong's cursors are signed tokens with a lifetime it does not publish. Such a
    /// cursor cannot be resumed from; list again from the first page. (A listing that started
    /// from the first page restarts by itself, see [`ListUsers::pages`](crate::ListUsers::pages).)
    pub fn is_cursor_expired(&self) -> bool {
        self.api().is_some_and(|api| {
            api.status == StatusCode::BAD_REQUEST
                && api.messages.iter().any(|message| {
                    let message = message.to_ascii_lowercase();
                    message.contains("cursor") && message.contains("expired")
                })
        })
    }

    /// True for 429: the rate limit was not cleared within the retry budget.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Timeout(_))
    }

    /// True for a configuration error, raised while building a client.
    pub fn is_config(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Config(_))
    }

    /// True when Gong's response could not be used: a body that does not decode or is over the
    /// size bound, a cursor or a page that repeats, a 404 in the middle of a listing or one that
    /// is not Gong's JSON (a proxy's page), a cursor that expired.
    pub fn is_bad_response(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Decode(_)
                | ErrorKind::BodyTooLarge { .. }
                | ErrorKind::RepeatedCursor { .. }
                | ErrorKind::RepeatedPage { .. }
        ) || (self.is_not_found()
            && (self.inner.resume_cursor.is_some()
                || self.api().is_some_and(|api| !api.is_gong_error())))
            || self.is_cursor_expired()
    }

    /// Records where the listing that hit this error can continue.
    pub(crate) fn with_resume_cursor(mut self, cursor: Option<&str>) -> Self {
        self.inner.resume_cursor = cursor.map(str::to_owned);
        self
    }

    /// Records how many attempts were made.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// The same error with no URL in a transport or timeout cause: for requests whose URL holds
    /// a secret (the OAuth token request).
    pub(crate) fn without_url(mut self) -> Self {
        let kind = std::mem::replace(
            &mut self.inner.kind,
            ErrorKind::InvalidRequest(String::new()),
        );
        self.inner.kind = match kind {
            ErrorKind::Transport(source) => ErrorKind::Transport(source.without_url()),
            ErrorKind::Timeout(source) => ErrorKind::Timeout(source.without_url()),
            other => other,
        };
        self
    }

    /// A transport or timeout error from the HTTP client.
    pub(crate) fn from_reqwest(source: reqwest::Error) -> Self {
        if source.is_timeout() {
            ErrorKind::Timeout(source).into()
        } else {
            ErrorKind::Transport(source).into()
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        let attempts = u32::from(!matches!(kind, ErrorKind::Config(_)));
        Self {
            inner: Box::new(Inner {
                kind,
                attempts,
                resume_cursor: None,
            }),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        ErrorKind::Config(error).into()
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        ErrorKind::Api(error).into()
    }
}

impl From<DecodeError> for Error {
    fn from(error: DecodeError) -> Self {
        ErrorKind::Decode(error).into()
    }
}

impl fmt::Display for Error {
    /// What happened, then the attempts made and where a listing can resume. The cause of a
    /// transport failure is left to [`source`](std::error::Error::source), so a reporter that
    /// walks the chain prints it once.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner.kind, f)?;
        if self.inner.attempts > 1 {
            write!(f, " (after {} attempts)", self.inner.attempts)?;
        }
        if let Some(cursor) = &self.inner.resume_cursor {
            write!(f, "; the listing can resume from cursor {cursor:?}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("attempts", &self.inner.attempts)
            .field("resume_cursor", &self.inner.resume_cursor)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.inner.kind)
    }
}

/// A wait as people read it: `3h 12m`, `4m 05s`, `12s`.
fn human_wait(wait: Duration) -> String {
    let seconds = wait.as_secs();
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m {:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h {:02}m", seconds / 3600, seconds % 3600 / 60),
    }
}

/// The statuses worth sending the same request again for.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// At most `BODY_SNIPPET_LIMIT` bytes of a body as text, cut at a character boundary.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_SNIPPET_LIMIT)]);
    let mut snippet = text.trim_end_matches('\u{FFFD}').to_owned();
    if body.len() > BODY_SNIPPET_LIMIT {
        snippet.push('…');
    }
    snippet
}

fn request_id_note(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (requestId {id})"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_the_cause_to_source() {
        // A ConfigError with a source shows how every sourced kind behaves.
        let error = Error::from(ErrorKind::RepeatedCursor {
            cursor: "c".into(),
            request_id: Some("r1".into()),
        })
        .with_attempts(3)
        .with_resume_cursor(Some("c0"));
        assert_eq!(
            error.to_string(),
            "Gong returned the cursor \"c\" a second time (requestId r1); stopping instead of \
             looping over the same page (after 3 attempts); the listing can resume from cursor \"c0\""
        );
        assert!(std::error::Error::source(&error).is_none());
        assert!(error.is_bad_response());
        assert_eq!(error.request_id(), Some("r1"));
    }

    #[test]
    fn a_config_error_counts_no_attempt() {
        let error = Error::from(ConfigError::MissingCredentials);
        assert_eq!(error.attempts(), 0);
        assert!(error.is_config());
        assert!(!error.is_retryable());
    }
}
