//! One record Gong shaped unexpectedly (a value of another type than the spec says) never fails
//! a csv or table export: it is written as Gong sent it, with one warning naming the record;
//! `--strict` fails instead, before any row of its page is written, with the command to continue
//! from that page.

use std::process::{Command, Output};

use httpmock::prelude::*;
use serde_json::{Value, json};
use support::BIN;

mod support;

/// Two pages: an ordinary user, then a page with the odd one between two ordinary ones.
fn serve(server: &MockServer) {
    let ordinary = |id: &str, name: &str| {
        json!({"id": id, "emailAddress": format!("{name}@example.com"), "active": true,
               "firstName": name, "settings": {"emailsImported": true},
               "spokenLanguages": [{"language": "en-US", "primary": true}]})
    };
    let odd = json!({"id": "2", "emailAddress": "odd@example.com", "active": "yes",
                     "firstName": "Odd", "settings": "weird",
                     "spokenLanguages": {"language": "fr-FR"}, "emailAliases": [1, "a@b.c"]});
    let page_1 = json!({"requestId": "r1", "records": {"totalRecords": 4, "cursor": "c2"},
                        "users": [ordinary("1", "Ann")]});
    let page_2 = json!({"requestId": "r2", "records": {"totalRecords": 4},
                        "users": [ordinary("10", "Bob"), odd, ordinary("3", "Cy")]});
    server.mock(|when, then| {
        when.path("/v2/users").query_param_missing("cursor");
        then.status(200).json_body(page_1);
    });
    server.mock(|when, then| {
        when.path("/v2/users").query_param("cursor", "c2");
        then.status(200).json_body(page_2);
    });
}

fn list(server: &MockServer, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("list")
        .args(args)
        .args(["--rate-limit", "0", "-q"])
        .env_clear()
        .env("GONG_BASE_URL", server.base_url())
        .env("GONG_ACCESS_KEY", "k")
        .env("GONG_ACCESS_KEY_SECRET", "s")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_odd_record_between_two_ordinary_ones_gives_every_csv_row_and_one_warning() {
    let server = MockServer::start();
    serve(&server);
    let output = list(&server, &["--format", "csv"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4, "every user a row");
    let column = |row: &csv::StringRecord, name: &str| {
        let index = headers.iter().position(|h| h == name).unwrap();
        row[index].to_owned()
    };
    let odd = &rows[2];
    assert_eq!(column(odd, "id"), "2");
    assert_eq!(column(odd, "active"), "yes", "a string as its text");
    assert_eq!(
        column(odd, "spokenLanguages"),
        r#"{"language":"fr-FR"}"#,
        "JSON as sent"
    );
    assert_eq!(column(odd, "emailAliases"), "1;a@b.c");
    assert_eq!(column(odd, "settings.emailsImported"), "");
    let extra: Value = serde_json::from_str(&column(odd, "extra")).unwrap();
    assert_eq!(extra, json!({"settings": "weird"}), "nothing dropped");
    assert_eq!(column(&rows[3], "primaryLanguage"), "en-US");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("user 2")
            && warnings[0].contains("active, emailAliases[0], settings, spokenLanguages"),
        "{stderr}"
    );
}

#[test]
fn every_format_writes_every_record() {
    let server = MockServer::start();
    serve(&server);
    for format in ["csv", "table", "ndjson", "json"] {
        let output = list(&server, &["--format", format]);
        let stdout = text(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            text(&output.stderr)
        );
        let records = match format {
            "csv" | "table" => stdout.lines().count() - 1,
            "ndjson" => stdout.lines().count(),
            _ => serde_json::from_str::<Vec<Value>>(&stdout).unwrap().len(),
        };
        assert_eq!(records, 4, "{format}: {stdout}");
    }
    let table = text(&list(&server, &["--format", "table"]).stdout);
    let odd_line = table.lines().find(|l| l.starts_with("Odd")).unwrap();
    assert!(odd_line.contains("yes"), "{odd_line}");
}

#[test]
fn strict_fails_naming_the_record_before_any_row_of_its_page_and_says_how_to_continue() {
    let server = MockServer::start();
    serve(&server);
    for format in ["csv", "table"] {
        let output = list(&server, &["--format", format, "--strict"]);
        let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(5), "{format}: {stderr}");
        assert_eq!(
            stdout.lines().count(),
            2,
            "{format}: the header and page 1's row: {stdout}"
        );
        assert!(
            stderr.contains("user 2") && stderr.contains("active"),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!(
                "continue with: gong-users list --format {format} --no-header --strict --base-url {} --cursor c2",
                server.base_url()
            )) || stderr.contains(&format!(
                "continue with: gong-users list --format {format} --no-header --strict --cursor c2"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn history_and_get_are_tolerant_too_and_strict_on_request() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/users/7/settings-history");
        then.status(200)
            .json_body(json!({"requestId": "r", "userSettingsHistory": [
                {"setting": "active", "value": "off", "time": "2024-03-01T10:00:00-08:00"},
                {"setting": "emailsImported", "value": true, "time": "2024-03-02T10:00:00-08:00"},
            ]}));
    });
    server.mock(|when, then| {
        when.method(POST).path("/v2/users/extensive");
        then.status(200)
            .json_body(json!({"requestId": "r", "records": {"totalRecords": 1},
            "users": [{"id": "7", "active": 1}]}));
    });
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env_clear()
            .env("GONG_BASE_URL", server.base_url())
            .env("GONG_ACCESS_KEY", "k")
            .env("GONG_ACCESS_KEY_SECRET", "s")
            .output()
            .unwrap()
    };
    let output = run(&["history", "7", "--format", "csv"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.contains(",active,off,"), "{stdout}");
    assert!(
        stderr.contains("settings change without an id") || stderr.contains("value"),
        "{stderr}"
    );
    let output = run(&["history", "7", "--format", "table", "--strict"]);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "", "nothing written");

    let output = run(&["get", "7", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("user 7"));
    let output = run(&["get", "7", "--format", "csv", "--strict"]);
    assert_eq!(output.status.code(), Some(5));
}
