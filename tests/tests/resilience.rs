//! The client against FakeGong misbehaving: faults, rate limits, a page that always fails, a slow
//! server, a repeated or bad cursor. Each test runs in a few seconds at most; rates are scaled up
//! (20 a second) to keep them fast.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use gong_users::{Client, Credentials, ErrorKind, Page, RateLimit, RawUser, RetryPolicy, User};
use gong_users_mock::{FakeGong, Fault, Faults, Outcome};
use serde_json::Value;

fn client_for(fake: &FakeGong, rate_limit: RateLimit, retry: RetryPolicy) -> Client {
    fake.client_builder()
        .rate_limit(rate_limit)
        .retry_policy(retry)
        .build()
        .unwrap()
}

fn quick_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(max_retries)
        .with_initial_backoff(Duration::from_millis(2))
        .with_max_backoff(Duration::from_millis(20))
        .with_max_retry_after(Duration::from_secs(5))
}

fn ids_of_users(users: &[User]) -> Vec<String> {
    users
        .iter()
        .map(|u| u.id.clone().expect("every synthetic user has an id"))
        .collect()
}

fn ids_of_values(users: &[Value]) -> Vec<String> {
    users
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn soak_50_pages_with_a_quarter_of_requests_faulted_lists_every_user_once_in_order() {
    let fake = FakeGong::builder()
        .users(1000)
        .page_size(20)
        .seed(2024)
        .faults(Faults::mixed(0.25))
        .start()
        .await
        .unwrap();
    let client = client_for(&fake, RateLimit::Off, quick_retries(12));
    let users: Vec<User> = client
        .list_users()
        .items()
        .try_collect()
        .await
        .expect("listing survives");

    assert_eq!(
        ids_of_users(&users),
        ids_of_values(&fake.expected_users(false))
    );
    for (user, sent) in users.iter().zip(fake.expected_users(false)) {
        assert_eq!(
            serde_json::to_value(user).unwrap(),
            without_nulls_of_known_fields(sent)
        );
    }
    let log = fake.requests();
    let pages = log
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Page { .. }))
        .count();
    assert_eq!(pages, 50);
    let mut faults: HashMap<String, usize> = HashMap::new();
    for request in &log {
        if let Outcome::Fault(fault) = request.outcome {
            *faults.entry(format!("{fault:?}")).or_default() += 1;
        }
    }
    let faulted: usize = faults.values().sum();
    assert!(
        faulted * 100 / log.len() >= 15,
        "about a quarter faulted: {faults:?} of {}",
        log.len()
    );
    for kind in [
        Fault::InternalError,
        Fault::BadGatewayHtml,
        Fault::Unavailable,
        Fault::TruncatedBody,
        Fault::ConnectionReset,
    ] {
        assert!(
            faults.contains_key(&format!("{kind:?}")),
            "{kind:?} was injected: {faults:?}"
        );
    }
}

/// What a synthetic user looks like after decode and re-serialization: `null`s of known fields
/// are left out, everything else stays.
fn without_nulls_of_known_fields(mut user: Value) -> Value {
    let object = user.as_object_mut().unwrap();
    object.retain(|key, value| !(value.is_null() && key != "conferencingProviders"));
    user
}

#[tokio::test]
async fn without_the_limiter_429s_are_retried_never_before_retry_after() {
    let fake = FakeGong::builder()
        .users(300)
        .page_size(10)
        .rate_limit(20)
        .start()
        .await
        .unwrap();
    let client = client_for(&fake, RateLimit::Off, quick_retries(5));
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert_eq!(
        ids_of_users(&users),
        ids_of_values(&fake.expected_users(false))
    );

    let log = fake.requests();
    let limited: Vec<usize> = (0..log.len())
        .filter(|&i| matches!(log[i].outcome, Outcome::RateLimited { .. }))
        .collect();
    assert!(
        !limited.is_empty(),
        "the server must have limited the burst"
    );
    for &i in &limited {
        let Outcome::RateLimited { retry_after } = log[i].outcome else {
            unreachable!()
        };
        let next = log.get(i + 1).expect("a retry follows every 429");
        assert!(
            next.at - log[i].at >= Duration::from_secs(retry_after),
            "request {} came {:?} after a 429 asking for {retry_after}s",
            i + 1,
            next.at - log[i].at
        );
    }
}

#[tokio::test]
async fn a_retry_after_past_the_ceiling_is_returned_with_the_wait() {
    // One request a second, then a burst: Retry-After 1s, past a 0s ceiling.
    let fake = FakeGong::builder()
        .users(50)
        .page_size(10)
        .rate_limit(1)
        .start()
        .await
        .unwrap();
    let retry = quick_retries(5).with_max_retry_after(Duration::ZERO);
    let client = client_for(&fake, RateLimit::Off, retry);
    let error = client
        .list_users()
        .items()
        .try_collect::<Vec<User>>()
        .await
        .unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert!(
        error.resume_cursor().is_some(),
        "the second page's cursor is kept"
    );
    assert_eq!(fake.requests().len(), 2, "no retry past the ceiling");
}

#[tokio::test]
async fn a_page_that_always_fails_carries_its_cursor_and_the_listing_resumes_from_it() {
    let fake = FakeGong::builder().users(250).start().await.unwrap();
    fake.fail_page(Some(1));
    let client = client_for(&fake, RateLimit::Off, quick_retries(3));
    let mut pages = client.list_users().pages();
    let mut users = Vec::new();
    let error = loop {
        match pages.try_next().await {
            Ok(Some(page)) => users.extend(page.into_users()),
            Ok(None) => panic!("the listing must fail on page 1"),
            Err(error) => break error,
        }
    };
    assert_eq!(users.len(), 100);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(error.api().is_some(), "{error:?}");
    assert_eq!(error.attempts(), 4, "1 attempt + 3 retries");
    let failed = fake
        .requests()
        .iter()
        .filter(|r| r.status() == Some(500))
        .count();
    assert_eq!(failed, 4);

    fake.fail_page(None);
    let cursor = error.resume_cursor().expect("a resume cursor").to_owned();
    let rest: Vec<User> = client
        .list_users()
        .cursor(cursor)
        .items()
        .try_collect()
        .await
        .unwrap();
    users.extend(rest);
    assert_eq!(
        ids_of_users(&users),
        ids_of_values(&fake.expected_users(false))
    );
}

#[tokio::test]
async fn a_slow_server_times_out_and_each_attempt_is_retried() {
    let faults = Faults {
        slow: 1.0,
        slow_delay: Duration::from_millis(800),
        ..Faults::none()
    };
    let fake = FakeGong::builder()
        .users(10)
        .faults(faults)
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(fake.base_url())
        .unwrap()
        .credentials(Credentials::bearer(fake.bearer_token()))
        .rate_limit(RateLimit::Off)
        .retry_policy(quick_retries(2))
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.list_users().send().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(fake.requests().len(), 3);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_repeating_cursor_is_an_error_not_a_loop() {
    let fake = FakeGong::builder()
        .users(500)
        .repeat_cursor(true)
        .start()
        .await
        .unwrap();
    let client = client_for(&fake, RateLimit::Off, quick_retries(1));
    let error = client
        .list_users()
        .items()
        .try_collect::<Vec<User>>()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::RepeatedCursor { .. }),
        "{error:?}"
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_server_that_ignores_the_cursor_is_caught_by_the_repeated_page() {
    let fake = FakeGong::builder()
        .users(500)
        .ignore_cursor(true)
        .start()
        .await
        .unwrap();
    let client = client_for(&fake, RateLimit::Off, quick_retries(1));
    let error = client
        .list_users()
        .items()
        .try_collect::<Vec<User>>()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::RepeatedPage { users: 100, .. }),
        "{error:?}"
    );
    assert!(error.is_bad_response());
    assert_eq!(fake.requests().len(), 2);

    // Raw pages compare the users' bytes instead of their ids, and catch it too.
    let error = client
        .list_users()
        .raw_pages()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::RepeatedPage { users: 100, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn bad_and_expired_cursors_get_400_and_are_not_retried() {
    let fake = FakeGong::builder()
        .users(150)
        .cursor_ttl(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let client = client_for(&fake, RateLimit::Off, quick_retries(3));
    let error = client
        .list_users()
        .cursor("forged")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.resume_cursor(), Some("forged"));
    let error = client
        .list_users()
        .items()
        .try_collect::<Vec<User>>()
        .await
        .unwrap_err();
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(400),
        "page 2's cursor expired"
    );
    assert!(error.to_string().contains("expired"), "{error}");
    assert!(error.is_cursor_expired());
    // The forged cursor once; then page 1 and page 2 (expired at once), not retried, but
    // restarted from page 1 three times before giving up.
    assert_eq!(fake.requests().len(), 1 + 2 * (1 + 3));
}

#[tokio::test]
async fn avatars_only_when_asked_and_the_same_on_every_page() {
    let fake = FakeGong::builder()
        .users(150)
        .avatars(4)
        .start()
        .await
        .unwrap();
    let client = client_for(&fake, RateLimit::Off, quick_retries(1));
    let without: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert_eq!(without.len(), 150);
    let with: Vec<User> = client
        .list_users()
        .include_avatars(true)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        ids_of_users(&with),
        ids_of_values(&fake.expected_users(true))
    );
    let log = fake.requests();
    assert!(
        log[2..]
            .iter()
            .all(|r| r.query_param("includeAvatars") == Some("true"))
    );
}

#[tokio::test]
async fn an_empty_company_lists_nothing_and_wrong_credentials_fail() {
    let fake = FakeGong::builder()
        .users(0)
        .avatars(0)
        .start()
        .await
        .unwrap();
    let client = client_for(&fake, RateLimit::Off, quick_retries(1));
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert!(users.is_empty());
    assert_eq!(fake.requests()[0].outcome, Outcome::NoUsers);

    let wrong = Client::builder()
        .base_url(fake.base_url())
        .unwrap()
        .credentials(Credentials::basic(fake.access_key(), "wrong-secret"))
        .build()
        .unwrap();
    let error = wrong.list_users().send().await.unwrap_err();
    assert!(error.is_auth());
    assert_eq!(fake.requests()[1].auth_scheme, None);
}

#[tokio::test]
async fn raw_pages_pass_every_user_through_byte_for_byte_despite_faults() {
    let fake = FakeGong::builder()
        .users(600)
        .avatars(2)
        .page_size(50)
        .faults(Faults::mixed(0.25))
        .start()
        .await
        .unwrap();
    let client = client_for(&fake, RateLimit::Off, quick_retries(12));
    let pages: Vec<Page<RawUser>> = client
        .list_users()
        .include_avatars(true)
        .raw_pages()
        .try_collect()
        .await
        .unwrap();
    let received: Vec<&[u8]> = pages
        .iter()
        .flat_map(|page| page.users().iter().map(RawUser::as_bytes))
        .collect();
    let sent: Vec<String> = fake
        .expected_users(true)
        .iter()
        .map(Value::to_string)
        .collect();
    assert_eq!(received.len(), sent.len());
    for (received, sent) in received.iter().zip(&sent) {
        assert_eq!(*received, sent.as_bytes());
    }
}
