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
    // The workspace builds reqwest without a default TLS provider (gong-users brings its own).
    let _ = rustls::crypto::ring::default_provider().install_default();
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
async fn build_request_hands_over_the_request_unsent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(200).body(PAGE);
        })
        .await;
    let client = raw_client(&server.base_url(), "Bearer t");
    let request = gong_users_sys::build_request(
        client
            .list_users()
            .cursor("c 2")
            .include_avatars(true)
            .send(),
    )
    .await
    .expect("the request builds");
    assert_eq!(request.method(), reqwest::Method::GET);
    assert_eq!(
        request.url().as_str(),
        format!(
            "{}/v2/users?cursor=c+2&includeAvatars=true",
            server.base_url()
        )
    );
    assert_eq!(
        request.headers().get("accept").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    mock.assert_calls_async(0).await;
    // Outside build_request the same call sends as generated.
    client.list_users().send().await.expect("page decodes");
    mock.assert_calls_async(1).await;
}
