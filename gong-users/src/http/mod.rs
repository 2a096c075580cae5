//! Talking HTTP to Gong, below any operation: TLS, the rules a URL must follow, one bounded
//! request, reading an error response, the retry policy and the client-side rate limit.

pub(crate) mod budget;
pub(crate) mod error_response;
pub(crate) mod gate;
pub(crate) mod rate_limit;
pub(crate) mod retry;
#[cfg(feature = "redis")]
pub(crate) mod shared;
pub(crate) mod tls;
pub(crate) mod transport;
pub(crate) mod url;
