//! Fetching one page: rate-limit permit, the generated call, retries, and turning whatever came
//! back into a page (typed [`Page`] or [`RawPage`](crate::RawPage)) or a typed [`Error`].
//!
//! The body is decoded inside the retry loop, so a body cut short mid-JSON is retried like a
//! dropped connection.

use std::time::Instant;

use gong_users_sys::types::ErrorResponse;
use gong_users_sys::{RawResponse, fetch_raw};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tracing::Instrument as _;

use crate::Error;
use crate::client::ClientInner;
use crate::error::{ApiError, body_snippet};
use crate::events::Event;
use crate::listing_page::ListingPage;
use crate::retry::{Decision, parse_retry_after};

/// What a page request asks for.
#[derive(Clone, Debug, Default)]
pub(crate) struct PageRequest {
    pub(crate) cursor: Option<String>,
    pub(crate) include_avatars: Option<bool>,
}

/// Fetches one page, retrying per the client's policy.
pub(crate) async fn fetch_page<P: ListingPage>(
    client: &ClientInner,
    request: &PageRequest,
) -> Result<P, Error> {
    let span = tracing::info_span!(
        "gong_users.list_users",
        cursor = request.cursor.is_some(),
        include_avatars = request.include_avatars,
        attempts = tracing::field::Empty,
    );
    async {
        let mut attempt: u32 = 1;
        loop {
            if let Some(limiter) = &client.limiter {
                limiter.acquire(attempt, client.events.as_ref()).await;
            }
            let error = match attempt_once(client, request, attempt).await {
                Ok(page) => {
                    tracing::Span::current().record("attempts", attempt);
                    return Ok(page);
                }
                Err(error) => error,
            };
            match client.retry.decide(&error, attempt - 1) {
                Decision::GiveUp => {
                    tracing::Span::current().record("attempts", attempt);
                    return Err(error.with_attempts(attempt));
                }
                Decision::Retry { wait, reason } => {
                    tracing::warn!(
                        attempt,
                        %reason,
                        wait_ms = wait.as_millis() as u64,
                        error = %error,
                        "request failed; retrying"
                    );
                    if let Some(events) = &client.events {
                        events(&Event::Retrying {
                            attempt,
                            error: error.to_string(),
                        });
                        events(&Event::Waiting {
                            reason,
                            wait,
                            attempt: attempt + 1,
                        });
                    }
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }
    .instrument(span)
    .await
}

/// One HTTP request and the classification of its outcome.
async fn attempt_once<P: ListingPage>(
    client: &ClientInner,
    request: &PageRequest,
    attempt: u32,
) -> Result<P, Error> {
    let span = tracing::debug_span!(
        "gong_users.attempt",
        attempt,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    async {
        let mut call = client.raw.list_users();
        if let Some(cursor) = &request.cursor {
            call = call.cursor(cursor.as_str());
        }
        if let Some(include_avatars) = request.include_avatars {
            call = call.include_avatars(include_avatars);
        }
        let started = Instant::now();
        let result = fetch_raw(call.send()).await;
        let elapsed = started.elapsed();
        let span = tracing::Span::current();
        span.record("duration_ms", elapsed.as_millis() as u64);
        let raw = match &result {
            Ok(raw) => Some(raw),
            Err((_, raw)) => raw.as_ref(),
        };
        if let Some(raw) = raw {
            span.record("status", raw.status.as_u16());
            if let Some(events) = &client.events {
                events(&Event::Response {
                    status: raw.status,
                    attempt,
                    elapsed,
                });
            }
        }
        let raw_status = raw.map(|raw| raw.status.as_u16());
        let outcome = match result {
            Ok(raw) => P::decode(raw.status, raw.body),
            Err((error, raw)) => classify_failure(error, raw).map(P::no_users),
        };
        match &outcome {
            Ok(page) => {
                if let Some(id) = page.listing_request_id() {
                    span.record("request_id", id);
                }
                tracing::info!(
                    status = raw_status,
                    request_id = page.listing_request_id(),
                    users = page.user_count(),
                    duration_ms = elapsed.as_millis() as u64,
                    "page received"
                );
            }
            Err(error) => {
                if let Some(id) = error.request_id() {
                    span.record("request_id", id);
                }
                tracing::debug!(%error, "attempt failed");
            }
        }
        outcome
    }
    .instrument(span)
    .await
}

/// Turns a failed generated call, and the raw response behind it, into an error; or, for Gong's
/// 404 "No users found", into the `requestId` of an empty listing.
fn classify_failure(
    error: gong_users_sys::Error<ErrorResponse>,
    raw: Option<RawResponse>,
) -> Result<Option<String>, Error> {
    use gong_users_sys::Error as RawError;
    match error {
        RawError::ErrorResponse(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            let body = value.into_inner();
            if !is_gong_error_body(&body) {
                // Some other JSON (a gateway's `{"message": …}`): show it as it came.
                let raw_body = raw.as_ref().map(|raw| &raw.body[..]);
                return Err(api_error(status, headers, None, raw_body));
            }
            if status == StatusCode::NOT_FOUND {
                // Gong's list endpoints say "no users" with a 404, not an empty page.
                return Ok(body.request_id);
            }
            Err(api_error(status, headers, Some(body), None))
        }
        RawError::CommunicationError(source) | RawError::ResponseBodyError(source) => {
            Err(Error::from_reqwest(source))
        }
        RawError::InvalidResponsePayload(..) | RawError::UnexpectedResponse(_) => match raw {
            Some(raw) => {
                let body = serde_json::from_slice::<ErrorResponse>(&raw.body)
                    .ok()
                    .filter(is_gong_error_body);
                let snippet = body.is_none().then_some(&raw.body[..]);
                Err(api_error(raw.status, raw.headers, body, snippet))
            }
            None => Err(Error::Config(
                "an error status arrived but was not captured".into(),
            )),
        },
        other => Err(Error::Config(format!(
            "the request could not be built: {other}"
        ))),
    }
}

/// True when an error body is recognisably Gong's: it names a `requestId` or `errors`. An
/// arbitrary JSON object from something else (a gateway's `{"message": …}`) is not.
fn is_gong_error_body(body: &ErrorResponse) -> bool {
    body.request_id.is_some() || body.errors.is_some()
}

fn api_error(
    status: StatusCode,
    headers: HeaderMap,
    body: Option<ErrorResponse>,
    raw_body: Option<&[u8]>,
) -> Error {
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_retry_after);
    let (request_id, messages) = match body {
        Some(body) => (body.request_id, body.errors.unwrap_or_default()),
        None => (None, Vec::new()),
    };
    let body_snippet = raw_body.filter(|_| messages.is_empty()).map(|raw| {
        if raw.is_empty() {
            "(empty body)".to_owned()
        } else {
            body_snippet(raw)
        }
    });
    Error::Api(Box::new(ApiError {
        status,
        request_id,
        messages,
        retry_after,
        headers,
        body_snippet,
        attempts: 1,
        resume_cursor: None,
    }))
}
