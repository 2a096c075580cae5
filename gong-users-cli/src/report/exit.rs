//! Exit statuses, so scripts can tell failures apart without reading stderr.

use std::process::ExitCode;

use gong_users::{Error, ErrorKind};

/// Success.
pub const OK: u8 = 0;
/// Anything not named below.
pub const OTHER: u8 = 1;
/// Usage or configuration: missing credentials, an insecure URL, a bad flag (clap uses 2 too).
pub const CONFIG: u8 = 2;
/// Authentication or permission: 401 or 403.
pub const AUTH: u8 = 3;
/// The rate limit was not cleared within the retry budget, or the daily budget is spent.
pub const RATE_LIMITED: u8 = 4;
/// Gong's response could not be used: a body that does not decode or is over the size bound, a
/// repeated cursor or page, a 404 in the middle of a listing.
pub const BAD_RESPONSE: u8 = 5;

/// A user id that Gong does not have (`get`, `history`).
pub const NOT_FOUND: u8 = 6;

/// The exit status for a failure.
pub fn for_error(error: &Error) -> ExitCode {
    ExitCode::from(
        if error.is_config() || matches!(error.kind(), ErrorKind::InvalidRequest(_)) {
            CONFIG
        } else if error.is_auth() {
            AUTH
        } else if error.is_rate_limited() || error.is_quota_exhausted() {
            RATE_LIMITED
        } else if error.is_bad_response() {
            BAD_RESPONSE
        } else {
            OTHER
        },
    )
}
