//! Fetching one page: rate-limit permit, the generated call, retries, and turning whatever came
//! back into a [`Page`] or a typed [`Error`].

use std::time::Instant;

use gong_users_sys::types::{ErrorResponse, UsersMetadata};
use gong_users_sys::{RawResponse, ResponseValue, capture_raw_response};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tracing::Instrument as _;

use crate::client::ClientInner;
use crate::decode::{decode_error, decode_error_from};
use crate::error::{ApiError, body_snippet};
use crate::events::Event;
use crate::retry::{Decision, parse_retry_after};
use crate::{Error, Page};

/// What a page request asks for.
#[derive(Clone, Debug, Default)]
pub(crate) struct PageRequest {
    pub(crate) cursor: Option<String>,
    pub(crate) include_avatars: Option<bool>,
}

/// Fetches one page, retrying per the client's policy.
pub(crate) async fn fetch_page(client: &ClientInner, request: &PageRequest) -> Result<Page, Error> {
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
async fn attempt_once(
    client: &ClientInner,
    request: &PageRequest,
    attempt: u32,
) -> Result<Page, Error> {
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
        let (result, raw) = capture_raw_response(call.send()).await;
        let elapsed = started.elapsed();
        let span = tracing::Span::current();
        span.record("duration_ms", elapsed.as_millis() as u64);
        if let Some(raw) = &raw {
            span.record("status", raw.status.as_u16());
            if let Some(events) = &client.events {
                events(&Event::Response {
                    status: raw.status,
                    attempt,
                    elapsed,
                });
            }
        }
        let raw_status = raw.as_ref().map(|raw| raw.status.as_u16());
        let outcome = classify(result, raw);
        match &outcome {
            Ok(page) => {
                if let Some(id) = page.request_id() {
                    span.record("request_id", id);
                }
                tracing::info!(
                    status = raw_status,
                    request_id = page.request_id(),
                    users = page.users().len(),
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

type RawResult = Result<ResponseValue<UsersMetadata>, gong_users_sys::Error<ErrorResponse>>;

/// Turns the generated call's result, and the raw response behind it, into a page or an error.
fn classify(result: RawResult, raw: Option<RawResponse>) -> Result<Page, Error> {
    use gong_users_sys::Error as RawError;
    match result {
        Ok(value) => Ok(Page::from(value.into_inner())),
        Err(RawError::ErrorResponse(value)) => {
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
                return Ok(Page::empty(body.request_id));
            }
            Err(api_error(status, headers, Some(body), None))
        }
        Err(RawError::CommunicationError(source)) | Err(RawError::ResponseBodyError(source)) => {
            Err(Error::from_reqwest(source))
        }
        Err(RawError::InvalidResponsePayload(bytes, source)) => match raw {
            Some(raw) if !raw.status.is_success() => {
                Err(api_error(raw.status, raw.headers, None, Some(&raw.body)))
            }
            Some(raw) => Err(decode_error(raw.status, &raw.body)),
            None => Err(decode_error_from(StatusCode::OK, &bytes, &source)),
        },
        Err(RawError::UnexpectedResponse(response)) => match raw {
            Some(raw) => {
                let body = serde_json::from_slice::<ErrorResponse>(&raw.body)
                    .ok()
                    .filter(is_gong_error_body);
                let snippet = body.is_none().then_some(&raw.body[..]);
                Err(api_error(raw.status, raw.headers, body, snippet))
            }
            None => Err(api_error(
                response.status(),
                response.headers().clone(),
                None,
                None,
            )),
        },
        Err(other) => Err(Error::Config(format!(
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
