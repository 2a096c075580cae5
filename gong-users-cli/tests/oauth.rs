//! The binary with OAuth against FakeGong's token endpoint: three runs in a row with the same
//! environment each succeed (the token file carries the rotated refresh token), the file's mode
//! and content, a re-authorized environment winning over the file, no secret in `-v` or
//! `RUST_LOG=trace` output, and a refused refresh token exiting 3.

mod support;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use gong_users_mock::FakeGong;
use support::{BIN, Fake, start_fake};

const CLIENT_SECRET: &str = "cli-oauth-client-secret-never-printed";
const FIRST_REFRESH: &str = "cli-first-refresh-never-printed";

fn oauth_fake(lifetime_s: u64) -> Fake {
    start_fake(
        FakeGong::builder()
            .users(200)
            .page_size(20)
            .oauth("cli-app", CLIENT_SECRET, FIRST_REFRESH)
            .access_token_lifetime(Duration::from_secs(lifetime_s)),
    )
}

/// `gong-users list` with the fake's OAuth environment, `refresh_token` in place of the first
/// one when given, and the token file at `token_file`.
fn list(
    fake: &FakeGong,
    token_file: &Path,
    refresh_token: Option<&str>,
    extra: &[(&str, &str)],
) -> Output {
    let mut command = std::process::Command::new(BIN);
    command
        .args(["list", "--format", "ndjson", "--rate-limit", "10"])
        .env_clear()
        .envs(fake.env())
        .env("GONG_TOKEN_FILE", token_file)
        .envs(extra.iter().copied());
    if let Some(token) = refresh_token {
        command.env("GONG_OAUTH_REFRESH_TOKEN", token);
    }
    command.output().expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn three_runs_in_a_row_with_the_same_environment_each_succeed() {
    let fake = oauth_fake(1);
    let folder = tempfile::tempdir().unwrap();
    let token_file = folder.path().join("config").join("token.json");
    for run in 1..=3 {
        let output = list(&fake.fake, &token_file, None, &[]);
        assert!(output.status.success(), "run {run}: {}", stderr(&output));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).lines().count(),
            200,
            "run {run}"
        );
    }
    assert_eq!(fake.fake.oauth_refused(), 0, "no refresh token used twice");
    assert!(fake.fake.oauth_refreshes() >= 3);

    let text = std::fs::read_to_string(&token_file).unwrap();
    let current = fake.fake.current_refresh_token().unwrap();
    assert!(
        text.contains(&current),
        "the file holds the newest refresh token"
    );
    assert!(
        !text.contains(CLIENT_SECRET),
        "never the client secret: {text}"
    );
    assert!(
        !text.contains(FIRST_REFRESH),
        "never the environment's token itself: {text}"
    );
    // The access token and its expiry, so an overlapping run reuses it instead of refreshing.
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        saved["access_token"]
            .as_str()
            .is_some_and(|token| token.starts_with("fake-access-")),
        "{text}"
    );
    assert!(
        saved["access_token_expires_at"].as_u64().is_some(),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn a_new_refresh_token_in_the_environment_wins_over_the_file() {
    let fake = oauth_fake(60);
    let folder = tempfile::tempdir().unwrap();
    let token_file = folder.path().join("token.json");
    assert!(list(&fake.fake, &token_file, None, &[]).status.success());
    // The app is re-authorized elsewhere: the file's refresh token is spent, and the environment
    // names the new one. Starting from the file would now get invalid_grant.
    let spent = fake.fake.current_refresh_token().unwrap();
    refresh_once(&fake.fake, &spent);
    let reauthorized = fake.fake.current_refresh_token().unwrap();
    assert_ne!(spent, reauthorized);
    let output = list(&fake.fake, &token_file, Some(&reauthorized), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(fake.fake.oauth_refused(), 0);
    // And the run after it starts from the file again.
    let output = list(&fake.fake, &token_file, Some(&reauthorized), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(fake.fake.oauth_refused(), 0);
}

/// Spends `refresh_token` with one refresh through the library, as another worker would.
fn refresh_once(fake: &FakeGong, refresh_token: &str) {
    let app = gong_users::OAuthApp::new("cli-app", CLIENT_SECRET, refresh_token)
        .token_url(fake.token_url())
        .unwrap();
    let client = gong_users::Client::builder()
        .credentials(gong_users::Credentials::oauth(app))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(client.list_users().send()).unwrap();
}

#[test]
fn no_secret_reaches_stderr_with_v_or_rust_log_trace() {
    let fake = oauth_fake(1);
    let folder = tempfile::tempdir().unwrap();
    let token_file = folder.path().join("token.json");
    for extra in [&[][..], &[("RUST_LOG", "trace")][..]] {
        let mut command = std::process::Command::new(BIN);
        let output = command
            .args(["list", "--format", "ndjson", "--rate-limit", "10", "-vv"])
            .env_clear()
            .envs(fake.fake.env())
            .env("GONG_TOKEN_FILE", &token_file)
            .envs(extra.iter().copied())
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let log = stderr(&output);
        assert!(log.len() > 1000, "logs were written: {log}");
        for secret in [
            CLIENT_SECRET,
            FIRST_REFRESH,
            "fake-access-",
            "fake-refresh-",
        ] {
            assert!(!log.contains(secret), "{secret} leaked with {extra:?}");
        }
    }
}

#[test]
fn a_refused_refresh_token_exits_3_and_says_to_re_authorize() {
    let fake = oauth_fake(60);
    let folder = tempfile::tempdir().unwrap();
    let output = list(
        &fake.fake,
        &folder.path().join("t.json"),
        Some("revoked-token"),
        &[],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("invalid_grant") && text.contains("re-authorize"),
        "{text}"
    );
    assert!(!text.contains("revoked-token"), "{text}");
}

#[test]
fn the_sandbox_runs_with_oauth_and_one_second_tokens() {
    let output = std::process::Command::new(BIN)
        .args([
            "list",
            "--sandbox",
            "--sandbox-oauth",
            "--sandbox-token-lifetime",
            "1",
        ])
        .args(["--format", "ndjson", "--rate-limit", "5"])
        .env_clear()
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 250);
}

#[test]
fn four_overlapping_runs_with_one_token_file_all_complete() {
    let fake = oauth_fake(3600);
    let folder = tempfile::tempdir().unwrap();
    let token_file = folder.path().join("token.json");
    let runs: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(BIN)
                .args(["list", "--format", "ndjson", "--rate-limit", "0"])
                .env_clear()
                .envs(fake.fake.env())
                .env("GONG_TOKEN_FILE", &token_file)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the binary runs")
        })
        .collect();
    for (run, child) in runs.into_iter().enumerate() {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "run {run}: {}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 200);
    }
    assert_eq!(fake.fake.oauth_refused(), 0, "no refresh token spent twice");
    assert_eq!(
        fake.fake.oauth_refreshes(),
        1,
        "one run refreshed; the others reused its access token"
    );
}

#[test]
fn an_unreadable_token_file_is_said_without_v() {
    let fake = oauth_fake(3600);
    let folder = tempfile::tempdir().unwrap();
    let token_file = folder.path().join("token.json");
    std::fs::write(&token_file, "{ not json").unwrap();
    let output = list(&fake.fake, &token_file, None, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("does not parse"),
        "{}",
        stderr(&output)
    );
}
