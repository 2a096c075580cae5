//! `get`, `history`, `list --created-from/--created-to`, `completions` and `man`, end to end
//! against FakeGong: what each writes (snapshotted where it is fixed by FakeGong's seed), the
//! requests they cost, and their exit statuses.

mod support;

use std::process::Output;

use gong_users_mock::FakeGong;
use serde_json::Value;
use support::{BIN, Fake, start_fake, subcommand};

fn fake(users: usize) -> Fake {
    start_fake(FakeGong::builder().users(users).avatars(2))
}

fn run(fake: &FakeGong, name: &str, args: &[&str]) -> Output {
    subcommand(fake, name, args)
        .args(["--rate-limit", "0"])
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8")
}

/// The ids of the fake's users, in listing order.
fn all_ids(fake: &FakeGong) -> Vec<String> {
    fake.expected_users(false)
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn get_writes_three_users_in_the_order_given_exactly_as_gong_sent_them() {
    let fake = fake(300);
    let users = fake.fake.expected_users(false);
    let picked = [&users[250], &users[3], &users[120]];
    let ids: Vec<&str> = picked.iter().map(|u| u["id"].as_str().unwrap()).collect();
    let mut args = ids.clone();
    args.extend(["--format", "ndjson"]);
    let output = run(&fake.fake, "get", &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    let expected: Vec<String> = picked.iter().map(|u| u.to_string()).collect();
    assert_eq!(
        lines, expected,
        "Gong's bytes, key order and nulls kept, in the order given"
    );
    assert_eq!(fake.fake.requests().len(), 1);
}

#[test]
fn get_of_250_ids_costs_3_requests_and_writes_every_format_as_list_does() {
    let fake = fake(250);
    let ids = all_ids(&fake.fake);
    for format in ["ndjson", "json", "csv", "table"] {
        fake.fake.clear_requests();
        let mut args: Vec<&str> = ids.iter().map(String::as_str).collect();
        args.extend(["--format", format]);
        let got = run(&fake.fake, "get", &args);
        assert!(got.status.success(), "{format}: {}", stderr(&got));
        assert_eq!(
            fake.fake.requests().len(),
            3,
            "{format}: 250 ids, 100 a request"
        );
        let listed = run(&fake.fake, "list", &["--format", format]);
        assert_eq!(
            stdout(&got),
            stdout(&listed),
            "{format}: get writes as list writes"
        );
    }
}

#[test]
fn get_names_each_unknown_id_on_stderr_still_writes_the_others_and_exits_6() {
    let fake = fake(50);
    let known = all_ids(&fake.fake)[7].clone();
    let output = run(
        &fake.fake,
        "get",
        &["11", known.as_str(), "22", "--format", "ndjson"],
    );
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 1);
    assert_eq!(
        stderr(&output),
        "not found: no user with id 11\nnot found: no user with id 22\n"
    );
}

#[test]
fn get_refuses_an_id_that_is_not_1_to_20_digits_before_any_request() {
    let fake = fake(10);
    for bad in ["12a", "123456789012345678901", "1.5", ""] {
        let output = run(&fake.fake, "get", &["1", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("1 to 20 digits"),
            "{}",
            stderr(&output)
        );
    }
    assert!(fake.fake.requests().is_empty());
}

#[test]
fn list_by_creation_time_spans_pages_and_a_range_that_matches_nothing_is_silent() {
    let fake = fake(1000);
    let output = run(
        &fake.fake,
        "list",
        &[
            "--created-from",
            "2018-01-01T00:00:00Z",
            "--created-to",
            "2022-01-01T00:00:00+00:00",
            "--format",
            "ndjson",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let from = chrono::DateTime::parse_from_rfc3339("2018-01-01T00:00:00Z").unwrap();
    let to = chrono::DateTime::parse_from_rfc3339("2022-01-01T00:00:00Z").unwrap();
    let expected: Vec<String> = fake
        .fake
        .expected_users(false)
        .iter()
        .filter(|u| {
            u["created"]
                .as_str()
                .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
                .is_some_and(|c| c >= from && c < to)
        })
        .map(Value::to_string)
        .collect();
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(expected.len() > 200);
    assert_eq!(lines, expected);

    let output = run(
        &fake.fake,
        "list",
        &[
            "--created-from",
            "2040-01-01T00:00:00Z",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        (stdout(&output).as_str(), stderr(&output).as_str()),
        ("", "")
    );
}

#[test]
fn a_time_without_an_offset_is_a_usage_error_that_shows_an_example() {
    let fake = fake(10);
    for bad in ["2024-01-01", "2024-01-01T00:00:00", "yesterday"] {
        let output = run(&fake.fake, "list", &["--created-from", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&output).contains("2024-01-01T00:00:00Z"),
            "{}",
            stderr(&output)
        );
    }
    assert!(fake.fake.requests().is_empty());
}

#[test]
fn history_writes_each_change_as_gong_sent_it_and_a_table_of_time_setting_value() {
    let fake = fake(20);
    let inactive = fake
        .fake
        .expected_users(false)
        .into_iter()
        .find(|u| u["active"] == Value::Bool(false))
        .unwrap();
    let id = inactive["id"].as_str().unwrap();
    let ndjson = run(&fake.fake, "history", &[id, "--format", "ndjson"]);
    assert!(ndjson.status.success(), "{}", stderr(&ndjson));
    let text = stdout(&ndjson);
    assert!(
        text.lines()
            .any(|l| l.contains(r#""changedBy":"712341234123412341""#))
    );
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(
        (&last["setting"], &last["value"]),
        (&Value::from("active"), &Value::from(false))
    );
    insta::assert_snapshot!("history_ndjson", text);
    for format in ["table", "csv", "json"] {
        let output = run(&fake.fake, "history", &[id, "--format", format]);
        assert!(output.status.success());
        insta::assert_snapshot!(format!("history_{format}"), stdout(&output));
    }
}

#[test]
fn history_of_an_unknown_user_names_it_and_exits_6() {
    let fake = fake(5);
    let output = run(&fake.fake, "history", &["404404"]);
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(stderr(&output), "not found: no user with id 404404\n");
}

#[test]
fn get_snapshots_every_format() {
    let fake = fake(5);
    let ids = all_ids(&fake.fake);
    for format in ["table", "csv", "json", "ndjson"] {
        let output = run(&fake.fake, "get", &[&ids[2], &ids[0], "--format", format]);
        assert!(output.status.success());
        insta::assert_snapshot!(format!("get_{format}"), stdout(&output));
    }
}

#[test]
fn the_sandbox_serves_get_history_and_filtered_lists() {
    let sandbox = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .args(["--sandbox", "--rate-limit", "0"])
            .env_clear()
            .output()
            .unwrap()
    };
    let listed = sandbox(&["list", "--format", "ndjson", "--limit", "3"]);
    let ids: Vec<String> = stdout(&listed)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let got = sandbox(&["get", &ids[2], &ids[0], "--format", "ndjson"]);
    assert!(got.status.success(), "{}", stderr(&got));
    assert_eq!(stdout(&got).lines().count(), 2);
    let history = sandbox(&["history", &ids[1], "--format", "ndjson"]);
    assert!(history.status.success(), "{}", stderr(&history));
    assert!(stdout(&history).lines().count() >= 2);
    let filtered = sandbox(&[
        "list",
        "--created-from",
        "2020-01-01T00:00:00Z",
        "--format",
        "ndjson",
    ]);
    assert!(filtered.status.success(), "{}", stderr(&filtered));
    let count = stdout(&filtered).lines().count();
    assert!(count > 0 && count < 250, "{count}");
}

#[test]
fn completions_and_the_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let output = std::process::Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success());
        let script = stdout(&output);
        assert!(
            script.contains("gong-users") && script.contains("history"),
            "{shell}"
        );
    }
    let man = std::process::Command::new(BIN).arg("man").output().unwrap();
    assert!(man.status.success());
    let roff = stdout(&man);
    assert!(roff.starts_with(".ie") || roff.contains(".TH"), "{roff}");
    assert!(roff.contains("gong\\-users") || roff.contains("gong-users"));
}
