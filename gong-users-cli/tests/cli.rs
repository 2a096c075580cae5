//! The `gong-users` binary end to end against httpmock on 127.0.0.1: the four formats
//! (snapshotted), exit statuses and error messages (snapshotted), --limit, --cursor, and a
//! reader that closes stdout early.

use std::process::{Command, Output};

use httpmock::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_gong-users");
const PAGE_1: &str = include_str!("fixtures/page1.json");
const PAGE_2: &str = include_str!("fixtures/page2.json");
const SECRET: &str = "cli-secret-never-printed";

/// Serves the two fixture pages, checking `includeAvatars` on both.
fn two_page_server(include_avatars: bool) -> MockServer {
    let server = MockServer::start();
    let avatars = include_avatars.to_string();
    for (cursor, body) in [(None, PAGE_1), (Some("cursor-page-2"), PAGE_2)] {
        server.mock(|when, then| {
            let when = when.method(GET).path("/v2/users");
            let when = match cursor {
                Some(cursor) => when.query_param("cursor", cursor),
                None => when.query_param_missing("cursor"),
            };
            if include_avatars {
                when.query_param("includeAvatars", avatars.as_str());
            } else {
                when.query_param_missing("includeAvatars");
            }
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        });
    }
    server
}

/// Runs the binary with only the given environment (plus test credentials unless `env` says).
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

fn creds() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GONG_ACCESS_KEY", "cli-access-key"),
        ("GONG_ACCESS_KEY_SECRET", SECRET),
    ]
}

fn list(server: &MockServer, extra: &[&str]) -> Output {
    let base = server.base_url();
    let mut args = vec!["list", "--base-url", base.as_str(), "--rate-limit", "0"];
    args.extend_from_slice(extra);
    run(&args, &creds())
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    let text = String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8");
    assert!(
        !text.contains(SECRET),
        "the secret leaked to stderr: {text}"
    );
    text
}

macro_rules! snapshot_with_port_filtered {
    ($($snapshot:expr),+) => {
        insta::with_settings!({ filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]")] }, {
            insta::assert_snapshot!($($snapshot),+);
        });
    };
}

#[test]
fn formats() {
    for format in ["table", "json", "ndjson", "csv"] {
        let server = two_page_server(false);
        let output = list(&server, &["--format", format]);
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        assert_eq!(stderr(&output), "", "nothing on stderr by default");
        insta::assert_snapshot!(format!("format_{format}"), stdout(&output));
    }
}

#[test]
fn ndjson_is_the_default_when_stdout_is_not_a_terminal_and_keeps_gongs_values() {
    let server = two_page_server(true);
    let output = list(&server, &["--include-avatars"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON a line"))
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[1]["id"], "98765432109876543210");
    assert_eq!(lines[1]["created"], "2026-08-05T17:36:10.507+09:00");
    assert_eq!(lines[3]["workspaceIds"][1], "ws-2");
    assert_eq!(lines[3]["settings"]["aiSummariesEnabled"], true);
    assert_eq!(lines[3]["spokenLanguages"][0]["confidence"], 0.9);
}

#[test]
fn json_is_one_valid_array() {
    let server = two_page_server(false);
    let output = list(&server, &["--format", "json"]);
    let users: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).expect("an array");
    assert_eq!(users.len(), 5);
}

#[test]
fn csv_rows_parse_back_with_quoting() {
    let server = two_page_server(false);
    let output = list(&server, &["--format", "csv"]);
    let text = stdout(&output);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid CSV")).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(
        &rows[0][8],
        "Enterprise Account Executive, \"Night's Watch\""
    );
    assert_eq!(&rows[3][8], "Line one\nline two");
    // Unknown fields as Gong sent them (order and spacing kept), then nested records' ones.
    assert_eq!(
        &rows[3][23],
        r#"{"workspaceIds":["ws-1", "ws-2"],"settings":{"aiSummariesEnabled":true},"spokenLanguages":[{"confidence":0.9}]}"#
    );
}

#[test]
fn limit_stops_early() {
    let server = two_page_server(false);
    let output = list(&server, &["--limit", "2", "--format", "ndjson"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output).lines().count(), 2);
}

#[test]
fn cursor_resumes_a_listing() {
    let server = two_page_server(false);
    let output = list(
        &server,
        &["--cursor", "cursor-page-2", "--format", "ndjson"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 2);
}

#[test]
fn bearer_token_from_the_environment() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.path("/v2/users")
            .header("authorization", "Bearer cli-token");
        then.status(200).body(PAGE_2);
    });
    let base = server.base_url();
    let output = run(
        &["list", "--rate-limit", "0", "--format", "ndjson"],
        &[
            ("GONG_BEARER_TOKEN", "cli-token"),
            ("GONG_BASE_URL", base.as_str()),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    mock.assert();
}

/// Runs a failing listing and returns (exit status, stderr, stdout).
fn failure(
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/users");
        let mut then = then.status(status);
        for (name, value) in headers {
            then = then.header(*name, *value);
        }
        then.body(body);
    });
    let output = list(&server, extra);
    (
        output.status.code().unwrap_or(-1),
        stderr(&output),
        stdout(&output),
    )
}

#[test]
fn exit_statuses_and_messages() {
    let gong = |message: &str| format!(r#"{{"requestId":"req-cli","errors":["{message}"]}}"#);
    // (snapshot name, status, headers, body, expected exit status)
    type Case = (
        &'static str,
        u16,
        Vec<(&'static str, &'static str)>,
        String,
        i32,
    );
    let cases: Vec<Case> = vec![
        ("unauthorized", 401, vec![], gong("Access denied"), 3),
        (
            "forbidden",
            403,
            vec![],
            gong("Missing scope api:users:read"),
            3,
        ),
        (
            "rate_limited",
            429,
            vec![("retry-after", "7200")],
            gong("API request limit exceeded"),
            4,
        ),
        (
            "undecodable",
            200,
            vec![],
            r#"{"requestId":"req-bad","users":[{"id":"1"},"not a user"]}"#.into(),
            5,
        ),
        ("bad_request", 400, vec![], gong("Malformed request"), 1),
    ];
    for (name, status, headers, body, code) in cases {
        let (actual, err, _) = failure(status, &headers, &body, &["--format", "ndjson"]);
        assert_eq!(actual, code, "{name}: {err}");
        snapshot_with_port_filtered!(format!("error_{name}"), err);
    }
}

#[test]
fn a_failure_mid_listing_names_the_cursor_that_resumes_it() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/users").query_param_missing("cursor");
        then.status(200).body(PAGE_1);
    });
    let failing = server.mock(|when, then| {
        when.path("/v2/users")
            .query_param("cursor", "cursor-page-2");
        then.status(502)
            .header("content-type", "text/html")
            .body("<html><h1>502 Bad Gateway</h1></html>");
    });
    let output = list(&server, &["--format", "ndjson", "--max-retries", "1"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output).lines().count(),
        3,
        "the first page was written"
    );
    failing.assert_calls(2);
    snapshot_with_port_filtered!(stderr(&output));
}

#[test]
fn a_repeated_cursor_exits_5() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/users");
        then.status(200).body(PAGE_1);
    });
    let output = list(&server, &["--format", "ndjson"]);
    assert_eq!(output.status.code(), Some(5));
    assert_eq!(stdout(&output).lines().count(), 3);
    snapshot_with_port_filtered!(stderr(&output));
}

#[test]
fn configuration_errors_exit_2_before_any_request() {
    let output = run(&["list"], &[]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("error_no_credentials", stderr(&output));

    let output = run(&["list", "--base-url", "http://api.gong.io"], &creds());
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("error_insecure_url", stderr(&output));

    let output = run(&["list", "--format", "xml"], &creds());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_reader_that_closes_stdout_ends_the_run_quietly() {
    // Three pages of 100 users: more than a pipe buffers, so the writer meets the closed pipe.
    let server = MockServer::start();
    let user = |i: usize| {
        serde_json::json!({"id": i.to_string(), "emailAddress": format!("u{i}@example.com"),
                           "title": "x".repeat(200)})
    };
    for page in 0..3usize {
        let users: Vec<_> = (page * 100..page * 100 + 100).map(user).collect();
        let mut records = serde_json::json!({"totalRecords": 300, "currentPageNumber": page});
        if page < 2 {
            records["cursor"] = serde_json::json!(format!("c{}", page + 1));
        }
        let body =
            serde_json::json!({"requestId": "r", "records": records, "users": users}).to_string();
        server.mock(|when, then| {
            let when = when.path("/v2/users");
            if page == 0 {
                when.query_param_missing("cursor");
            } else {
                when.query_param("cursor", format!("c{page}"));
            }
            then.status(200).body(body);
        });
    }
    let script = format!(
        "set -o pipefail; '{BIN}' list --base-url '{}' --rate-limit 0 --format ndjson | head -n 1 >/dev/null",
        server.base_url()
    );
    let output = Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .envs(creds())
        .output()
        .expect("bash runs");
    assert_eq!(stderr(&output), "");
    assert!(output.status.success(), "exit {:?}", output.status.code());
}

/// Runs `list --sandbox --format ndjson --rate-limit 0` with `extra` flags and no environment.
fn sandbox(extra: &[&str]) -> Output {
    let mut args = vec![
        "list",
        "--sandbox",
        "--format",
        "ndjson",
        "--rate-limit",
        "0",
    ];
    args.extend_from_slice(extra);
    run(&args, &[])
}

#[test]
fn the_sandbox_lists_its_users_without_credentials() {
    let output = sandbox(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 250);
    let output = sandbox(&["--include-avatars", "--sandbox-users", "120"]);
    assert_eq!(stdout(&output).lines().count(), 123);
}

#[test]
fn the_sandbox_with_faults_still_lists_every_user_once() {
    let output = sandbox(&["--sandbox-faults", "0.3", "--sandbox-users", "600"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let ids: Vec<String> = stdout(&output)
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (600, 600));
}

#[test]
fn schema_prints_the_user_json_schema() {
    let output = run(&["schema"], &[]);
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(schema["title"], "User");
    insta::assert_snapshot!("schema", stdout(&output));
}

#[test]
fn help_texts() {
    for (name, args) in [
        ("help_main", vec!["--help"]),
        ("help_list", vec!["list", "--help"]),
        ("help_schema", vec!["schema", "--help"]),
        ("help_get", vec!["get", "--help"]),
        ("help_history", vec!["history", "--help"]),
        ("help_completions", vec!["completions", "--help"]),
    ] {
        let output = run(&args, &[]);
        assert!(output.status.success());
        insta::assert_snapshot!(name, stdout(&output));
    }
}
