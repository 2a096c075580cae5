//! httpmock helpers, for tests that prefer fixed responses to FakeGong's behaviour: a typed page
//! or a Gong error body, at a given cursor.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use gong_users_mock::httpmock_helpers::{mock_error, mock_page, page};
//! use serde_json::json;
//!
//! let server = httpmock::MockServer::start_async().await;
//! let first = mock_page(&server, None, &page(vec![json!({"id": "1"})], Some("next")));
//! let second = mock_error(&server, Some("next"), 429, "API request limit exceeded", Some(3));
//! # drop((first, second));
//! # }
//! ```

use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

/// A page body holding `users`, with `cursor` when more pages follow.
pub fn page(users: Vec<Value>, cursor: Option<&str>) -> Value {
    let mut records = json!({
        "totalRecords": users.len(),
        "currentPageSize": users.len(),
        "currentPageNumber": 0,
    });
    if let Some(cursor) = cursor {
        records["cursor"] = json!(cursor);
    }
    json!({ "requestId": "httpmock-page", "records": records, "users": users })
}

/// Serves `body` as the page at `cursor` (`None`: the first page, sent without a cursor).
pub fn mock_page<'a>(server: &'a MockServer, cursor: Option<&str>, body: &Value) -> Mock<'a> {
    server.mock(|when, then| {
        let when = when.method(httpmock::Method::GET).path("/v2/users");
        match cursor {
            Some(cursor) => when.query_param("cursor", cursor),
            None => when.query_param_missing("cursor"),
        };
        then.status(200)
            .header("content-type", "application/json")
            .body(body.to_string());
    })
}

/// Serves Gong's error body with `status` at `cursor`, with `Retry-After` when given.
pub fn mock_error<'a>(
    server: &'a MockServer,
    cursor: Option<&str>,
    status: u16,
    message: &str,
    retry_after: Option<u64>,
) -> Mock<'a> {
    let body = json!({ "requestId": "httpmock-error", "errors": [message] }).to_string();
    server.mock(|when, then| {
        let when = when.method(httpmock::Method::GET).path("/v2/users");
        match cursor {
            Some(cursor) => when.query_param("cursor", cursor),
            None => when.query_param_missing("cursor"),
        };
        let mut then = then
            .status(status)
            .header("content-type", "application/json");
        if let Some(seconds) = retry_after {
            then = then.header("retry-after", seconds.to_string());
        }
        then.body(body);
    })
}
