//! Test your own code against FakeGong: no Gong account, no network, and the failures you want.
//!
//! Your code takes a `gong_users::Client`; in tests, point it at a FakeGong. This example runs
//! the same checks a `#[tokio::test]` in your crate would (add `gong-users-mock` to your
//! dev-dependencies).
//!
//! ```sh
//! cargo run -p gong-users-examples --example test_with_fakegong
//! ```

use std::collections::HashMap;

use futures::TryStreamExt as _;
use gong_users::{Client, RateLimit, RetryPolicy};
use gong_users_mock::{FakeGong, Faults};

/// The code under test: how many active users each manager has.
async fn active_reports_by_manager(
    client: &Client,
) -> Result<HashMap<String, usize>, gong_users::Error> {
    let mut reports = HashMap::new();
    let mut users = client.list_users().items();
    while let Some(user) = users.try_next().await? {
        if let (Some(manager), Some(true)) = (user.manager_id, user.active) {
            *reports.entry(manager).or_default() += 1;
        }
    }
    Ok(reports)
}

fn client_for(fake: &FakeGong) -> Client {
    fake.client_builder()
        .rate_limit(RateLimit::Off) // tests need not wait for Gong's quota
        .retry_policy(RetryPolicy::default().with_max_retries(10))
        .build()
        .expect("the client builds")
}

#[tokio::main]
async fn main() {
    // A well-behaved server: the answer matches what FakeGong serves.
    let fake = FakeGong::builder()
        .users(300)
        .start()
        .await
        .expect("FakeGong starts");
    let reports = active_reports_by_manager(&client_for(&fake))
        .await
        .expect("listing works");
    let expected = fake
        .expected_users(false)
        .iter()
        .filter(|u| u["active"] == true)
        .filter_map(|u| u["managerId"].as_str())
        .count();
    assert_eq!(reports.values().sum::<usize>(), expected);

    // A flaky one: a fifth of the requests fail, and the answer is still the same.
    let flaky = FakeGong::builder()
        .users(300)
        .page_size(20)
        .faults(Faults::mixed(0.2))
        .start()
        .await
        .expect("FakeGong starts");
    let again = active_reports_by_manager(&client_for(&flaky))
        .await
        .expect("retries absorb faults");
    assert_eq!(again, reports);
    let failed = flaky
        .requests()
        .iter()
        .filter(|r| r.status() != Some(200))
        .count();

    println!(
        "ok: {} managers; {failed} injected failures absorbed",
        reports.len()
    );
}
