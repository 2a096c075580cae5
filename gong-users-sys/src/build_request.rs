//! Taking the request a generated call builds, without sending it.
//!
//! The generated builders know each operation's method, path, query, headers and JSON body; the
//! `gong-users` crate sends every request itself (rate limit, credentials, a bounded body, one
//! classification of every status). [`build_request`] joins the two: it runs a generated call's
//! `send()` with progenitor's `pre` hook set to take the finished request out and stop the call
//! there, so nothing is sent and no response is decoded by the generated code.
//!
//! Outside [`build_request`] the hook does nothing: `client.list_users().send()` sends and
//! decodes as progenitor generated it.

use std::cell::RefCell;
use std::future::Future;

use progenitor_client::{ClientHooks, Error, OperationInfo, ResponseValue};
use reqwest::Request;

use crate::Client;

tokio::task_local! {
    static TAKEN: RefCell<Option<Request>>;
}

/// What the `pre` hook returns to stop a call whose request it took.
const HANDED_OVER: &str = "the request was handed to build_request instead of being sent";

/// Runs a generated call up to the point of sending and returns the request it built.
///
/// Fails with the generated call's own error when it could not build the request (a parameter
/// that did not convert, a body that did not serialize).
///
/// ```
/// # async fn demo() -> Result<(), gong_users_sys::Error<gong_users_sys::types::ErrorResponse>> {
/// let client = gong_users_sys::Client::new("https://api.gong.io");
/// let request = gong_users_sys::build_request(client.list_users().cursor("c2").send()).await?;
/// assert_eq!(request.url().as_str(), "https://api.gong.io/v2/users?cursor=c2");
/// # Ok(()) }
/// ```
pub async fn build_request<F, T, E>(call: F) -> Result<Request, Error<E>>
where
    F: Future<Output = Result<ResponseValue<T>, Error<E>>>,
{
    let (result, taken) = TAKEN
        .scope(RefCell::new(None), async move {
            let result = call.await;
            (result, TAKEN.with(RefCell::take))
        })
        .await;
    match (taken, result) {
        (Some(request), _) => Ok(request),
        (None, Err(error)) => Err(error),
        (None, Ok(_)) => Err(Error::Custom(
            "the generated call completed without building a request".into(),
        )),
    }
}

impl ClientHooks<()> for Client {
    async fn pre<E>(&self, request: &mut Request, _info: &OperationInfo) -> Result<(), Error<E>> {
        if TAKEN.try_with(|_| ()).is_err() {
            return Ok(()); // an ordinary call: let it send
        }
        let placeholder = Request::new(request.method().clone(), request.url().clone());
        let built = std::mem::replace(request, placeholder);
        TAKEN.with(|slot| slot.replace(Some(built)));
        Err(Error::Custom(HANDED_OVER.into()))
    }
}
