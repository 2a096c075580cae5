//! Seeing the raw response behind a generated call.
//!
//! progenitor decodes a declared error status (say 429 or 500) as the spec's JSON error body; when
//! a proxy answers that status with an HTML page instead, the generated call returns
//! `InvalidResponsePayload` and the status and headers (`Retry-After` among them) are gone. A
//! decode error on a 200 likewise carries no JSON path. The hook below, which progenitor lets only
//! the crate that holds the generated client implement, reads each body once, keeps a cheap
//! copy of status, headers and bytes for the caller, and hands the generated code an identical
//! response to decode.

use std::cell::RefCell;
use std::future::Future;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
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
    /// The complete body. `Bytes` is reference-counted: keeping it costs no copy.
    pub body: Bytes,
}

/// Runs a generated call and returns its result together with the raw response it received, if
/// the call got as far as a complete response.
///
/// ```no_run
/// # async fn demo(client: &gong_users_sys::Client) {
/// let (result, raw) =
///     gong_users_sys::capture_raw_response(client.list_users().send()).await;
/// if let (Err(_), Some(raw)) = (&result, &raw) {
///     eprintln!("status {} with {} body bytes", raw.status, raw.body.len());
/// }
/// # }
/// ```
pub async fn capture_raw_response<F: Future>(call: F) -> (F::Output, Option<RawResponse>) {
    CAPTURED
        .scope(RefCell::new(None), async move {
            let output = call.await;
            let raw = CAPTURED.with(RefCell::take);
            (output, raw)
        })
        .await
}

impl ClientHooks<()> for Client {
    async fn exec(&self, request: Request, _info: &OperationInfo) -> reqwest::Result<Response> {
        let response = self.client().execute(request).await?;
        if CAPTURED.try_with(|_| ()).is_err() {
            // Nobody asked for the raw response: hand it over untouched, still streaming.
            return Ok(response);
        }
        let status = response.status();
        let headers = response.headers().clone();
        // A body cut short fails here, as a transport error the caller can retry.
        let body = response.bytes().await?;
        CAPTURED.with(|slot| {
            slot.replace(Some(RawResponse {
                status,
                headers: headers.clone(),
                body: body.clone(),
            }))
        });
        let mut replay = http::Response::new(body);
        *replay.status_mut() = status;
        *replay.headers_mut() = headers;
        Ok(Response::from(replay))
    }
}
