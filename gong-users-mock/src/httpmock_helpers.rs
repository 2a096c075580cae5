//! httpmock helpers, for tests that prefer fixed responses to FakeGong's behaviour: a page or a
//! Gong error body at a given cursor, built by [`crate::body`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use gong_users_mock::body::PageBody;
//! use gong_users_mock::httpmock_helpers::{mock_error, mock_page};
//! use serde_json::json;
//!
//! let server = httpmock::MockServer::start_async().await;
//! let page = PageBody::new("r1").users([json!({"id": "1"})]).cursor(Some("next"));
//! let first = mock_page(&server, None, &page).await;
//! let second = mock_error(&server, Some("next"), 429, "API request limit exceeded", Some(3)).await;
//! # drop((first, second));
//! # }
//! ```

use httpmock::{Mock, MockServer, Then, When};

use crate::body::{PageBody, error_body};

/// Serves `body` as the page at `cursor` (`None`: the first page, sent without a cursor).
pub async fn mock_page<'a>(
    server: &'a MockServer,
    cursor: Option<&str>,
    body: &PageBody,
) -> Mock<'a> {
    let body = body.render();
    server
        .mock_async(|when, then| {
            at_cursor(when, cursor);
            json(then, 200).body(body);
        })
        .await
}

/// Serves Gong's error body with `status` at `cursor`, with `Retry-After` seconds when given.
pub async fn mock_error<'a>(
    server: &'a MockServer,
    cursor: Option<&str>,
    status: u16,
    message: &str,
    retry_after: Option<u64>,
) -> Mock<'a> {
    let body = error_body("httpmock-error", &[message]);
    server
        .mock_async(|when, then| {
            at_cursor(when, cursor);
            let mut then = json(then, status);
            if let Some(seconds) = retry_after {
                then = then.header("retry-after", seconds.to_string());
            }
            then.body(body);
        })
        .await
}

/// `GET /v2/users` with exactly this cursor, or none.
fn at_cursor(when: When, cursor: Option<&str>) -> When {
    let when = when.method(httpmock::Method::GET).path("/v2/users");
    match cursor {
        Some(cursor) => when.query_param("cursor", cursor),
        None => when.query_param_missing("cursor"),
    }
}

fn json(then: Then, status: u16) -> Then {
    then.status(status)
        .header("content-type", "application/json")
}
