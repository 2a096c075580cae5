//! The client-side limiter against a FakeGong bucket of burst 1: requests must arrive evenly
//! spaced at the server's rate, so a limiter that runs 10% fast meets a 429 (the server forgives
//! only a fixed 3 ms of network and scheduling jitter, not a share of the interval), and one 10%
//! slow fails the throughput check. Retries are off in every test, so a 429 cannot be hidden by a
//! retry.

use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use gong_users::{Client, Event, RateLimit, RetryPolicy, User, WaitReason};
use gong_users_mock::{FakeGong, Outcome};

/// Users a page in these tests: small pages make many requests cheap.
const PAGE: usize = 10;

async fn fake_limited_to(per_second: u32, users: usize) -> FakeGong {
    FakeGong::builder()
        .users(users)
        .page_size(PAGE)
        .rate_limit(per_second)
        .rate_limit_burst(1)
        .start()
        .await
        .expect("FakeGong starts")
}

fn client(fake: &FakeGong, rate_limit: RateLimit) -> Client {
    fake.client_builder()
        .rate_limit(rate_limit)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn count_429s(fake: &FakeGong) -> usize {
    fake.requests()
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::RateLimited { .. }))
        .count()
}

#[tokio::test]
async fn a_limiter_at_the_servers_rate_meets_no_429() {
    let fake = fake_limited_to(5, 8 * PAGE).await;
    let users: Vec<User> = client(&fake, RateLimit::per_second(5))
        .list_users()
        .items()
        .try_collect()
        .await
        .expect("no 429 at the server's own rate");
    assert_eq!(users.len(), 8 * PAGE);
    assert_eq!(fake.requests().len(), 8);
    assert_eq!(count_429s(&fake), 0);
}

/// A limiter whose interval is `percent` shorter (or, negative, longer) than `per_second`'s:
/// `RateLimit` takes whole requests a second, so the test runs at a rate where 10% is whole.
fn off_by(per_second: u32, percent: i32) -> RateLimit {
    RateLimit::per_second(
        u32::try_from(i64::from(per_second) * i64::from(100 + percent) / 100).unwrap(),
    )
}

#[tokio::test]
async fn a_limiter_10_percent_too_fast_meets_a_429() {
    let fake = fake_limited_to(10, 8 * PAGE).await;
    let error = client(&fake, off_by(10, 10))
        .list_users()
        .items()
        .try_collect::<Vec<User>>()
        .await
        .expect_err("11 a second against a bucket of 10 a second, burst 1");
    assert!(error.is_rate_limited(), "{error}");
    assert_eq!(count_429s(&fake), 1);
}

#[tokio::test]
async fn a_limiter_at_the_rate_reaches_it_and_one_10_percent_slow_does_not() {
    // The throughput check: requests a second against the quota, measured over the listing
    // (first request to last, n - 1 intervals). At the rate: at least 95%; 10% slow: below.
    async fn throughput(limit: RateLimit) -> f64 {
        let fake = fake_limited_to(10, 21 * PAGE).await;
        let users: Vec<User> = client(&fake, limit)
            .list_users()
            .items()
            .try_collect()
            .await
            .expect("no 429 at or below the rate");
        assert_eq!(users.len(), 21 * PAGE);
        assert_eq!(count_429s(&fake), 0);
        let log = fake.requests();
        let span = log.last().unwrap().at - log.first().unwrap().at;
        (log.len() - 1) as f64 / span.as_secs_f64() / 10.0
    }
    let at_rate = throughput(RateLimit::per_second(10)).await;
    assert!(at_rate >= 0.95, "{:.3} of the quota at the rate", at_rate);
    let slow = throughput(off_by(10, -10)).await;
    assert!(
        slow < 0.95,
        "{:.3} of the quota 10% slow: the check must catch it",
        slow
    );
}

#[tokio::test]
async fn clones_share_one_limiter_and_stay_under_the_rate_together() {
    let fake = fake_limited_to(5, 4 * PAGE).await;
    let client = client(&fake, RateLimit::per_second(5));
    let other = client.clone();
    let (a, b) = tokio::join!(
        client.list_users().items().try_collect::<Vec<User>>(),
        other.list_users().items().try_collect::<Vec<User>>(),
    );
    assert_eq!(a.unwrap().len() + b.unwrap().len(), 8 * PAGE);
    assert_eq!(fake.requests().len(), 8);
    assert_eq!(count_429s(&fake), 0, "one limiter for both clones");
}

#[tokio::test]
async fn two_clients_with_their_own_limiters_do_not() {
    // The control for the test above: the same load from two separately built clients, each at
    // the full rate, must meet a 429; otherwise the shared-limiter test proves nothing.
    let fake = fake_limited_to(5, 4 * PAGE).await;
    let (one, two) = (
        client(&fake, RateLimit::per_second(5)),
        client(&fake, RateLimit::per_second(5)),
    );
    let (a, b) = tokio::join!(
        one.list_users().items().try_collect::<Vec<User>>(),
        two.list_users().items().try_collect::<Vec<User>>(),
    );
    assert!(a.is_err() || b.is_err());
    assert!(count_429s(&fake) >= 1);
}

#[tokio::test]
async fn gongs_default_of_3_a_second_end_to_end() {
    let fake = fake_limited_to(3, 5 * PAGE).await;
    let client = fake
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap(); // the default rate limit: Gong's 3 a second
    let started = Instant::now();
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(users.len(), 5 * PAGE);
    assert_eq!(count_429s(&fake), 0);
    // Five requests evenly spaced at 3 a second: four intervals of a third of a second.
    assert!(
        elapsed >= Duration::from_millis(4 * 333 - 50),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_retry_after_sent_as_an_http_date_is_honoured() {
    let fake = FakeGong::builder()
        .users(3 * PAGE)
        .page_size(PAGE)
        .rate_limit(1)
        .rate_limit_burst(1)
        .retry_after_http_date(true)
        .start()
        .await
        .unwrap();
    let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&waits);
    let client = fake
        .client_builder()
        .rate_limit(RateLimit::Off)
        .retry_policy(RetryPolicy::default().with_max_retry_after(Duration::from_secs(10)))
        .on_event(move |event| {
            if let Event::Waiting { reason, wait, .. } = event {
                seen.lock().unwrap().push((*reason, *wait));
            }
        })
        .build()
        .unwrap();
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert_eq!(users.len(), 3 * PAGE);
    let log = fake.requests();
    assert!(
        count_429s(&fake) >= 1,
        "without a limiter the bucket must answer 429"
    );
    // Every 429 was followed by a retry no earlier than the server allowed: the bucket would
    // have answered 429 again otherwise, and each page came in the end.
    let waits = waits.lock().unwrap();
    assert!(!waits.is_empty());
    for (reason, wait) in waits.iter() {
        assert_eq!(*reason, WaitReason::RetryAfter, "{waits:?}");
        assert!(*wait <= Duration::from_secs(3), "{wait:?}");
    }
    let pages = log
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Page { .. }))
        .count();
    assert_eq!(pages, 3);
}
