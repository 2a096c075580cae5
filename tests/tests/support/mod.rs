//! Helpers shared by the integration tests: clients aimed at a local server, page bodies.
#![allow(dead_code)]

use std::time::Duration;

use gong_users::{Client, Credentials, RateLimit, RetryPolicy};
use gong_users_mock::body::{PageBody, error_body};
use gong_users_mock::httpmock_helpers::mock_page;
use httpmock::MockServer;
use serde_json::{Value, json};

pub const ACCESS_KEY: &str = "AK-test-access-key";
pub const SECRET: &str = "s3cr3t-never-printed-7f1c";
pub const TOKEN: &str = "oauth-token-never-printed-91ab";

/// A client for `base_url` with Basic auth, no rate limit and fast retries.
pub fn fast_client(base_url: &str) -> Client {
    fast_builder(base_url).build().expect("client builds")
}

pub fn fast_builder(base_url: &str) -> gong_users::ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .expect("loopback URL is accepted")
        .credentials(Credentials::basic(ACCESS_KEY, SECRET))
        .rate_limit(RateLimit::Off)
        .retry_policy(fast_retries(2))
}

pub fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(max_retries)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
        .with_max_retry_after(Duration::from_secs(2))
}

/// `Basic base64(key:secret)` for the test credentials.
pub fn basic_header() -> String {
    use base64::Engine as _;
    let pair = format!("{ACCESS_KEY}:{SECRET}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// A user record with a few fields set.
pub fn user(id: u64) -> Value {
    json!({
        "id": format!("{}", 9_007_199_254_740_000u64 + id),
        "emailAddress": format!("user{id}@example.com"),
        "created": "2024-02-18T02:30:00.123-07:00",
        "active": true,
        "firstName": format!("First{id}"),
        "lastName": "Last",
    })
}

/// A page body holding `users`, with `cursor` when more pages follow.
pub fn page(number: usize, total: usize, users: Vec<Value>, cursor: Option<&str>) -> String {
    PageBody::new(format!("req-{number}"))
        .page_number(number)
        .total_records(total)
        .users(users)
        .cursor(cursor)
        .render()
}

/// Gong's error body.
pub fn gong_error(request_id: &str, message: &str) -> String {
    error_body(request_id, &[message])
}

/// Serves a chain of one-user pages: for each `(cursor sent, user number, next cursor)`, the
/// request with that cursor (`None`: the first page) gets `user(number)` and `next`.
pub async fn serve_chain(server: &MockServer, chain: &[(Option<&str>, u64, &str)]) {
    for &(sent, number, next) in chain {
        let body = PageBody::new("req-chain")
            .total_records(9)
            .users([user(number)])
            .cursor(Some(next));
        mock_page(server, sent, &body).await;
    }
}
