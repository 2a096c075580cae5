//! Every class of failure the client meets, what it returns, and how often it retried.
//! httpmock on 127.0.0.1; retries are fast (milliseconds) so the file runs in about a second.

mod support;

use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use gong_users::{Error, ErrorKind, User};
use httpmock::prelude::*;
use support::*;

async fn listing_error(server: &MockServer) -> (Vec<User>, Error) {
    let mut users = Vec::new();
    let mut stream = fast_client(&server.base_url()).list_users().items();
    while let Some(item) = stream.next().await {
        match item {
            Ok(user) => users.push(user),
            Err(error) => {
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after an error"
                );
                return (users, error);
            }
        }
    }
    panic!("the listing was expected to fail");
}

#[tokio::test]
async fn a_gong_404_is_an_empty_listing() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(404)
                .header("content-type", "application/json")
                .body(gong_error(
                    "r404",
                    "No users found corresponding to the provided filters",
                ));
        })
        .await;
    let client = fast_client(&server.base_url());
    let users: Vec<User> = client
        .list_users()
        .items()
        .try_collect()
        .await
        .expect("empty listing");
    assert!(users.is_empty());
    let page = client.list_users().send().await.expect("empty page");
    assert!(page.users().is_empty());
    assert_eq!(page.request_id(), Some("r404"));
    assert_eq!(page.next_cursor(), None);
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_404_that_is_not_gongs_is_an_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(404)
                .header("content-type", "application/json")
                .body(r#"{"message":"no route"}"#);
        })
        .await;
    let (_, error) = listing_error(&server).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn auth_failures_are_not_retried_and_name_gongs_request_id() {
    for status in [401, 403] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.path("/v2/users");
                then.status(status)
                    .body(gong_error("req-auth", "Access denied"));
            })
            .await;
        let (users, error) = listing_error(&server).await;
        assert!(users.is_empty());
        assert!(error.is_auth());
        assert_eq!(error.request_id(), Some("req-auth"));
        assert!(!error.is_retryable());
        let text = error.to_string();
        assert!(
            text.contains(&status.to_string())
                && text.contains("req-auth")
                && text.contains("Access denied"),
            "{text}"
        );
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_malformed_request_is_not_retried() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(400)
                .body(gong_error("req-400", "cursor is invalid"));
        })
        .await;
    let (_, error) = listing_error(&server).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_html_502_keeps_status_and_a_bounded_snippet_after_all_retries() {
    let server = MockServer::start_async().await;
    let html = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "x".repeat(5000)
    );
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(502)
                .header("content-type", "text/html")
                .body(html.as_str());
        })
        .await;
    let (_, error) = listing_error(&server).await;
    let Some(api) = error.api() else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(error.attempts(), 3);
    let snippet = api.body_snippet.as_deref().unwrap();
    assert!(
        snippet.starts_with("<html>") && snippet.len() < 600,
        "{snippet}"
    );
    assert!(error.is_retryable());
    mock.assert_calls_async(3).await;
}

#[tokio::test]
async fn an_empty_503_is_retried_then_reported() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(503);
        })
        .await;
    let (_, error) = listing_error(&server).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.to_string().contains("(empty body)"), "{error}");
    mock.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_retry_after_past_the_ceiling_returns_at_once_with_the_wait() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(429)
                .header("retry-after", "3600")
                .body(gong_error("req-429", "API request limit exceeded"));
        })
        .await;
    let (_, error) = listing_error(&server).await;
    assert!(error.is_rate_limited());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert!(error.to_string().contains("Retry-After 3600s"), "{error}");
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_wrong_type_names_its_json_path_and_is_not_retried() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200).body(
                r#"{"requestId":"req-bad","users":[{"id":"1"},{"id":"2","settings":{"emailsImported":"yes"}}]}"#,
            );
        })
        .await;
    let (_, error) = listing_error(&server).await;
    let ErrorKind::Decode(decode) = error.kind() else {
        panic!("expected a decode error, got {error:?}")
    };
    assert_eq!(decode.path, "users[1].settings.emailsImported");
    assert_eq!(decode.request_id.as_deref(), Some("req-bad"));
    assert!(!decode.truncated);
    assert!(error.is_bad_response() && !error.is_retryable());
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_html_200_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200)
                .header("content-type", "text/html")
                .body("<html>login</html>");
        })
        .await;
    let (_, error) = listing_error(&server).await;
    assert!(matches!(error.kind(), ErrorKind::Decode(_)), "{error:?}");
    assert!(error.to_string().contains("<html>login</html>"), "{error}");
}

#[tokio::test]
async fn a_json_body_cut_short_is_retried() {
    let server = MockServer::start_async().await;
    let full = page(0, 2, vec![user(1), user(2)], None);
    let cut = full[..full.len() / 2].to_owned();
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200).body(cut.as_str());
        })
        .await;
    let (_, error) = listing_error(&server).await;
    let ErrorKind::Decode(decode) = error.kind() else {
        panic!("expected a decode error, got {error:?}")
    };
    assert!(decode.truncated);
    assert!(error.is_retryable());
    mock.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_repeated_cursor_is_an_error_not_a_loop() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param_missing("cursor");
            then.status(200)
                .body(page(0, 300, vec![user(1)], Some("A")));
        })
        .await;
    let repeat = server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param("cursor", "A");
            then.status(200)
                .body(page(0, 300, vec![user(1)], Some("A")));
        })
        .await;
    let (users, error) = listing_error(&server).await;
    assert_eq!(users.len(), 1, "the repeated page is not yielded twice");
    assert!(
        matches!(error.kind(), ErrorKind::RepeatedCursor { cursor, .. } if cursor == "A"),
        "{error:?}"
    );
    assert!(error.is_bad_response());
    repeat.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_cursor_cycle_is_caught_too() {
    let server = MockServer::start_async().await;
    serve_chain(
        &server,
        &[(None, 1, "A"), (Some("A"), 2, "B"), (Some("B"), 3, "A")],
    )
    .await;
    let (users, error) = listing_error(&server).await;
    assert_eq!(users.len(), 2);
    assert!(
        matches!(error.kind(), ErrorKind::RepeatedCursor { cursor, .. } if cursor == "A"),
        "{error:?}"
    );
    assert_eq!(error.resume_cursor(), Some("B"));
}

#[tokio::test]
async fn a_failed_page_carries_its_cursor_and_the_listing_resumes_from_it() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param_missing("cursor");
            then.status(200)
                .body(page(0, 3, vec![user(1)], Some("page-2")));
        })
        .await;
    let failing = server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param("cursor", "page-2");
            then.status(500)
                .body(gong_error("req-500", "unexpected error"));
        })
        .await;
    let (users, error) = listing_error(&server).await;
    assert_eq!(users.len(), 1);
    assert_eq!(error.resume_cursor(), Some("page-2"));
    assert!(error.to_string().contains("page-2"), "{error}");
    failing.assert_calls_async(3).await;

    failing.delete_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users").query_param("cursor", "page-2");
            then.status(200)
                .body(page(1, 3, vec![user(2), user(3)], None));
        })
        .await;
    let rest: Vec<User> = fast_client(&server.base_url())
        .list_users()
        .cursor(error.resume_cursor().unwrap())
        .items()
        .try_collect()
        .await
        .expect("the resumed listing completes");
    assert_eq!(rest.len(), 2);
}

#[tokio::test]
async fn a_slow_server_times_out_and_is_retried() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200)
                .delay(Duration::from_millis(600))
                .body(page(0, 1, vec![user(1)], None));
        })
        .await;
    let client = fast_builder(&server.base_url())
        .timeout(Duration::from_millis(150))
        .retry_policy(fast_retries(1))
        .build()
        .unwrap();
    let error = client.list_users().send().await.expect_err("times out");
    assert!(error.is_timeout() && error.is_retryable(), "{error:?}");
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_cycle_of_fresh_cursors_over_the_same_pages_is_caught() {
    let server = MockServer::start_async().await;
    // Page 1, page 2, then page 1 again, each time under a cursor never seen before.
    serve_chain(
        &server,
        &[(None, 1, "A"), (Some("A"), 2, "B"), (Some("B"), 1, "C")],
    )
    .await;
    let (users, error) = listing_error(&server).await;
    assert_eq!(users.len(), 2);
    assert!(
        matches!(error.kind(), ErrorKind::RepeatedPage { users: 1, .. }),
        "{error:?}"
    );
    assert_eq!(error.resume_cursor(), Some("B"));
}
