//! What the generated raw client sends: `GET /v2/users`, `cursor` and `includeAvatars` as query
//! parameters exactly as given (and absent when not given), and the Authorization header it was
//! configured with. Every test talks to an httpmock server on 127.0.0.1.

use base64::Engine as _;
use gong_users_sys::Client;
use httpmock::prelude::*;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

const PAGE: &str = include_str!("../fixtures/pages/full_record.json");

fn raw_client(base_url: &str, authorization: &str) -> Client {
    let mut headers = HeaderMap::new();
    let mut value = HeaderValue::from_str(authorization).expect("valid header value");
    value.set_sensitive(true);
    headers.insert(AUTHORIZATION, value);
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("reqwest client builds");
    Client::new_with_client(base_url, http)
}

fn basic(key: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    format!("Basic {encoded}")
}

#[tokio::test]
async fn sends_cursor_include_avatars_and_basic_auth() {
    let server = MockServer::start_async().await;
    let auth = basic("access-key", "access-secret");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .query_param("cursor", "eyJhbGciOi+/=&x")
                .query_param("includeAvatars", "true")
                .header("authorization", auth.as_str());
            then.status(200)
                .header("content-type", "application/json")
                .body(PAGE);
        })
        .await;
    let client = raw_client(&server.base_url(), &auth);
    let page = client
        .list_users()
        .cursor("eyJhbGciOi+/=&x")
        .include_avatars(true)
        .send()
        .await
        .expect("page decodes");
    mock.assert_async().await;
    assert_eq!(page.request_id.as_deref(), Some("4al018gzaztcr8nbukw"));
}

#[tokio::test]
async fn sends_false_and_bearer_auth() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .query_param("includeAvatars", "false")
                .query_param_missing("cursor")
                .header("authorization", "Bearer oauth-token-123");
            then.status(200)
                .header("content-type", "application/json")
                .body(PAGE);
        })
        .await;
    let client = raw_client(&server.base_url(), "Bearer oauth-token-123");
    client
        .list_users()
        .include_avatars(false)
        .send()
        .await
        .expect("page decodes");
    mock.assert_async().await;
}

#[tokio::test]
async fn sends_no_query_parameters_when_none_are_given() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .query_param_missing("cursor")
                .query_param_missing("includeAvatars");
            then.status(200)
                .header("content-type", "application/json")
                .body(PAGE);
        })
        .await;
    let client = raw_client(&server.base_url(), "Bearer t");
    client.list_users().send().await.expect("page decodes");
    mock.assert_async().await;
}

#[tokio::test]
async fn fetch_raw_hands_over_a_success_body_undecoded() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(200).body(PAGE);
        })
        .await;
    let client = raw_client(&server.base_url(), "Bearer t");
    let raw = gong_users_sys::fetch_raw(client.list_users().send())
        .await
        .expect("a success");
    assert_eq!(raw.body, PAGE.as_bytes());
}

#[tokio::test]
async fn an_html_error_keeps_its_status_in_the_captured_raw_response() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(429)
                .header("content-type", "text/html")
                .header("retry-after", "7")
                .body("<html><body>Too many requests</body></html>");
        })
        .await;
    let client = raw_client(&server.base_url(), "Bearer t");
    let Err((error, raw)) = gong_users_sys::fetch_raw(client.list_users().send()).await else {
        panic!("a 429 is not a success");
    };
    assert!(
        matches!(error, gong_users_sys::Error::InvalidResponsePayload(..)),
        "progenitor alone cannot decode the HTML body"
    );
    let raw = raw.expect("the raw response was captured");
    assert_eq!(raw.status.as_u16(), 429);
    assert_eq!(
        raw.headers.get("retry-after").map(|v| v.as_bytes()),
        Some(&b"7"[..])
    );
    assert!(raw.body.starts_with(b"<html>"));
}
