//! Fleets: processes of one company share one pace, one daily budget and one OAuth token
//! through a real Redis, against FakeGong enforcing Gong's quota.

mod support;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use gong_users_mock::{FakeGong, Outcome};
use support::redis::RedisServer;
use support::{BIN, start_fake};

/// `gong-users ARGS` aimed at `fake`, sharing state through `redis`.
fn gong_users(fake: &FakeGong, redis: &RedisServer, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .envs(fake.env())
        .env("GONG_REDIS_URL", redis.url())
        .env("GONG_REDIS_PREFIX", "fleet-test");
    command
}

fn spawn(mut command: Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn count_429s(fake: &FakeGong) -> usize {
    fake.requests()
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::RateLimited { .. }))
        .count()
}

#[test]
fn three_processes_of_one_company_at_3_a_second_meet_no_429() {
    let redis = RedisServer::start();
    let fake = start_fake(
        FakeGong::builder()
            .users(50)
            .page_size(10)
            .rate_limit(3)
            .rate_limit_burst(1),
    );
    let started = Instant::now();
    let runs: Vec<Child> = (0..3)
        .map(|_| {
            spawn(gong_users(
                &fake.fake,
                &redis,
                &["list", "--format", "ndjson", "--max-retries", "0"],
            ))
        })
        .collect();
    for child in runs {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 50);
    }
    assert_eq!(count_429s(&fake.fake), 0, "one pace for the company");
    assert_eq!(fake.fake.requests().len(), 15);
    // 15 requests evenly spaced at 3 a second: 14 intervals of a third of a second.
    assert!(started.elapsed() >= Duration::from_millis(14 * 333 - 100));
}

#[test]
fn four_processes_with_one_oauth_app_and_no_shared_disk_all_complete() {
    let redis = RedisServer::start();
    let fake = start_fake(
        FakeGong::builder()
            .users(40)
            .page_size(20)
            .oauth("fleet-app", "fleet-secret", "fleet-first-refresh")
            .access_token_lifetime(Duration::from_secs(3600)),
    );
    let runs: Vec<Child> = (0..4)
        .map(|index| {
            let folder = std::env::temp_dir().join(format!("fleet-{}-{index}", std::process::id()));
            let mut command = gong_users(
                &fake.fake,
                &redis,
                &["list", "--format", "ndjson", "--rate-limit", "0"],
            );
            // Each on its own "machine": no token file shared.
            command.env("GONG_TOKEN_FILE", folder.join("token.json"));
            spawn(command)
        })
        .collect();
    for child in runs {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 40);
    }
    assert_eq!(fake.fake.oauth_refused(), 0, "no refresh token spent twice");
    assert_eq!(fake.fake.oauth_refreshes(), 1, "one refresh for the fleet");
}

#[test]
fn a_daily_budget_of_5_shared_by_two_runs_lets_exactly_5_requests_through() {
    let redis = RedisServer::start();
    let fake = start_fake(FakeGong::builder().users(30).page_size(10));
    let run = || {
        let mut command = gong_users(
            &fake.fake,
            &redis,
            &["list", "--format", "ndjson", "--rate-limit", "0"],
        );
        command.env("GONG_DAILY_QUOTA", "5");
        command.output().unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", stderr(&first));
    let started = Instant::now();
    let second = run();
    let text = stderr(&second);
    assert_eq!(second.status.code(), Some(4), "{text}");
    assert!(started.elapsed() < Duration::from_secs(5), "at once");
    assert!(
        text.contains("daily budget of 5 requests is spent"),
        "{text}"
    );
    assert!(text.contains("the budget frees at"), "{text}");
    assert!(text.contains("continue with: gong-users list"), "{text}");
    assert_eq!(String::from_utf8_lossy(&second.stdout).lines().count(), 20);
    assert_eq!(
        fake.fake.requests().len(),
        5,
        "exactly 5 requests reached Gong"
    );

    let quota = gong_users(&fake.fake, &redis, &["quota", "--format", "json"])
        .env("GONG_DAILY_QUOTA", "5")
        .output()
        .unwrap();
    assert!(quota.status.success(), "{}", stderr(&quota));
    let state: serde_json::Value = serde_json::from_slice(&quota.stdout).unwrap();
    assert_eq!(state["used_last_24_hours"], 5);
    assert_eq!(state["left"], 0);
    assert!(state["oldest_frees_in_seconds"].as_f64().unwrap() > 86_000.0);
}

#[test]
fn a_wrong_redis_url_exits_2_at_once_naming_the_server_never_the_password() {
    let fake = start_fake(FakeGong::builder().users(10));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // nothing listens there once the listener is dropped
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(["list", "--format", "ndjson"])
        .env_clear()
        .envs(fake.fake.env())
        .env(
            "GONG_REDIS_URL",
            format!("redis://fleet:hunter2-never-printed@127.0.0.1:{port}"),
        )
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(fake.fake.requests().is_empty(), "nothing was sent");
}
