//! OAuth for Gong apps, against FakeGong's token endpoint (single-use refresh tokens that rotate,
//! access tokens that expire) and httpmock (exact requests, the customer's host, 401s).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt as _;
use gong_users::{Client, Credentials, ErrorKind, OAuthApp, RateLimit, RetryPolicy, User};
use gong_users_mock::{FakeGong, Outcome};
use httpmock::prelude::*;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;
use support::{fast_retries, page, user};

const CLIENT_ID: &str = "app-client-id";
const CLIENT_SECRET: &str = "app-client-secret-never-printed";
const FIRST_REFRESH: &str = "first-refresh-token-never-printed";

async fn oauth_fake(users: usize, page_size: usize, lifetime: Duration) -> Arc<FakeGong> {
    Arc::new(
        FakeGong::builder()
            .users(users)
            .page_size(page_size)
            .oauth(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
            .access_token_lifetime(lifetime)
            .start()
            .await
            .expect("FakeGong starts"),
    )
}

fn app(fake: &FakeGong) -> OAuthApp {
    OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .token_url(fake.token_url())
        .unwrap()
}

fn client(app: OAuthApp, rate: u32) -> Client {
    Client::builder()
        .credentials(Credentials::oauth(app))
        .rate_limit(RateLimit::per_second(rate))
        .retry_policy(fast_retries(3))
        .build()
        .unwrap()
}

/// The generation FakeGong encodes in the tokens it issues: `fake-refresh-<n>-…`.
fn generation(token: &str) -> u64 {
    token
        .split('-')
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[tokio::test]
async fn a_listing_that_outlives_several_access_tokens_loses_no_user_and_reuses_no_refresh_token() {
    let fake = oauth_fake(300, 20, Duration::from_secs(1)).await;
    let users: Vec<User> = client(app(&fake), 5)
        .list_users()
        .items()
        .try_collect()
        .await
        .expect("the listing survives expiring tokens");
    let expected: Vec<String> = fake
        .expected_users(false)
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    let got: Vec<String> = users.iter().map(|u| u.id.clone().unwrap()).collect();
    assert_eq!(got, expected, "every user once, in order");
    assert!(
        fake.oauth_refreshes() >= 3,
        "15 pages at 5/s outlive 1 s tokens: {}",
        fake.oauth_refreshes()
    );
    assert_eq!(fake.oauth_refused(), 0, "no refresh token used twice");
    let api: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v2/"))
        .collect();
    assert!(
        api.iter().all(|r| r.token_generation.is_some()),
        "every API request used an issued token"
    );
}

#[tokio::test]
async fn twenty_concurrent_operations_on_clones_with_a_token_about_to_expire_refresh_once() {
    let fake = oauth_fake(30, 100, Duration::from_secs(2)).await;
    let client = client(app(&fake), 0);
    let id = fake.expected_users(false)[3]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    client.get_user(id.clone()).send().await.unwrap();
    assert_eq!(fake.oauth_refreshes(), 1);
    // Past the point where the token counts as about to expire (a fifth of its life early).
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let operations = (0..20).map(|_| {
        let client = client.clone();
        let id = id.clone();
        tokio::spawn(async move { client.get_user(id).send().await })
    });
    for operation in futures::future::join_all(operations).await {
        operation.unwrap().expect("each operation succeeds");
    }
    assert_eq!(
        fake.oauth_refreshes(),
        2,
        "exactly one more refresh for twenty operations"
    );
    assert_eq!(fake.oauth_refused(), 0);
}

#[tokio::test]
async fn the_store_sees_each_rotation_before_the_new_access_token_is_used() {
    let fake = oauth_fake(120, 10, Duration::from_secs(1)).await;
    let stored: Arc<Mutex<Vec<String>>> = Arc::default();
    let (seen, watched) = (Arc::clone(&stored), Arc::clone(&fake));
    let store = move |token: &SecretString| -> Result<(), String> {
        let token = token.expose_secret().to_owned();
        let generation = generation(&token);
        let used = watched
            .requests()
            .iter()
            .any(|r| r.token_generation == Some(generation));
        if used {
            return Err(format!(
                "generation {generation} was used before it was stored"
            ));
        }
        seen.lock().unwrap().push(token);
        Ok(())
    };
    let users: Vec<User> = client(app(&fake).token_store(store), 6)
        .list_users()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 120);
    let stored = stored.lock().unwrap();
    assert_eq!(stored.len() as u64, fake.oauth_refreshes());
    let generations: Vec<u64> = stored.iter().map(|t| generation(t)).collect();
    assert_eq!(generations, (1..=stored.len() as u64).collect::<Vec<_>>());
    assert_eq!(stored.last().cloned(), fake.current_refresh_token());
}

#[tokio::test]
async fn a_refused_refresh_token_says_to_re_authorize_and_is_not_retried() {
    let fake = oauth_fake(10, 100, Duration::from_secs(60)).await;
    // Spend the first refresh token, as another worker would have.
    client(app(&fake), 0).get_user("1").send().await.ok();
    let error = client(app(&fake), 0)
        .list_users()
        .send()
        .await
        .expect_err("the first refresh token is spent");
    assert!(error.is_auth(), "{error}");
    assert!(
        matches!(error.kind(), ErrorKind::ReauthorizationRequired { reason: Some(r), .. } if r == "invalid_grant"),
        "{error:?}"
    );
    assert!(error.to_string().contains("re-authorized"), "{error}");
    assert_eq!(fake.oauth_refused(), 1, "refused once, not retried");
    let refused: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.outcome == Outcome::TokenRefused)
        .collect();
    assert_eq!(refused.len(), 1);
}

/// A token endpoint on httpmock: `refresh_token=<sent>` gets `access`, `next` and the host.
async fn serve_token<'a>(
    server: &'a MockServer,
    sent: &str,
    access: &str,
    next: &str,
    api_base: &str,
) -> httpmock::Mock<'a> {
    let body = json!({
        "access_token": access, "refresh_token": next, "expires_in": 3600,
        "scope": "api:users:read", "api_base_url_for_customer": api_base,
    });
    server
        .mock_async(|when, then| {
            // Gong's documented shape: the parameters in the query string, no body.
            when.method(POST)
                .path("/oauth2/generate-customer-token")
                .header(
                    "authorization",
                    format!("Basic {}", base64_pair(CLIENT_ID, CLIENT_SECRET)),
                )
                .query_param("grant_type", "refresh_token")
                .query_param("refresh_token", sent)
                .is_true(|request| request.body().is_empty());
            then.status(200).json_body(body);
        })
        .await
}

fn base64_pair(user: &str, password: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[tokio::test]
async fn requests_go_to_the_customers_host_with_the_bearer_token() {
    let (tokens, customer) = (
        MockServer::start_async().await,
        MockServer::start_async().await,
    );
    let refresh = serve_token(
        &tokens,
        FIRST_REFRESH,
        "access-1",
        "refresh-2",
        &customer.base_url(),
    )
    .await;
    let listed = customer
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .header("authorization", "Bearer access-1");
            then.status(200).body(page(0, 1, vec![user(1)], None));
        })
        .await;
    let app = OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .token_url(tokens.url("/oauth2/generate-customer-token"))
        .unwrap();
    let users: Vec<User> = client(app, 0)
        .list_users()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    refresh.assert_calls_async(1).await;
    listed.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_401_triggers_one_refresh_and_one_more_try() {
    let (tokens, api) = (
        MockServer::start_async().await,
        MockServer::start_async().await,
    );
    let first = serve_token(
        &tokens,
        FIRST_REFRESH,
        "access-1",
        "refresh-2",
        &api.base_url(),
    )
    .await;
    let second = serve_token(
        &tokens,
        "refresh-2",
        "access-2",
        "refresh-3",
        &api.base_url(),
    )
    .await;
    let revoked = api
        .mock_async(|when, then| {
            when.path("/v2/users/7")
                .header("authorization", "Bearer access-1");
            then.status(401)
                .body(r#"{"requestId":"r","errors":["access token has been revoked"]}"#);
        })
        .await;
    let fresh = api
        .mock_async(|when, then| {
            when.path("/v2/users/7")
                .header("authorization", "Bearer access-2");
            then.status(200)
                .json_body(json!({"requestId": "r", "user": user(7)}));
        })
        .await;
    let app = OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .token_url(tokens.url("/oauth2/generate-customer-token"))
        .unwrap();
    let user = client(app, 0).get_user("7").send().await.unwrap();
    assert_eq!(user.first_name.as_deref(), Some("First7"));
    for mock in [&first, &second, &revoked, &fresh] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_token_endpoint_answering_503_is_retried_like_the_api() {
    let tokens = MockServer::start_async().await;
    let unavailable = tokens
        .mock_async(|when, then| {
            when.path("/oauth2/generate-customer-token");
            then.status(503).body("<html>Service Unavailable</html>");
        })
        .await;
    let app = OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .token_url(tokens.url("/oauth2/generate-customer-token"))
        .unwrap();
    let error = client(app, 0).get_user("7").send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(!error.is_auth());
    unavailable.assert_calls_async(4).await; // 1 attempt + 3 retries
}

#[tokio::test]
async fn an_explicit_base_url_wins_over_the_customers_host() {
    let (tokens, explicit) = (
        MockServer::start_async().await,
        MockServer::start_async().await,
    );
    serve_token(
        &tokens,
        FIRST_REFRESH,
        "access-1",
        "refresh-2",
        "https://us-1.api.gong.io",
    )
    .await;
    let listed = explicit
        .mock_async(|when, then| {
            when.path("/v2/users")
                .header("authorization", "Bearer access-1");
            then.status(200).body(page(0, 1, vec![user(1)], None));
        })
        .await;
    let app = OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .token_url(tokens.url("/oauth2/generate-customer-token"))
        .unwrap();
    let client = Client::builder()
        .base_url(explicit.base_url())
        .unwrap()
        .credentials(Credentials::oauth(app))
        .rate_limit(RateLimit::Off)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    client.list_users().send().await.unwrap();
    listed.assert_calls_async(1).await;
}

#[test]
fn secrets_never_show_in_debug_and_a_plain_http_token_url_is_refused() {
    let app = OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH);
    let credentials = Credentials::oauth(app.clone());
    let client = Client::builder()
        .credentials(credentials.clone())
        .build()
        .unwrap();
    for text in [
        format!("{app:?}"),
        format!("{credentials:?}"),
        format!("{client:?}"),
    ] {
        assert!(
            !text.contains(CLIENT_SECRET) && !text.contains(FIRST_REFRESH),
            "{text}"
        );
    }
    let error = app
        .token_url("http://tokens.example.com/oauth2")
        .unwrap_err();
    assert!(error.is_config(), "{error}");
}

#[test]
fn oauth_from_the_environment_wins_and_needs_all_three_variables() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    };
    let both = Credentials::from_lookup(env(&[
        ("GONG_OAUTH_CLIENT_ID", "id"),
        ("GONG_OAUTH_CLIENT_SECRET", "secret"),
        ("GONG_OAUTH_REFRESH_TOKEN", "refresh"),
        ("GONG_ACCESS_KEY", "key"),
        ("GONG_ACCESS_KEY_SECRET", "key-secret"),
    ]))
    .unwrap();
    assert_eq!(both.scheme(), "OAuth");
    let partial = Credentials::from_lookup(env(&[("GONG_OAUTH_CLIENT_ID", "id")])).unwrap_err();
    assert!(partial.is_config() && partial.to_string().contains("GONG_OAUTH_CLIENT_SECRET"));
}
