//! Configuration errors come before any request, and secrets never reach Debug or Display.

mod support;

use std::collections::HashMap;

use gong_users::{Client, ClientBuilder, Credentials};
use httpmock::prelude::*;
use support::*;

#[test]
fn a_plain_http_remote_url_is_refused_before_any_request() {
    let error = Client::builder()
        .base_url("http://api.gong.io")
        .expect_err("insecure");
    assert!(error.is_config());
    assert!(error.to_string().contains("https://"), "{error}");
}

#[test]
fn no_credentials_is_a_configuration_error() {
    let error = Client::builder().build().expect_err("no credentials");
    assert!(error.is_config(), "{error:?}");
}

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

#[test]
fn the_environment_picks_basic_or_bearer_and_says_what_is_missing() {
    let basic = Credentials::from_lookup(lookup(&[
        ("GONG_ACCESS_KEY", "k"),
        ("GONG_ACCESS_KEY_SECRET", "s"),
        ("GONG_BEARER_TOKEN", "t"),
    ]))
    .unwrap();
    assert_eq!(basic.scheme(), "Basic");
    let bearer = Credentials::from_lookup(lookup(&[("GONG_BEARER_TOKEN", "t")])).unwrap();
    assert_eq!(bearer.scheme(), "Bearer");
    let half = Credentials::from_lookup(lookup(&[("GONG_ACCESS_KEY", "k")])).unwrap_err();
    assert!(
        half.to_string().contains("GONG_ACCESS_KEY_SECRET"),
        "{half}"
    );
    let none = Credentials::from_lookup(lookup(&[])).unwrap_err();
    assert!(none.to_string().contains("GONG_BEARER_TOKEN"), "{none}");
    let insecure = ClientBuilder::from_lookup(lookup(&[
        ("GONG_BEARER_TOKEN", "t"),
        ("GONG_BASE_URL", "http://gong.example.com"),
    ]))
    .unwrap_err();
    assert!(insecure.is_config());
    let client = ClientBuilder::from_lookup(lookup(&[
        ("GONG_BEARER_TOKEN", "t"),
        ("GONG_BASE_URL", "https://us-55616.api.gong.io/"),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://us-55616.api.gong.io/");
}

fn assert_no_secret(text: &str) {
    for secret in [SECRET, TOKEN, ACCESS_KEY, basic_header().as_str()] {
        assert!(!text.contains(secret), "a secret leaked into: {text}");
    }
    let encoded = basic_header();
    assert!(
        !text.contains(encoded.trim_start_matches("Basic ")),
        "{text}"
    );
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_display() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(401)
                .body(gong_error("req-401", "Access denied"));
        })
        .await;
    for credentials in [
        Credentials::basic(ACCESS_KEY, SECRET),
        Credentials::bearer(TOKEN),
    ] {
        assert_no_secret(&format!("{credentials:?}"));
        let builder = fast_builder(&server.base_url()).credentials(credentials);
        assert_no_secret(&format!("{builder:?}"));
        let client = builder.build().unwrap();
        assert_no_secret(&format!("{client:?}"));
        assert!(format!("{client:?}").contains("[REDACTED]"));
        let error = client.list_users().send().await.unwrap_err();
        assert_no_secret(&format!("{error:?}"));
        assert_no_secret(&error.to_string());
    }
}

#[tokio::test]
async fn redirects_are_not_followed_so_credentials_stay_put() {
    let server = MockServer::start_async().await;
    let elsewhere = server
        .mock_async(|when, then| {
            when.path("/elsewhere");
            then.status(200).body(page(0, 1, vec![user(1)], None));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(302).header("location", "/elsewhere");
        })
        .await;
    let error = fast_client(&server.base_url())
        .list_users()
        .send()
        .await
        .expect_err("a redirect is not a page");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302));
    elsewhere.assert_calls_async(0).await;
}
