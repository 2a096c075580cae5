//! Sending a generated call and decoding its body yourself.
//!
//! progenitor decodes a declared error status (say 429 or 500) as the spec's JSON error body; when
//! a proxy answers that status with an HTML page instead, the generated call returns
//! `InvalidResponsePayload` and the status and headers (`Retry-After` among them) are gone. And a
//! caller that wants the body's bytes (to pass them on untouched, or to name the JSON path of a
//! bad value) gets only the decoded value.
//!
//! [`fetch_raw`] runs a generated call with a hook (progenitor lets only the crate that holds the
//! generated client implement it) that reads each body once and keeps status, headers and bytes
//! for the caller. A successful body is handed to the generated code empty, so it is decoded
//! once, by the caller, not twice.

use std::cell::RefCell;
use std::future::Future;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo, ResponseValue};
use reqwest::header::HeaderMap;
use reqwest::{Request, Response, StatusCode};

use crate::Client;

tokio::task_local! {
    static CAPTURED: RefCell<Option<RawResponse>>;
}

/// Status, headers and the whole body of one HTTP response, as received.
#[derive(Clone, Debug)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The complete body. `Bytes` is reference-counted: passing it on costs no copy.
    pub body: Bytes,
}

/// Runs a generated call and returns the raw response of a success (any 2xx), whose body the
/// caller decodes; or, for anything else, the generated call's error with the raw response when
/// one was received.
///
/// ```no_run
/// # async fn demo(client: &gong_users_sys::Client) {
/// match gong_users_sys::fetch_raw(client.list_users().send()).await {
///     Ok(raw) => println!("{} body bytes to decode", raw.body.len()),
///     Err((error, Some(raw))) => eprintln!("HTTP {}: {error}", raw.status),
///     Err((error, None)) => eprintln!("no response: {error}"),
/// }
/// # }
/// ```
pub async fn fetch_raw<F, T, E>(call: F) -> Result<RawResponse, (Error<E>, Option<RawResponse>)>
where
    F: Future<Output = Result<ResponseValue<T>, Error<E>>>,
{
    let (result, raw) = CAPTURED
        .scope(RefCell::new(None), async move {
            let result = call.await;
            (result, CAPTURED.with(RefCell::take))
        })
        .await;
    match (result, raw) {
        // The generated code saw an empty body and may have failed to decode it: that is expected.
        (_, Some(raw)) if raw.status.is_success() => Ok(raw),
        (Ok(_), raw) => Err((
            Error::Custom("a success without a captured response".into()),
            raw,
        )),
        (Err(error), raw) => Err((error, raw)),
    }
}

impl ClientHooks<()> for Client {
    async fn exec(&self, request: Request, _info: &OperationInfo) -> reqwest::Result<Response> {
        let response = self.client().execute(request).await?;
        if CAPTURED.try_with(|_| ()).is_err() {
            // Called outside fetch_raw: hand the response over untouched, still streaming.
            return Ok(response);
        }
        let status = response.status();
        let headers = response.headers().clone();
        // A body cut short fails here, as a transport error the caller can retry.
        let body = response.bytes().await?;
        let replay_body = if status.is_success() {
            Bytes::new()
        } else {
            body.clone()
        };
        CAPTURED.with(|slot| {
            slot.replace(Some(RawResponse {
                status,
                headers: headers.clone(),
                body,
            }))
        });
        let mut replay = http::Response::new(replay_body);
        *replay.status_mut() = status;
        *replay.headers_mut() = headers;
        Ok(Response::from(replay))
    }
}
