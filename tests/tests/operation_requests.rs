//! Exactly what each users operation sends (method, path, JSON body, the cursor of page 2 in the
//! body beside the same filter), and what it makes of Gong's answers. httpmock on 127.0.0.1.

mod support;

use chrono::{FixedOffset, TimeZone as _, Utc};
use futures::TryStreamExt as _;
use gong_users::{ErrorKind, RawUser, User};
use gong_users_mock::body::PageBody;
use httpmock::prelude::*;
use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn get_user_sends_get_with_the_id_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users/234599484848423")
                .header("authorization", basic_header())
                .is_true(|request| request.body().is_empty());
            then.status(200)
                .body(json!({"requestId": "r1", "user": user(7)}).to_string());
        })
        .await;
    let user = fast_client(&server.base_url())
        .get_user("234599484848423")
        .send()
        .await
        .unwrap();
    assert_eq!(user.first_name.as_deref(), Some("First7"));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn get_user_of_an_unknown_id_is_not_found_and_not_retried() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users/1");
            then.status(404).body(gong_error("r404", "User not found"));
        })
        .await;
    let error = fast_client(&server.base_url())
        .get_user("1")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(error.api().unwrap().messages, ["User not found"]);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn ids_that_are_not_1_to_20_digits_fail_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let client = fast_client(&server.base_url());
    for id in ["", "12a", "123456789012345678901", "../1"] {
        let error = client.get_user(id).send().await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::InvalidRequest(_)),
            "{id}: {error}"
        );
        let error = client.user_settings_history(id).send().await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::InvalidRequest(_)),
            "{id}: {error}"
        );
    }
    let error = client.get_users(["1", "x"]).send().await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::InvalidRequest(_)),
        "{error}"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_filtered_listing_posts_the_filter_and_sends_page_2s_cursor_in_the_body() {
    let server = MockServer::start_async().await;
    let filter = json!({
        "createdFromDateTime": "2024-01-01T00:00:00+00:00",
        "createdToDateTime": "2024-06-01T00:00:00+02:00",
        "includeAvatars": true,
    });
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/users/extensive")
                .header("content-type", "application/json")
                .query_param_missing("cursor")
                .json_body(json!({ "filter": filter }));
            then.status(200).body(
                PageBody::new("r1")
                    .total_records(2)
                    .users([user(1)])
                    .cursor(Some("c2"))
                    .render(),
            );
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/users/extensive")
                .query_param_missing("cursor")
                .json_body(json!({ "cursor": "c2", "filter": filter }));
            then.status(200).body(
                PageBody::new("r2")
                    .total_records(2)
                    .page_number(1)
                    .users([user(2)])
                    .render(),
            );
        })
        .await;
    let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let to = FixedOffset::east_opt(2 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 6, 1, 0, 0, 0)
        .unwrap();
    let users: Vec<User> = fast_client(&server.base_url())
        .list_users()
        .include_avatars(true)
        .created_from(from)
        .created_to(to)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_filtered_listing_resumes_from_a_cursor_with_the_same_filter() {
    let server = MockServer::start_async().await;
    let resumed = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/users/extensive")
                .json_body(json!({
                    "cursor": "saved",
                    "filter": {"createdFromDateTime": "2025-03-01T00:00:00+00:00"}
                }));
            then.status(200)
                .body(PageBody::new("r").users([user(9)]).render());
        })
        .await;
    let from = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
    let users: Vec<User> = fast_client(&server.base_url())
        .list_users()
        .created_from(from)
        .cursor("saved")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    resumed.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_filter_that_matches_nothing_is_an_empty_listing() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users/extensive");
            then.status(404).body(gong_error(
                "r404",
                "No users found corresponding to the provided filters",
            ));
        })
        .await;
    let users: Vec<User> = fast_client(&server.base_url())
        .list_users()
        .created_from(Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap())
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(users.is_empty());
}

/// Ids `1..=n` as Gong-shaped strings.
fn ids(range: std::ops::RangeInclusive<u64>) -> Vec<String> {
    range
        .map(|n| format!("{}", 9_007_199_254_740_000u64 + n))
        .collect()
}

#[tokio::test]
async fn get_users_batches_250_ids_into_3_requests_and_keeps_the_order_given() {
    let server = MockServer::start_async().await;
    // The ids asked for, in an order of their own: 250 down to 1, plus two unknown ones.
    let mut asked: Vec<String> = ids(1..=250).into_iter().rev().collect();
    asked.insert(10, "99999999999999999999".into());
    asked.push("22".into());
    let mut batches = Vec::new();
    for batch in asked.chunks(100) {
        let known: Vec<Value> = batch
            .iter()
            .filter_map(|id| id.parse::<u64>().ok())
            .filter(|n| *n > 9_007_199_254_740_000)
            .map(|n| user(n - 9_007_199_254_740_000))
            .rev() // Gong answers in an order of its own
            .collect();
        let body = PageBody::new("r").users(known).render();
        let batch = batch.to_vec();
        batches.push(
            server
                .mock_async(|when, then| {
                    when.method(POST)
                        .path("/v2/users/extensive")
                        .json_body(json!({ "filter": { "userIds": batch } }));
                    then.status(200).body(body);
                })
                .await,
        );
    }
    let found = fast_client(&server.base_url())
        .get_users(asked.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(found.not_found(), ["99999999999999999999", "22"]);
    let got: Vec<&str> = found
        .users()
        .iter()
        .map(|u| u.id.as_deref().unwrap())
        .collect();
    let expected: Vec<&str> = asked
        .iter()
        .map(String::as_str)
        .filter(|id| !["99999999999999999999", "22"].contains(id))
        .collect();
    assert_eq!(got, expected);
    for batch in &batches {
        batch.assert_calls_async(1).await;
    }
    let error = found.into_all().unwrap_err();
    assert!(error.is_not_found());
    assert!(
        error.to_string().contains("99999999999999999999, 22"),
        "{error}"
    );
}

#[tokio::test]
async fn get_users_raw_keeps_gongs_bytes_and_a_batch_with_no_match_is_not_an_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users/extensive");
            then.status(404).body(gong_error(
                "r",
                "No users found corresponding to the provided filters",
            ));
        })
        .await;
    let (users, missing) = fast_client(&server.base_url())
        .get_users(["1", "2"])
        .send_raw()
        .await
        .unwrap()
        .into_parts();
    assert!(users.is_empty());
    assert_eq!(missing, ["1", "2"]);

    let server = MockServer::start_async().await;
    let raw_user = r#"{"id":"5","title":null,"n":1.50,"zz":1,"aa":2}"#;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users/extensive");
            then.status(200)
                .body(PageBody::new("r").users([raw_user]).render());
        })
        .await;
    let found = fast_client(&server.base_url())
        .get_users(["5"])
        .send_raw()
        .await
        .unwrap();
    let users: Vec<&str> = found.users().iter().map(RawUser::as_str).collect();
    assert_eq!(users, [raw_user]);
}

#[tokio::test]
async fn settings_history_is_a_get_and_keeps_unknown_settings_in_order() {
    let server = MockServer::start_async().await;
    let body = include_str!("../fixtures/history/unknown_setting_and_keys.json");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users/42/settings-history");
            then.status(200).body(body);
        })
        .await;
    let client = fast_client(&server.base_url());
    let history = client.user_settings_history("42").send().await.unwrap();
    assert_eq!(history.request_id(), Some("h2"));
    let settings: Vec<Option<&str>> = history
        .changes()
        .iter()
        .map(|c| c.setting.as_deref())
        .collect();
    assert_eq!(settings, [Some("aiSummariesEnabled"), Some("active"), None]);
    assert_eq!(
        history.changes()[0].extra["changedBy"],
        "712341234123412341"
    );

    let raw = client.user_settings_history("42").send_raw().await.unwrap();
    assert_eq!(
        raw.changes()[1].as_str(),
        r#"{"setting":"active","value":null,"time":null,"reason":{"code":7}}"#
    );
    assert_eq!(raw.decode().unwrap(), history);
    mock.assert_calls_async(2).await;
}
