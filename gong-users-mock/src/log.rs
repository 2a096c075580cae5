//! The record of every request FakeGong received, for assertions.

use std::time::Duration;

use crate::Fault;

/// One request as FakeGong saw it and what it answered.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    /// When it arrived, since the server started.
    pub at: Duration,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The request body as text (empty when there was none).
    pub body: String,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// The authentication scheme that was presented and accepted ("Basic" or "Bearer"); `None`
    /// when no valid credentials came. The credentials themselves are never recorded.
    pub auth_scheme: Option<&'static str>,
    /// For a request authenticated with an OAuth access token: the refresh that issued it
    /// (1 for the first). Never the token itself.
    pub token_generation: Option<u64>,
    /// What FakeGong answered.
    pub outcome: Outcome,
}

impl RecordedRequest {
    /// The value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The HTTP status answered; `None` for a reset connection.
    pub fn status(&self) -> Option<u16> {
        self.outcome.status()
    }
}

/// What FakeGong answered to one request.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// 200 with the page starting at `offset`, holding `users` users.
    Page {
        /// Index of the page's first user in the listing.
        offset: usize,
        /// How many users the page holds.
        users: usize,
    },
    /// 404 with Gong's "No users found" body: the listing is empty.
    NoUsers,
    /// 401: missing or wrong credentials.
    Unauthorized,
    /// 400: a cursor that is malformed, expired, or issued for other parameters.
    BadCursor,
    /// 429 with `Retry-After`.
    RateLimited {
        /// The `Retry-After` seconds sent.
        retry_after: u64,
    },
    /// An injected fault.
    Fault(Fault),
    /// No such endpoint.
    NotFound,
    /// 200 with a body that never ends ([`FakeGongBuilder::endless_page`](crate::FakeGongBuilder::endless_page)).
    Endless,
    /// 200 with one user (`GET /v2/users/{id}`).
    User,
    /// 200 with a user's settings history, holding `changes` changes.
    History {
        /// How many changes it holds.
        changes: usize,
    },
    /// 404 "User not found" for an id FakeGong does not have.
    UnknownUser,
    /// 200 from the token endpoint: a refresh granted.
    TokenIssued,
    /// 400 `invalid_grant` (or `invalid_request`) from the token endpoint.
    TokenRefused,
    /// The token endpoint rotated the tokens, then reset the connection instead of answering
    /// ([`TokenFault::AnswerLostAfterRotation`](crate::TokenFault::AnswerLostAfterRotation)).
    TokenAnswerLost,
    /// 502 from the token endpoint before any rotation
    /// ([`TokenFault::BadGatewayBeforeRotation`](crate::TokenFault::BadGatewayBeforeRotation)).
    TokenBadGateway,
    /// 400 for a malformed request other than its cursor (a body that is not JSON, a time
    /// without an offset).
    BadRequest,
}

impl Outcome {
    /// The HTTP status answered; `None` for a reset connection.
    pub fn status(&self) -> Option<u16> {
        Some(match self {
            Outcome::Page { .. } | Outcome::Endless | Outcome::User | Outcome::History { .. } => {
                200
            }
            Outcome::NoUsers | Outcome::NotFound | Outcome::UnknownUser => 404,
            Outcome::Unauthorized => 401,
            Outcome::BadCursor | Outcome::BadRequest | Outcome::TokenRefused => 400,
            Outcome::TokenIssued => 200,
            Outcome::TokenBadGateway => 502,
            Outcome::TokenAnswerLost => return None,
            Outcome::RateLimited { .. } => 429,
            Outcome::Fault(Fault::InternalError) => 500,
            Outcome::Fault(Fault::BadGatewayHtml) => 502,
            Outcome::Fault(Fault::Unavailable) => 503,
            Outcome::Fault(Fault::TruncatedBody | Fault::Slow) => 200,
            Outcome::Fault(Fault::ConnectionReset) => return None,
        })
    }
}
