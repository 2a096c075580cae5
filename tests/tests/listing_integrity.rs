//! A listing never ends short without a word and never reads without bound: a 404 after a
//! cursor is an error carrying the cursor, a listing that comes up short of `totalRecords` says
//! so, a first-page 404 says it made the listing empty, and bodies past the bound are refused
//! by their `Content-Length` or cut off while streaming.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use gong_users::{Client, ErrorKind, Event, RateLimit, RetryPolicy, User};
use gong_users_mock::FakeGong;
use httpmock::prelude::*;
use support::*;

/// A client for `server` that records the events it reports.
fn recording_client(base_url: &str) -> (Client, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let client = fast_builder(base_url)
        .on_event(move |event| seen.lock().unwrap().push(event.clone()))
        .build()
        .unwrap();
    (client, events)
}

async fn serve_404_for_cursor<'a>(server: &'a MockServer, cursor: &str) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param("cursor", cursor);
            then.status(404).body(gong_error(
                "r404",
                "No users found corresponding to the provided filters",
            ));
        })
        .await
}

#[tokio::test]
async fn a_404_for_a_later_page_is_an_error_with_its_cursor_not_the_end() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param_missing("cursor");
            then.status(200)
                .body(page(0, 450, (1..=2).map(user).collect(), Some("c2")));
        })
        .await;
    let gone = serve_404_for_cursor(&server, "c2").await;
    let (client, events) = recording_client(&server.base_url());
    let error = client
        .list_users()
        .items()
        .try_collect::<Vec<User>>()
        .await
        .expect_err("a 404 mid-listing must not end the listing as if complete");
    assert!(error.is_not_found(), "{error}");
    assert_eq!(error.resume_cursor(), Some("c2"));
    assert!(error.is_bad_response());
    assert!(!error.is_retryable());
    gone.assert_calls_async(1).await;
    assert!(
        !events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, Event::NoUsers { .. })),
        "a 404 after a cursor never means 'no users'"
    );
}

#[tokio::test]
async fn a_404_for_a_callers_resume_cursor_is_an_error_too() {
    let server = MockServer::start_async().await;
    serve_404_for_cursor(&server, "saved").await;
    let client = fast_client(&server.base_url());
    let error = client
        .list_users()
        .cursor("saved")
        .send()
        .await
        .expect_err("a resume cursor answered 404 is not an empty company");
    assert!(error.is_not_found());
    assert_eq!(error.resume_cursor(), Some("saved"));
}

#[tokio::test]
async fn a_first_page_404_is_an_empty_listing_that_says_so() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(404).body(gong_error("r404", "No users found"));
        })
        .await;
    let (client, events) = recording_client(&server.base_url());
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert!(users.is_empty());
    let events = events.lock().unwrap();
    let said: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::NoUsers {
                url,
                messages,
                request_id,
                filtered: false,
            } => Some((url.clone(), messages.clone(), request_id.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        said,
        [(
            format!("{}/v2/users", server.base_url()),
            vec!["No users found".to_owned()],
            Some("r404".to_owned())
        )]
    );
}

#[tokio::test]
async fn a_listing_short_of_total_records_says_so_and_still_succeeds() {
    let server = MockServer::start_async().await;
    serve_chain(&server, &[(None, 1, "c2")]).await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param("cursor", "c2");
            then.status(200).body(page(1, 9, vec![user(2)], None));
        })
        .await;
    let (client, events) = recording_client(&server.base_url());
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert_eq!(users.len(), 2);
    let short: Vec<_> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Event::ListingShort { expected, received } => Some((*expected, *received)),
            _ => None,
        })
        .collect();
    assert_eq!(short, [(9, 2)], "serve_chain announces 9 users, two came");
}

#[tokio::test]
async fn a_complete_listing_raises_no_short_event() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200)
                .body(page(0, 2, vec![user(1), user(2)], None));
        })
        .await;
    let (client, events) = recording_client(&server.base_url());
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert_eq!(users.len(), 2);
    assert!(
        !events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, Event::ListingShort { .. }))
    );
}

#[tokio::test]
async fn a_body_announced_past_the_bound_is_refused_unread_and_not_retried() {
    let server = MockServer::start_async().await;
    let body = page(0, 100, (1..=100).map(user).collect(), None);
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200).body(body.as_str());
        })
        .await;
    let client = fast_builder(&server.base_url())
        .max_body_bytes(4096)
        .build()
        .unwrap();
    let error = client.list_users().send().await.unwrap_err();
    match error.kind() {
        ErrorKind::BodyTooLarge {
            limit,
            content_length,
        } => {
            assert_eq!(*limit, 4096);
            assert_eq!(*content_length, Some(body.len() as u64));
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
    assert!(error.to_string().contains("4096-byte bound"), "{error}");
    assert!(error.is_bad_response() && !error.is_retryable());
    mock.assert_calls_async(1).await;
    // The same page within the default bound is fine.
    fast_client(&server.base_url())
        .list_users()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_endless_streamed_body_is_cut_off_at_the_bound() {
    let fake = FakeGong::builder()
        .users(300)
        .endless_page(Some(1))
        .start()
        .await
        .unwrap();
    let client = fake
        .client_builder()
        .rate_limit(RateLimit::Off)
        .retry_policy(RetryPolicy::none())
        .max_body_bytes(1 << 20)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .list_users()
        .items()
        .try_collect::<Vec<User>>()
        .await
        .expect_err("a body that never ends cannot be a page");
    assert!(
        matches!(
            error.kind(),
            ErrorKind::BodyTooLarge {
                limit: 1_048_576,
                content_length: None
            }
        ),
        "{error:?}"
    );
    assert!(
        error.resume_cursor().is_some(),
        "page 2 failed: resume there"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_base_url_ending_in_v2_is_a_configuration_error_that_names_the_fix() {
    let error = Client::builder()
        .base_url("https://us-55616.api.gong.io/v2")
        .unwrap_err();
    assert!(error.is_config());
    assert!(
        error
            .to_string()
            .contains("\"https://us-55616.api.gong.io\""),
        "{error}"
    );
}
