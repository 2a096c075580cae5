//! Sending one request and reading its whole response, within a bound on the body.
//!
//! A response announcing a `Content-Length` over the bound is refused before its body is read;
//! a body without one (chunked, or a proxy streaming on) is read only up to the bound. Either
//! way one response costs at most the bound in memory, whatever the server does.

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::Error;
use crate::error::ErrorKind;

/// Status, headers and the whole body of one HTTP response, as received.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// Reference-counted: handing it on to a page costs no copy.
    pub(crate) body: Bytes,
}

/// Sends `request` and reads the response body, at most `max_body` bytes of it.
pub(crate) async fn send_bounded(
    http: &reqwest::Client,
    request: reqwest::Request,
    max_body: u64,
) -> Result<HttpResponse, Error> {
    let mut response = http.execute(request).await.map_err(Error::from_reqwest)?;
    let too_large = |content_length| ErrorKind::BodyTooLarge {
        limit: max_body,
        content_length,
    };
    let announced = response.content_length();
    if let Some(length) = announced.filter(|&length| length > max_body) {
        return Err(too_large(Some(length)).into());
    }
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let capacity = usize::try_from(announced.unwrap_or(0)).unwrap_or(0);
    let mut body = BytesMut::with_capacity(capacity);
    // A body cut short fails here, as a transport error the caller can retry.
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        if body.is_empty() && announced == Some(chunk.len() as u64) {
            // The whole body in one chunk: keep it as it is, no copy.
            return Ok(HttpResponse {
                status,
                headers,
                body: chunk,
            });
        }
        if (body.len() + chunk.len()) as u64 > max_body {
            return Err(too_large(None).into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpResponse {
        status,
        headers,
        body: body.freeze(),
    })
}
