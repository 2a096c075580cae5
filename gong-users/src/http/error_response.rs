//! Reading an error response: Gong's own `{"requestId", "errors"}` body, or whatever a proxy sent.
//!
//! This is the one place an error body is decoded, for every operation.

use gong_users_sys::types::ErrorResponse;
use reqwest::header::RETRY_AFTER;

use crate::error::{ApiError, body_snippet};
use crate::http::retry::parse_retry_after;
use crate::http::transport::HttpResponse;

/// The [`ApiError`] for a response with an error status, from a request to `url`.
pub(crate) fn api_error(response: HttpResponse, url: String) -> ApiError {
    let retry_after = response
        .headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_retry_after);
    let (request_id, messages, body_snippet) = match gong_error_body(&response.body) {
        Some(body) => (body.request_id, body.errors.unwrap_or_default(), None),
        None if response.body.is_empty() => (None, Vec::new(), Some("(empty body)".to_owned())),
        None => (None, Vec::new(), Some(body_snippet(&response.body))),
    };
    ApiError {
        status: response.status,
        url,
        request_id,
        messages,
        retry_after,
        headers: response.headers,
        body_snippet,
    }
}

/// Gong's error body, when `body` is one: JSON naming a `requestId` or `errors`. Some other JSON
/// (a gateway's `{"message": …}`) is not.
fn gong_error_body(body: &[u8]) -> Option<ErrorResponse> {
    serde_json::from_slice::<ErrorResponse>(body)
        .ok()
        .filter(|body| body.request_id.is_some() || body.errors.is_some())
}
