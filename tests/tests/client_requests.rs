//! What the gong-users client sends on every request of a listing (path, query parameters on
//! every page, Authorization, User-Agent), and how it follows cursors. httpmock on 127.0.0.1.

mod support;

use futures::{StreamExt as _, TryStreamExt as _};
use gong_users::{Client, Credentials, RateLimit, User};
use httpmock::prelude::*;
use support::*;

#[tokio::test]
async fn every_page_keeps_include_avatars_and_sends_the_previous_cursor() {
    let server = MockServer::start_async().await;
    let ua = format!("gong-users/{}", env!("CARGO_PKG_VERSION"));
    let auth = basic_header();
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .query_param("includeAvatars", "true")
                .query_param_missing("cursor")
                .header("authorization", auth.as_str())
                .header("user-agent", ua.as_str());
            then.status(200)
                .header("content-type", "application/json")
                .body(page(0, 5, (1..=2).map(user).collect(), Some("cursor-2")));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .query_param("includeAvatars", "true")
                .query_param("cursor", "cursor-2")
                .header("authorization", auth.as_str())
                .header("user-agent", ua.as_str());
            then.status(200)
                .header("content-type", "application/json")
                .body(page(1, 5, (3..=4).map(user).collect(), Some("cursor/3+=")));
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .query_param("includeAvatars", "true")
                .query_param("cursor", "cursor/3+=")
                .header("authorization", auth.as_str());
            then.status(200)
                .header("content-type", "application/json")
                .body(page(2, 5, vec![user(5)], None));
        })
        .await;

    let client = fast_client(&server.base_url());
    let users: Vec<User> = client
        .list_users()
        .include_avatars(true)
        .items()
        .try_collect()
        .await
        .expect("listing");

    let emails: Vec<_> = users
        .iter()
        .map(|u| u.email_address.clone().unwrap())
        .collect();
    assert_eq!(
        emails,
        (1..=5)
            .map(|i| format!("user{i}@example.com"))
            .collect::<Vec<_>>()
    );
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(1).await;
}

#[tokio::test]
async fn without_include_avatars_no_page_sends_it() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.path("/v2/users")
                .query_param_missing("includeAvatars")
                .query_param_missing("cursor");
            then.status(200).body(page(0, 2, vec![user(1)], Some("c2")));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.path("/v2/users")
                .query_param_missing("includeAvatars")
                .query_param("cursor", "c2");
            then.status(200).body(page(1, 2, vec![user(2)], None));
        })
        .await;
    let users: Vec<User> = fast_client(&server.base_url())
        .list_users()
        .items()
        .try_collect()
        .await
        .expect("listing");
    assert_eq!(users.len(), 2);
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn bearer_credentials_send_a_bearer_header() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(200).body(page(0, 1, vec![user(1)], None));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .unwrap()
        .credentials(Credentials::bearer(TOKEN))
        .rate_limit(RateLimit::Off)
        .build()
        .unwrap();
    let page = client.list_users().send().await.expect("page");
    assert_eq!(page.users().len(), 1);
    assert_eq!(page.request_id(), Some("req-0"));
    assert_eq!(page.total_records(), Some(1));
    mock.assert_async().await;
}

#[tokio::test]
async fn a_listing_resumes_from_a_given_cursor() {
    let server = MockServer::start_async().await;
    let resumed = server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param("cursor", "saved");
            then.status(200).body(page(3, 400, vec![user(301)], None));
        })
        .await;
    let users: Vec<User> = fast_client(&server.base_url())
        .list_users()
        .cursor("saved")
        .items()
        .try_collect()
        .await
        .expect("listing");
    assert_eq!(users[0].first_name.as_deref(), Some("First301"));
    resumed.assert_async().await;
}

#[tokio::test]
async fn prefetch_off_gives_the_same_listing() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param_missing("cursor");
            then.status(200).body(page(0, 2, vec![user(1)], Some("c2")));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param("cursor", "c2");
            then.status(200).body(page(1, 2, vec![user(2)], None));
        })
        .await;
    let client = fast_builder(&server.base_url())
        .prefetch(0)
        .build()
        .unwrap();
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert_eq!(users.len(), 2);
}

#[tokio::test]
async fn unknown_fields_survive_the_round_trip() {
    let server = MockServer::start_async().await;
    let body = include_str!("../fixtures/pages/unknown_fields.json");
    server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200).body(body);
        })
        .await;
    let users: Vec<User> = fast_client(&server.base_url())
        .list_users()
        .items()
        .try_collect()
        .await
        .unwrap();
    let sent: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(serde_json::to_value(&users[0]).unwrap(), sent["users"][0]);
}

#[tokio::test]
async fn streams_fetch_nothing_until_first_polled_prefetch_included() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200).body(page(0, 1, vec![user(1)], None));
        })
        .await;
    let client = fast_builder(&server.base_url())
        .prefetch(2)
        .build()
        .unwrap();
    let mut pages = client.list_users().pages();
    let raw = client.list_users().raw_pages();
    let items = client.list_users().items();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    mock.assert_calls_async(0).await;
    drop((raw, items));
    let first = pages.next().await.expect("a page").expect("it decodes");
    assert_eq!(first.users().len(), 1);
    assert!(pages.next().await.is_none());
    mock.assert_calls_async(1).await;
}
