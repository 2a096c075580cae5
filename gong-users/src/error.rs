//! The one error type of the crate, with the questions a caller asks of a failure as methods.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// How many bytes of an unexpected body an error keeps, for its message.
pub(crate) const BODY_SNIPPET_LIMIT: usize = 512;

/// Everything that can go wrong while talking to Gong.
///
/// Match on the variant for detail, or ask the predicates: [`Error::status`],
/// [`Error::request_id`], [`Error::is_retryable`], [`Error::retry_after`] and
/// [`Error::resume_cursor`], the cursor from which a listing that failed can continue.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Gong, or a proxy in front of it, answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request could not be sent or its response not received (connection refused or reset,
    /// TLS failure, a body cut short).
    #[error("transport error talking to Gong: {}{}", error_chain(source), resume_note(resume_cursor.as_deref()))]
    Transport {
        /// The underlying HTTP client error.
        source: reqwest::Error,
        /// Where a listing that failed here can continue.
        resume_cursor: Option<String>,
    },
    /// Connecting or receiving the response took longer than the configured timeout.
    #[error("timed out waiting for Gong: {}{}", error_chain(source), resume_note(resume_cursor.as_deref()))]
    Timeout {
        /// The underlying HTTP client error.
        source: reqwest::Error,
        /// Where a listing that failed here can continue.
        resume_cursor: Option<String>,
    },
    /// A successful response whose body is not a page of users.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// Gong returned a cursor it had returned before: following it would loop over the same pages.
    #[error(
        "Gong returned the cursor {cursor:?} a second time{}; stopping instead of looping over the same page{}",
        request_id.as_deref().map(|id| format!(" (requestId {id})")).unwrap_or_default(),
        resume_note(resume_cursor.as_deref())
    )]
    RepeatedCursor {
        /// The cursor that came back again.
        cursor: String,
        /// The `requestId` of the response that repeated it.
        request_id: Option<String>,
        /// Where a listing that failed here can continue.
        resume_cursor: Option<String>,
    },
    /// Gong sent the same users as an earlier page of the listing, under a new cursor: the
    /// cursor is being ignored somewhere, and following it would loop forever.
    #[error(
        "Gong sent the same {users} users as an earlier page{}; stopping instead of looping{}",
        request_id.as_deref().map(|id| format!(" (requestId {id})")).unwrap_or_default(),
        resume_note(resume_cursor.as_deref())
    )]
    RepeatedPage {
        /// How many users the repeated page holds.
        users: usize,
        /// The `requestId` of the response that repeated the page.
        request_id: Option<String>,
        /// Where a listing that failed here can continue.
        resume_cursor: Option<String>,
    },
    /// The client is configured in a way that cannot work (missing credentials, an insecure URL).
    /// Raised before any request is sent.
    #[error("configuration error: {0}")]
    Config(String),
}

/// An error status from Gong or a proxy, with what Gong said about it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
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
    /// How many attempts were made before giving up.
    pub attempts: u32,
    /// Where a listing that failed here can continue.
    pub resume_cursor: Option<String>,
}

impl std::error::Error for ApiError {}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gong answered HTTP {}", self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, " (requestId {id})")?;
        }
        if !self.messages.is_empty() {
            write!(f, ": {}", self.messages.join("; "))?;
        } else if let Some(snippet) = &self.body_snippet {
            write!(f, " with a body that is not Gong's JSON: {snippet:?}")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; Retry-After {}s", wait.as_secs())?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        f.write_str(&resume_note(self.resume_cursor.as_deref()))
    }
}

/// A 2xx response whose body could not be decoded as a page of users.
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
    /// Where a listing that failed here can continue.
    pub resume_cursor: Option<String>,
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
        if let Some(id) = &self.request_id {
            write!(f, " (requestId {id})")?;
        }
        write!(
            f,
            " at `{}`: {}; body starts {:?}",
            self.path, self.message, self.body_snippet
        )?;
        f.write_str(&resume_note(self.resume_cursor.as_deref()))
    }
}

impl Error {
    /// The HTTP status, for errors that had one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode(decode) => Some(decode.status),
            _ => None,
        }
    }

    /// Gong's `requestId` for the failed request, to quote to Gong's support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::Decode(decode) => decode.request_id.as_deref(),
            Error::RepeatedCursor { request_id, .. } | Error::RepeatedPage { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again: 429, 500, 502, 503, 504, transport
    /// failures, timeouts and bodies cut short. Never 400, 401, 403 or a complete body that does
    /// not decode.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => is_retryable_status(api.status),
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Decode(decode) => decode.truncated,
            Error::RepeatedCursor { .. } | Error::RepeatedPage { .. } | Error::Config(_) => false,
        }
    }

    /// The wait the server asked for with `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// The cursor from which a listing that failed here can continue: pass it to
    /// [`ListUsers::cursor`](crate::ListUsers::cursor). `None` when the listing failed on its
    /// first page (start again from the beginning) or the error did not come from a listing.
    pub fn resume_cursor(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.resume_cursor.as_deref(),
            Error::Decode(decode) => decode.resume_cursor.as_deref(),
            Error::Transport { resume_cursor, .. }
            | Error::Timeout { resume_cursor, .. }
            | Error::RepeatedCursor { resume_cursor, .. }
            | Error::RepeatedPage { resume_cursor, .. } => resume_cursor.as_deref(),
            Error::Config(_) => None,
        }
    }

    /// True for 401 and 403: the credentials are wrong or lack the `api:users:read` scope.
    pub fn is_auth(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// True for 429: the rate limit was not cleared within the retry budget.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// True when Gong's response could not be used: a body that does not decode, a cursor or
    /// a page that repeats.
    pub fn is_bad_response(&self) -> bool {
        matches!(
            self,
            Error::Decode(_) | Error::RepeatedCursor { .. } | Error::RepeatedPage { .. }
        )
    }

    /// Records where the listing that hit this error can continue.
    pub(crate) fn with_resume_cursor(mut self, cursor: Option<&str>) -> Self {
        let cursor = cursor.map(str::to_owned);
        match &mut self {
            Error::Api(api) => api.resume_cursor = cursor,
            Error::Decode(decode) => decode.resume_cursor = cursor,
            Error::Transport { resume_cursor, .. }
            | Error::Timeout { resume_cursor, .. }
            | Error::RepeatedCursor { resume_cursor, .. }
            | Error::RepeatedPage { resume_cursor, .. } => *resume_cursor = cursor,
            Error::Config(_) => {}
        }
        self
    }

    /// Records how many attempts were made.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        if let Error::Api(api) = &mut self {
            api.attempts = attempts;
        }
        self
    }

    /// A transport or timeout error from the HTTP client.
    pub(crate) fn from_reqwest(source: reqwest::Error) -> Self {
        if source.is_timeout() {
            Error::Timeout {
                source,
                resume_cursor: None,
            }
        } else {
            Error::Transport {
                source,
                resume_cursor: None,
            }
        }
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

/// " (resume with --cursor …)": said on every error that has a resume point.
fn resume_note(cursor: Option<&str>) -> String {
    cursor
        .map(|cursor| format!("; the listing can resume from cursor {cursor:?}"))
        .unwrap_or_default()
}

/// An error and its sources, joined with ": " (reqwest's own Display leaves the cause out).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
