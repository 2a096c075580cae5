//! What must never happen, tried against servers that misbehave the way Gong, its proxies and
//! overlapping jobs do: a listing that ends short without an error, a refresh token lost or
//! spent twice, a panic on a value from the server, a cursor that expired ending a listing.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use gong_users::{
    Client, Credentials, ErrorKind, Event, OAuthApp, RateLimit, StoreFuture, StoredTokens,
    TokenStore, User,
};
use gong_users_mock::{FakeGong, Outcome, TokenFault};
use httpmock::prelude::*;
use secrecy::ExposeSecret as _;
use serde_json::json;
use support::{fast_retries, page, user};

const CLIENT_ID: &str = "app-client-id";
const CLIENT_SECRET: &str = "app-client-secret-never-printed";
const FIRST_REFRESH: &str = "first-refresh-token-never-printed";

fn ids(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.id.clone().unwrap()).collect()
}

fn expected_ids(fake: &FakeGong) -> Vec<String> {
    fake.expected_users(false)
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn oauth_fake(users: usize, page_size: usize) -> FakeGong {
    FakeGong::builder()
        .users(users)
        .page_size(page_size)
        .oauth(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .start()
        .await
        .expect("FakeGong starts")
}

fn app(fake: &FakeGong) -> OAuthApp {
    OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .token_url(fake.token_url())
        .unwrap()
}

fn oauth_client(app: OAuthApp, on_event: impl Fn(&Event) + Send + Sync + 'static) -> Client {
    Client::builder()
        .credentials(Credentials::oauth(app))
        .rate_limit(RateLimit::Off)
        .retry_policy(fast_retries(3))
        .on_event(on_event)
        .build()
        .unwrap()
}

/// A store in memory that counts its calls; it can fail its saves, and hide what it holds
/// from its first load (as a store written by another process just after it was read).
#[derive(Clone, Default)]
struct MemoryStore {
    tokens: Arc<Mutex<Option<StoredTokens>>>,
    saves: Arc<AtomicUsize>,
    loads: Arc<AtomicUsize>,
    fail_saves: bool,
    hide_first_load: bool,
}

impl MemoryStore {
    fn refresh_token(&self) -> Option<String> {
        let tokens = self.tokens.lock().unwrap();
        tokens
            .as_ref()
            .map(|t| t.refresh_token.expose_secret().to_owned())
    }
}

impl TokenStore for MemoryStore {
    fn save<'a>(&'a self, tokens: &'a StoredTokens) -> StoreFuture<'a, ()> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        let result = if self.fail_saves {
            Err("disk full".into())
        } else {
            *self.tokens.lock().unwrap() = Some(tokens.clone());
            Ok(())
        };
        Box::pin(async move { result })
    }

    fn load(&self) -> StoreFuture<'_, Option<StoredTokens>> {
        let first = self.loads.fetch_add(1, Ordering::SeqCst) == 0;
        let tokens = if first && self.hide_first_load {
            None
        } else {
            self.tokens.lock().unwrap().clone()
        };
        Box::pin(async move { Ok(tokens) })
    }
}

#[tokio::test]
async fn a_panic_in_the_page_task_is_an_error_with_the_resume_cursor_never_a_short_listing() {
    let fake = FakeGong::builder()
        .users(60)
        .page_size(20)
        .start()
        .await
        .unwrap();
    let responses = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&responses);
    let client = fake
        .client_builder()
        .rate_limit(RateLimit::Off)
        .on_event(move |event| {
            if matches!(event, Event::Response { .. })
                && counted.fetch_add(1, Ordering::SeqCst) == 1
            {
                panic!("an event callback that panics on the second response");
            }
        })
        .build()
        .unwrap();
    let mut pages = client.list_users().pages();
    let first = pages.next().await.unwrap().expect("the first page arrives");
    let error = pages
        .next()
        .await
        .expect("the stream does not end: the listing is not over")
        .expect_err("the task's death is an error");
    assert!(
        matches!(error.kind(), ErrorKind::TaskFailed { .. }),
        "{error:?}"
    );
    assert_eq!(error.resume_cursor(), first.next_cursor());
    assert!(pages.next().await.is_none());
    // The cursor continues exactly where the first page ended.
    let rest: Vec<User> = fake
        .client_builder()
        .build()
        .unwrap()
        .list_users()
        .cursor(error.resume_cursor().unwrap())
        .items()
        .try_collect()
        .await
        .unwrap();
    let mut got = ids(&first.into_users());
    got.extend(ids(&rest));
    assert_eq!(got, expected_ids(&fake));
}

#[tokio::test]
async fn an_absurd_token_lifetime_panics_nothing_and_the_listing_completes() {
    let (tokens, api) = (
        MockServer::start_async().await,
        MockServer::start_async().await,
    );
    for expires_in in [json!(10000000000000000000u64), json!(-1), json!(1e308)] {
        tokens.reset_async().await;
        tokens
            .mock_async(|when, then| {
                when.method(POST).path("/oauth2/generate-customer-token");
                then.status(200).json_body(json!({
                    "access_token": "access-1", "refresh_token": "refresh-2",
                    "expires_in": expires_in, "api_base_url_for_customer": api.base_url(),
                }));
            })
            .await;
        api.reset_async().await;
        api.mock_async(|when, then| {
            when.path("/v2/users");
            then.status(200)
                .body(page(0, 2, vec![user(1), user(2)], None));
        })
        .await;
        let app = OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
            .token_url(tokens.url("/oauth2/generate-customer-token"))
            .unwrap();
        let users: Vec<User> = oauth_client(app, |_| {})
            .list_users()
            .items()
            .try_collect()
            .await
            .unwrap_or_else(|error| panic!("expires_in {expires_in}: {error}"));
        assert_eq!(users.len(), 2, "expires_in {expires_in}");
    }
}

#[tokio::test]
async fn a_store_that_fails_does_not_fail_the_run_and_says_so() {
    let fake = oauth_fake(50, 10).await;
    let store = MemoryStore {
        fail_saves: true,
        ..MemoryStore::default()
    };
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&warnings);
    let client = oauth_client(app(&fake).token_store(store.clone()), move |event| {
        if let Event::TokenNotSaved { error } = event {
            seen.lock().unwrap().push(error.clone());
        }
    });
    let users: Vec<User> = client.list_users().items().try_collect().await.unwrap();
    assert_eq!(ids(&users), expected_ids(&fake));
    assert_eq!(store.saves.load(Ordering::SeqCst), 1);
    assert_eq!(*warnings.lock().unwrap(), ["disk full"]);
    assert_eq!(fake.oauth_refused(), 0);
}

#[tokio::test]
async fn the_new_refresh_token_is_stored_even_when_the_rest_of_the_answer_is_unusable() {
    let tokens = MockServer::start_async().await;
    tokens
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/generate-customer-token");
            // No access token, and a customer host that is not a URL.
            then.status(200).json_body(json!({
                "refresh_token": "refresh-2", "api_base_url_for_customer": "not a url",
            }));
        })
        .await;
    let store = MemoryStore::default();
    let app = OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .token_url(tokens.url("/oauth2/generate-customer-token"))
        .unwrap()
        .token_store(store.clone());
    let error = oauth_client(app, |_| {})
        .get_user("1")
        .send()
        .await
        .unwrap_err();
    assert!(!error.to_string().contains("refresh-2"), "{error}");
    assert_eq!(store.refresh_token().as_deref(), Some("refresh-2"));
}

#[tokio::test]
async fn a_refresh_already_sent_completes_and_is_stored_when_the_listing_is_dropped() {
    let tokens = MockServer::start_async().await;
    let refresh = tokens
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/generate-customer-token");
            then.status(200)
                .delay(Duration::from_millis(400))
                .json_body(json!({
                    "access_token": "access-1", "refresh_token": "refresh-2", "expires_in": 3600,
                }));
        })
        .await;
    let store = MemoryStore::default();
    let app = OAuthApp::new(CLIENT_ID, CLIENT_SECRET, FIRST_REFRESH)
        .token_url(tokens.url("/oauth2/generate-customer-token"))
        .unwrap()
        .token_store(store.clone());
    let client = Client::builder()
        .base_url(tokens.base_url())
        .unwrap()
        .credentials(Credentials::oauth(app))
        .build()
        .unwrap();
    let listing = client.list_users().items().try_collect::<Vec<User>>();
    // Ctrl-C while the token request is in flight: the listing is dropped.
    let stopped = tokio::time::timeout(Duration::from_millis(100), listing).await;
    assert!(
        stopped.is_err(),
        "the listing was still waiting for its token"
    );
    assert_eq!(store.refresh_token(), None, "the answer has not come yet");
    client.close().await;
    assert_eq!(store.refresh_token().as_deref(), Some("refresh-2"));
    refresh.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_refresh_token_is_checked_against_the_store_once() {
    let fake = oauth_fake(30, 10).await;
    let store = MemoryStore {
        hide_first_load: true,
        ..MemoryStore::default()
    };
    // Another process refreshes first and stores the rotated token.
    let other = oauth_client(app(&fake).token_store(store.clone()), |_| {});
    other
        .get_user(expected_ids(&fake)[0].clone())
        .send()
        .await
        .unwrap();
    store.loads.store(0, Ordering::SeqCst);
    // This one read the store before the other wrote it: it still holds the spent token.
    let late = oauth_client(app(&fake).token_store(store.clone()), |_| {});
    let users: Vec<User> = late.list_users().items().try_collect().await.unwrap();
    assert_eq!(ids(&users), expected_ids(&fake));
    assert_eq!(fake.oauth_refused(), 1, "the spent token was refused once");
    assert_eq!(
        fake.oauth_refreshes(),
        1,
        "then the store's newer tokens were used: its access token, no second refresh"
    );
    assert_eq!(
        store.refresh_token(),
        fake.current_refresh_token(),
        "the store holds the token that works now"
    );
}

#[tokio::test]
async fn a_502_before_the_rotation_is_retried_and_an_answer_lost_after_it_is_named() {
    let fake = oauth_fake(10, 10).await;
    fake.queue_token_faults([TokenFault::BadGatewayBeforeRotation]);
    let users: Vec<User> = oauth_client(app(&fake), |_| {})
        .list_users()
        .items()
        .try_collect()
        .await
        .expect("a 502 before the rotation spends nothing: the retry works");
    assert_eq!(users.len(), 10);

    let fake = oauth_fake(10, 10).await;
    fake.queue_token_faults([TokenFault::AnswerLostAfterRotation]);
    let error = oauth_client(app(&fake), |_| {})
        .list_users()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::RefreshAnswerLost { .. }),
        "{error:?}"
    );
    assert!(error.is_auth());
    let text = format!("{error} {error:?}");
    assert!(text.contains("answer was lost"), "{text}");
    for secret in [
        FIRST_REFRESH,
        CLIENT_SECRET,
        "fake-refresh-",
        "fake-access-",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let outcomes: Vec<Outcome> = fake.requests().into_iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::TokenAnswerLost, Outcome::TokenRefused]);
}

#[tokio::test]
async fn an_expired_cursor_restarts_the_listing_and_every_user_comes_once() {
    let fake = FakeGong::builder()
        .users(100)
        .page_size(20)
        .cursor_ttl(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let restarts = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&restarts);
    let client = fake
        .client_builder()
        .rate_limit(RateLimit::Off)
        .on_event(move |event| {
            if let Event::ListingRestarted { restart, delivered } = event {
                seen.lock().unwrap().push((*restart, *delivered));
            }
        })
        .build()
        .unwrap();
    let mut pages = client.list_users().pages();
    let mut got = Vec::new();
    let mut number = 0;
    while let Some(page) = pages.next().await {
        got.extend(ids(&page.unwrap().into_users()));
        number += 1;
        if number == 2 {
            // A consumer held up (by a rate limit, a slow sink) past the cursor's life.
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    }
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no user twice");
    assert_eq!(got.len(), 100, "every user");
    let mut sorted = got.clone();
    sorted.sort();
    let mut expected = expected_ids(&fake);
    expected.sort();
    assert_eq!(sorted, expected);
    let restarts = restarts.lock().unwrap().clone();
    assert_eq!(restarts.len(), 1, "{restarts:?}");
    assert!(restarts[0].1 >= 40, "{restarts:?}");
}

#[tokio::test]
async fn cursors_that_keep_expiring_give_up_after_three_restarts() {
    // Each restart gets a page or two further before a cursor expires again: 20 pages take
    // more than three restarts.
    let fake = FakeGong::builder()
        .users(200)
        .page_size(10)
        .cursor_ttl(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let client = fake
        .client_builder()
        .rate_limit(RateLimit::Off)
        .build()
        .unwrap();
    let mut pages = client.list_users().pages();
    let error = loop {
        match pages.next().await.expect("the listing cannot finish") {
            Ok(_) => tokio::time::sleep(Duration::from_millis(300)).await,
            Err(error) => break error,
        }
    };
    assert!(error.is_cursor_expired(), "{error:?}");
    assert_eq!(
        error.resume_cursor(),
        None,
        "an expired cursor is no place to resume"
    );
    let first_pages = fake
        .requests()
        .iter()
        .filter(|r| r.query_param("cursor").is_none())
        .count();
    assert_eq!(first_pages, 4, "the first page, then three restarts");
}

#[tokio::test]
async fn a_listing_from_an_expired_cursor_fails_saying_so_without_the_cursor() {
    let fake = FakeGong::builder()
        .users(40)
        .page_size(20)
        .cursor_ttl(Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let client = fake.client_builder().build().unwrap();
    let first = client.list_users().send().await.unwrap();
    let cursor = first.next_cursor().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(120)).await;
    let error = client
        .list_users()
        .cursor(cursor.clone())
        .items()
        .try_collect::<Vec<User>>()
        .await
        .unwrap_err();
    assert!(error.is_cursor_expired(), "{error:?}");
    assert!(error.is_bad_response());
    assert_eq!(error.resume_cursor(), None);
    assert!(!error.to_string().contains(&cursor), "{error}");
}

#[tokio::test]
async fn two_clients_sharing_a_locked_store_refresh_once() {
    /// A store whose lock is a process-wide async mutex, as a file lock is across processes.
    #[derive(Clone, Default)]
    struct LockedStore {
        inner: MemoryStore,
        lock: Arc<tokio::sync::Mutex<()>>,
    }
    impl TokenStore for LockedStore {
        fn save<'a>(&'a self, tokens: &'a StoredTokens) -> StoreFuture<'a, ()> {
            self.inner.save(tokens)
        }
        fn load(&self) -> StoreFuture<'_, Option<StoredTokens>> {
            self.inner.load()
        }
        fn lock(&self) -> StoreFuture<'_, gong_users::TokenStoreLock> {
            Box::pin(async {
                let guard = Arc::clone(&self.lock).lock_owned().await;
                Ok(gong_users::TokenStoreLock::new(guard))
            })
        }
    }
    let fake = oauth_fake(40, 10).await;
    let store = LockedStore::default();
    let clients: Vec<Client> = (0..4)
        .map(|_| oauth_client(app(&fake).token_store(store.clone()), |_| {}))
        .collect();
    let listings = clients.iter().map(|client| {
        let client = client.clone();
        async move { client.list_users().items().try_collect::<Vec<User>>().await }
    });
    for users in futures::future::join_all(listings).await {
        assert_eq!(users.unwrap().len(), 40);
    }
    assert_eq!(
        fake.oauth_refreshes(),
        1,
        "one refresh, its access token reused"
    );
    assert_eq!(fake.oauth_refused(), 0);
}
