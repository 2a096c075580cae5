//! The one send path every operation takes:
//! limiter permit → the generated request → credentials → send, body bounded → classify the
//! status (one decoder of Gong's error body) → retry decision → the operation's decode.
//!
//! An operation is a [`Operation`]: how the generated client builds its request, and how a 2xx
//! body decodes. Everything else (rate limit, auth, retries, bounded bodies, typed errors,
//! tracing, events) is here, once. The body is decoded inside the retry loop, so a body cut
//! short mid-JSON is retried like a dropped connection.

use std::future::Future;
use std::time::Instant;

use bytes::Bytes;
use gong_users_sys::types::ErrorResponse;
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use tracing::Instrument as _;

use crate::Error;
use crate::auth::oauth::Authorization;
use crate::client::ClientInner;
use crate::error::ErrorKind;
use crate::events::Event;
use crate::http::error_response::api_error;
use crate::http::retry::Decision;
use crate::http::transport::send_bounded;

/// What building an operation's request gives: the request, or the generated call's error.
pub(crate) type BuiltRequest = Result<reqwest::Request, gong_users_sys::Error<ErrorResponse>>;

/// One of Gong's operations, as the send path needs it.
pub(crate) trait Operation: Sync {
    /// What a successful response decodes to.
    type Output: Send;

    /// The operation's name, for spans and logs.
    const NAME: &'static str;

    /// Builds the request with the generated client and [`gong_users_sys::build_request`]
    /// (the credentials are added after).
    fn build(&self, raw: &gong_users_sys::Client) -> impl Future<Output = BuiltRequest> + Send;

    /// Decodes a 2xx body.
    fn decode(&self, status: StatusCode, body: Bytes) -> Result<Self::Output, Error>;
}

/// Sends `operation`, retrying per the client's policy.
pub(crate) async fn send<O: Operation>(
    client: &ClientInner,
    operation: &O,
) -> Result<O::Output, Error> {
    let span = tracing::info_span!(
        "gong_users.request",
        operation = O::NAME,
        attempts = tracing::field::Empty,
    );
    async {
        let mut attempt: u32 = 1;
        let mut reauthorized = false;
        loop {
            // The pace and the daily budget; a shared state that fails is retried below like
            // a network error, a spent budget is not.
            if let Err(error) = client.gate.admit(attempt, client.events.as_ref()).await {
                match client.retry.decide(&error, attempt - 1) {
                    Decision::GiveUp => return Err(error.with_attempts(attempt)),
                    Decision::Retry { wait, .. } => {
                        tracing::warn!(attempt, %error, "the shared state failed; retrying");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                }
            }
            let authorization = client.auth.authorization().await?;
            let mut error = match attempt_once(client, operation, attempt, &authorization).await {
                Ok(output) => {
                    tracing::Span::current().record("attempts", attempt);
                    return Ok(output);
                }
                Err(error) => error,
            };
            // A 401 with OAuth: the access token may have expired in flight. One refresh, and
            // one more try of this request, at once.
            if error.status() == Some(reqwest::StatusCode::UNAUTHORIZED)
                && !reauthorized
                && let Some(refreshed) = client.auth.after_unauthorized(&authorization.header).await
            {
                reauthorized = true;
                match refreshed {
                    Ok(_) => {
                        tracing::info!(attempt, "401 with an OAuth token: refreshed, trying again");
                        attempt += 1;
                        continue;
                    }
                    Err(refresh_error) => error = refresh_error,
                }
            }
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
                    client.emit(&Event::Retrying {
                        attempt,
                        error: error.to_string(),
                    });
                    client.emit(&Event::Waiting {
                        reason,
                        wait,
                        attempt: attempt + 1,
                    });
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
async fn attempt_once<O: Operation>(
    client: &ClientInner,
    operation: &O,
    attempt: u32,
    authorization: &Authorization,
) -> Result<O::Output, Error> {
    let span = tracing::debug_span!(
        "gong_users.attempt",
        attempt,
        status = tracing::field::Empty,
        bytes = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    async {
        let mut request = operation
            .build(&client.raw)
            .await
            .map_err(|error| ErrorKind::InvalidRequest(error.to_string()))?;
        request
            .headers_mut()
            .insert(AUTHORIZATION, authorization.header.clone());
        if let Some(api_base) = &authorization.api_base {
            to_customer_host(client, &mut request, api_base);
        }
        let mut url = request.url().clone();
        url.set_query(None);
        let started = Instant::now();
        let sent = send_bounded(&client.http, request, client.max_body_bytes).await;
        let elapsed = started.elapsed();
        let span = tracing::Span::current();
        span.record("duration_ms", elapsed.as_millis() as u64);
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                tracing::debug!(%error, "attempt failed");
                return Err(error);
            }
        };
        span.record("status", response.status.as_u16());
        span.record("bytes", response.body.len());
        client.emit(&Event::Response {
            status: response.status,
            attempt,
            elapsed,
        });
        let outcome = if response.status.is_success() {
            operation.decode(response.status, response.body)
        } else {
            Err(api_error(response, url.to_string()).into())
        };
        match &outcome {
            Ok(_) => tracing::info!(
                operation = O::NAME,
                duration_ms = elapsed.as_millis() as u64,
                "response received"
            ),
            Err(error) => tracing::debug!(%error, "attempt failed"),
        }
        outcome
    }
    .instrument(span)
    .await
}

/// Sends `request` to the customer's host an OAuth token named, unless the caller chose the
/// base URL (then a mismatch is logged once).
fn to_customer_host(client: &ClientInner, request: &mut reqwest::Request, api_base: &url::Url) {
    if client.base_url_explicit {
        if let Some(session) = client.auth.oauth() {
            session.report_host_mismatch(&client.base_url, api_base);
        }
        return;
    }
    let path = request.url().path().to_owned();
    let query = request.url().query().map(str::to_owned);
    let url = request.url_mut();
    *url = api_base.clone();
    url.set_path(&format!("{}{path}", api_base.path().trim_end_matches('/')));
    url.set_query(query.as_deref());
}
