//! The users operations against FakeGong, which serves them as Gong does: a filtered listing over
//! several pages, a filter that matches nothing, cursors bound to their filter, 250 ids in three
//! requests, unknown ids, settings histories with settings Gong has not documented.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, TimeZone as _, Utc};
use futures::TryStreamExt as _;
use gong_users::{Client, RateLimit, RetryPolicy, User};
use gong_users_mock::{FakeGong, Outcome};
use serde_json::{Value, json};

async fn fake(users: usize) -> FakeGong {
    FakeGong::builder()
        .users(users)
        .avatars(2)
        .start()
        .await
        .expect("FakeGong starts")
}

fn client(fake: &FakeGong) -> Client {
    fake.client_builder()
        .rate_limit(RateLimit::Off)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn ids(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.id.clone().unwrap()).collect()
}

fn created(user: &Value) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(user["created"].as_str()?).ok()
}

#[tokio::test]
async fn a_creation_time_range_over_several_pages_lists_exactly_the_users_in_it() {
    let fake = fake(1000).await;
    let from = Utc.with_ymd_and_hms(2018, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2022, 1, 1, 0, 0, 0).unwrap();
    let users: Vec<User> = client(&fake)
        .list_users()
        .created_from(from)
        .created_to(to)
        .items()
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = fake
        .expected_users(false)
        .iter()
        .filter(|u| created(u).is_some_and(|c| c >= from && c < to))
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        expected.len() > 200,
        "the range spans several pages: {}",
        expected.len()
    );
    assert_eq!(ids(&users), expected);
    let log = fake.requests();
    assert!(
        log.iter()
            .all(|r| r.method == "POST" && r.path == "/v2/users/extensive")
    );
    assert!(log.len() >= 3);
    for request in &log[1..] {
        let body: Value = serde_json::from_str(&request.body).unwrap();
        assert!(
            body["cursor"].is_string(),
            "the cursor goes in the body: {body}"
        );
        assert_eq!(
            body["filter"],
            json!({
                "createdFromDateTime": "2018-01-01T00:00:00+00:00",
                "createdToDateTime": "2022-01-01T00:00:00+00:00",
            })
        );
        assert!(request.query.is_empty());
    }
}

#[tokio::test]
async fn a_range_that_matches_nothing_is_empty_not_an_error() {
    let fake = fake(300).await;
    let users: Vec<User> = client(&fake)
        .list_users()
        .created_from(Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap())
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(users.is_empty());
    assert_eq!(fake.requests()[0].outcome, Outcome::NoUsers);
}

#[tokio::test]
async fn a_cursor_sent_with_a_changed_filter_gets_no_second_page() {
    let fake = fake(400).await;
    let client = client(&fake);
    let first = client
        .list_users()
        .created_from(Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).unwrap())
        .send()
        .await
        .unwrap();
    let cursor = first.next_cursor().expect("more pages").to_owned();
    let error = client
        .list_users()
        .created_from(Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap())
        .cursor(cursor.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}");
    assert_eq!(error.resume_cursor(), Some(cursor.as_str()));
}

#[tokio::test]
async fn a_cursor_in_the_query_string_of_a_post_gets_the_first_page_again() {
    let fake = fake(300).await;
    let page1 = client(&fake)
        .list_users()
        .created_from(Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).unwrap())
        .send()
        .await
        .unwrap();
    let cursor = page1.next_cursor().unwrap();
    // What Pipedream did: the cursor in the query string of the POST.
    let body = json!({"filter": {"createdFromDateTime": "2016-01-01T00:00:00+00:00"}});
    // The workspace builds reqwest without a default TLS provider (gong-users brings its own).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new()
        .post(format!("{}/v2/users/extensive", fake.base_url()))
        .query(&[("cursor", cursor)])
        .basic_auth(fake.access_key(), Some(fake.access_key_secret()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let again: Value = response.json().await.unwrap();
    assert_eq!(
        again["users"][0]["id"].as_str(),
        page1.users()[0].id.as_deref(),
        "page 1 again"
    );
}

#[tokio::test]
async fn get_users_finds_250_ids_in_3_requests_in_the_order_given() {
    let fake = fake(600).await;
    let all: Vec<String> = fake
        .expected_users(false)
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    let mut asked: Vec<String> = all.iter().rev().step_by(2).take(248).cloned().collect();
    asked.insert(5, "12345".into());
    asked.push("67890".into());
    let found = client(&fake).get_users(asked.clone()).send().await.unwrap();
    assert_eq!(found.not_found(), ["12345", "67890"]);
    let expected: Vec<String> = asked.iter().filter(|id| id.len() > 5).cloned().collect();
    assert_eq!(ids(found.users()), expected);
    assert_eq!(fake.requests().len(), 3, "250 ids, 100 a request");
    let unique: HashSet<&String> = expected.iter().collect();
    assert_eq!(unique.len(), 248);
}

#[tokio::test]
async fn get_user_finds_a_user_and_an_unknown_id_is_not_found() {
    let fake = fake(50).await;
    let client = client(&fake);
    let expected = &fake.expected_users(false)[7];
    let user = client
        .get_user(expected["id"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        user.email_address.as_deref(),
        expected["emailAddress"].as_str()
    );
    let error = client.get_user("404404").send().await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
}

#[tokio::test]
async fn histories_keep_undocumented_settings_and_show_deactivation() {
    let fake = fake(40).await;
    let client = client(&fake);
    let inactive = fake
        .expected_users(false)
        .into_iter()
        .find(|u| u["active"] == json!(false))
        .expect("some synthetic user is inactive");
    let history = client
        .user_settings_history(inactive["id"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let last = history.changes().last().unwrap();
    assert_eq!(
        (last.setting.as_deref(), last.value),
        (Some("active"), Some(false))
    );
    let undocumented = history
        .changes()
        .iter()
        .find(|c| c.setting.as_deref() == Some("aiSummariesEnabled"))
        .expect("an undocumented setting survives");
    assert!(undocumented.extra.contains_key("changedBy"));
    let error = client
        .user_settings_history("404404")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_not_found());
}
