//! The binary never ends a listing short without a word, never reads without bound, and an
//! interrupted run says where to resume: SIGINT/SIGTERM mid-listing against FakeGong, then a
//! resume with the printed cursor gives every user exactly once; a 404 after a cursor exits 5;
//! an endless body exits 5 within bounded memory; a `/v2` base URL exits 2.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Child, Command, Output, Stdio};
use std::thread;

use gong_users_mock::FakeGong;
use httpmock::prelude::*;
use serde_json::Value;
use support::{BIN, command, start_fake};

mod support;

fn ids(ndjson: &str) -> Vec<String> {
    ndjson
        .lines()
        .map(|line| {
            let user: Value = serde_json::from_str(line).expect("every line is a whole record");
            user["id"].as_str().expect("an id").to_owned()
        })
        .collect()
}

fn expected_ids(fake: &FakeGong) -> Vec<String> {
    fake.expected_users(false)
        .iter()
        .map(|user| user["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Starts a listing, waits until `lines` lines of stdout came, sends `signal`, and returns the
/// whole stdout and the finished process's output.
fn interrupt_after(mut child: Child, lines: usize, signal: i32) -> (String, Output) {
    let stdout = child.stdout.take().expect("piped stdout");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let reader = thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut text = String::new();
        let mut line = String::new();
        let mut signalled = false;
        while reader.read_line(&mut line).expect("stdout reads") > 0 {
            text.push_str(&line);
            line.clear();
            if !signalled && text.lines().count() >= lines {
                // SAFETY: kill(2) with a pid of our own child and a valid signal number.
                unsafe { libc::kill(pid, signal) };
                signalled = true;
            }
        }
        assert!(signalled, "the listing ended before {lines} lines");
        text
    });
    let text = reader.join().expect("the reader thread");
    let output = child.wait_with_output().expect("the child ends");
    (text, output)
}

/// Waits until the process's main thread is blocked in write(2) (to a stdout nobody reads), as
/// `/proc/PID/syscall` shows it: proven, not assumed after a sleep.
fn wait_until_blocked_writing(pid: libc::pid_t) {
    #[cfg(target_arch = "x86_64")]
    const WRITE: &str = "1";
    #[cfg(target_arch = "aarch64")]
    const WRITE: &str = "64";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen = 0;
    loop {
        let syscall = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        // Blocked in the same write on two looks in a row, 50 ms apart.
        seen = if syscall.split(' ').next() == Some(WRITE) {
            seen + 1
        } else {
            0
        };
        if seen >= 2 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "stdout never blocked: {syscall}"
        );
        thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The command after "continue with: ", as printed (up to the note in parentheses).
fn continue_command(stderr: &str) -> String {
    let start = stderr
        .find("continue with: ")
        .unwrap_or_else(|| panic!("no command to continue with in: {stderr}"))
        + "continue with: ".len();
    let line = stderr[start..].lines().next().unwrap_or_default();
    line.split("  (").next().unwrap_or_default().to_owned()
}

/// Runs the printed command as a user pasting it into `sh` would, with the fake's environment,
/// appending its stdout to `append_to` when given; returns its output.
fn paste(fake: &FakeGong, printed: &str, append_to: Option<&std::path::Path>) -> Output {
    let rest = printed
        .strip_prefix("gong-users ")
        .unwrap_or_else(|| panic!("not a gong-users command: {printed}"));
    let mut script = format!("'{BIN}' {rest}");
    if let Some(file) = append_to {
        script.push_str(&format!(" >> '{}'", file.display()));
    }
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .env_clear()
        .envs(fake.env())
        .output()
        .expect("sh runs the pasted command")
}

#[test]
fn sigint_mid_listing_then_resume_gives_every_user_exactly_once() {
    let fake = start_fake(FakeGong::builder().users(3000));
    let child = command(&fake.fake, &["--format", "ndjson", "--rate-limit", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (first, output) = interrupt_after(child, 350, libc::SIGINT);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let first = ids(&first);
    assert_eq!(first.len() % 100, 0, "whole pages only: {}", first.len());
    assert!(first.len() < 3000, "interrupted before the end");
    assert!(
        stderr.contains(&format!(
            "interrupted by SIGINT: {} users written",
            first.len()
        )),
        "{stderr}"
    );
    let printed = continue_command(&stderr);
    assert!(printed.contains("--format ndjson"), "{printed}");
    let rest = paste(&fake.fake, &printed, None);
    assert!(
        rest.status.success(),
        "{}",
        String::from_utf8_lossy(&rest.stderr)
    );
    let mut all = first;
    all.extend(ids(&String::from_utf8(rest.stdout).unwrap()));
    assert_eq!(
        all,
        expected_ids(&fake.fake),
        "none lost, none twice, in order"
    );
}

#[test]
fn sigterm_closes_the_json_array_and_exits_143() {
    let fake = start_fake(FakeGong::builder().users(2000));
    let child = command(&fake.fake, &["--format", "json", "--rate-limit", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (text, output) = interrupt_after(child, 150, libc::SIGTERM);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    let users: Vec<Value> = serde_json::from_str(&text).expect("a closed, valid JSON array");
    assert!(!users.is_empty() && users.len() < 2000);
    assert!(
        continue_command(&stderr).contains("--format json --cursor "),
        "{stderr}"
    );
    assert!(stderr.contains("a second JSON array"), "{stderr}");
}

#[test]
fn ctrl_c_on_a_csv_export_then_the_pasted_command_appended_gives_one_csv_with_every_user_once() {
    let fake = start_fake(FakeGong::builder().users(2000));
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("users.csv");
    let child = command(&fake.fake, &["--format", "csv", "--rate-limit", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (text, output) = interrupt_after(child, 350, libc::SIGINT);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    std::fs::write(&file, &text).unwrap();
    let printed = continue_command(&stderr);
    assert!(printed.contains("--format csv --no-header"), "{printed}");
    let rest = paste(&fake.fake, &printed, Some(&file));
    assert!(
        rest.status.success(),
        "{}",
        String::from_utf8_lossy(&rest.stderr)
    );
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let id_column = headers
        .iter()
        .position(|h| h == "id")
        .expect("an id column");
    let ids: Vec<String> = reader
        .records()
        .map(|row| row.expect("one valid CSV")[id_column].to_owned())
        .collect();
    assert!(
        !ids.iter().any(|id| id == "id"),
        "no second header in the middle of the file"
    );
    assert_eq!(ids, expected_ids(&fake.fake), "every user once, in order");
}

#[test]
fn a_signal_after_the_last_page_says_every_user_was_written() {
    // Two pages of about 40 KB each, and stdout a pipe (64 KiB) nobody reads until the signal:
    // the second, last page's write blocks, and the signal arrives with every user handed to
    // the writer.
    let fake = start_fake(FakeGong::builder().users(120).page_size(60));
    let mut child = command(&fake.fake, &["--format", "ndjson", "--rate-limit", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    wait_until_blocked_writing(pid);
    assert_eq!(fake.fake.requests().len(), 2, "both pages were fetched");
    // SAFETY: kill(2) with a pid of our own child and a valid signal number.
    unsafe { libc::kill(pid, libc::SIGINT) };
    // The signal is taken in by a task on another thread: give it a moment before the write
    // that blocks the main thread is let go on.
    thread::sleep(std::time::Duration::from_millis(300));
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(ids(&text), expected_ids(&fake.fake), "{stderr}");
    assert!(
        stderr.contains("every user was written; nothing to continue"),
        "{stderr} ({} bytes, {:?})",
        text.len(),
        output.status
    );
    assert!(!stderr.contains("continue with"), "{stderr}");
}

#[test]
fn sigint_writes_whole_csv_rows_only() {
    let fake = start_fake(FakeGong::builder().users(2000));
    let child = command(&fake.fake, &["--format", "csv", "--rate-limit", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (text, output) = interrupt_after(child, 150, libc::SIGINT);
    assert_eq!(output.status.code(), Some(130));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows = reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .expect("whole rows");
    assert_eq!(rows.len() % 100, 0, "whole pages of rows: {}", rows.len());
}

#[test]
fn a_404_after_a_cursor_exits_5_with_the_resume_hint() {
    let server = MockServer::start();
    let page = serde_json::json!({
        "requestId": "r1",
        "records": {"totalRecords": 450, "currentPageSize": 1, "currentPageNumber": 0, "cursor": "c2"},
        "users": [{"id": "1"}],
    });
    server.mock(|when, then| {
        when.path("/v2/users").query_param_missing("cursor");
        then.status(200).body(page.to_string());
    });
    server.mock(|when, then| {
        when.path("/v2/users").query_param("cursor", "c2");
        then.status(404)
            .body(r#"{"requestId":"r2","errors":["No users found corresponding to the provided filters"]}"#);
    });
    let output = Command::new(BIN)
        .args([
            "list",
            "--base-url",
            &server.base_url(),
            "--rate-limit",
            "0",
            "--format",
            "ndjson",
        ])
        .env_clear()
        .env("GONG_ACCESS_KEY", "k")
        .env("GONG_ACCESS_KEY_SECRET", "s")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "1 user written; continue with: gong-users list --format ndjson --base-url {} --cursor c2",
            server.base_url()
        )),
        "{stderr}"
    );
}

#[test]
fn an_empty_listing_from_a_404_says_so_in_one_line_and_exits_0() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/users");
        then.status(404)
            .body(r#"{"requestId":"r","errors":["No users found"]}"#);
    });
    let output = Command::new(BIN)
        .args([
            "list",
            "--base-url",
            &server.base_url(),
            "--rate-limit",
            "0",
            "--format",
            "ndjson",
        ])
        .env_clear()
        .env("GONG_ACCESS_KEY", "k")
        .env("GONG_ACCESS_KEY_SECRET", "s")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("No users found"), "{stderr}");
    assert!(
        stderr.contains(&format!("{}/v2/users", server.base_url())),
        "{stderr}"
    );
}

#[test]
fn a_listing_short_of_total_records_warns_in_one_line_and_exits_0() {
    let server = MockServer::start();
    let page = serde_json::json!({
        "requestId": "r1",
        "records": {"totalRecords": 450, "currentPageSize": 2, "currentPageNumber": 0},
        "users": [{"id": "1"}, {"id": "2"}],
    });
    server.mock(|when, then| {
        when.path("/v2/users");
        then.status(200).body(page.to_string());
    });
    let output = Command::new(BIN)
        .args([
            "list",
            "--base-url",
            &server.base_url(),
            "--rate-limit",
            "0",
            "--format",
            "ndjson",
        ])
        .env_clear()
        .env("GONG_ACCESS_KEY", "k")
        .env("GONG_ACCESS_KEY_SECRET", "s")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("2 users") && stderr.contains("450"),
        "{stderr}"
    );
}

#[test]
fn a_base_url_ending_in_v2_exits_2_naming_the_fix() {
    let output = Command::new(BIN)
        .args(["list", "--base-url", "https://us-55616.api.gong.io/v2"])
        .env_clear()
        .env("GONG_ACCESS_KEY", "k")
        .env("GONG_ACCESS_KEY_SECRET", "s")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("use \"https://us-55616.api.gong.io\""),
        "{stderr}"
    );
}

#[test]
fn a_second_sigint_exits_at_once_even_while_stdout_is_blocked() {
    let fake = start_fake(FakeGong::builder().users(20_000));
    // stdout is a pipe nobody reads: the listing soon blocks writing to it.
    let mut child = command(&fake.fake, &["--format", "ndjson", "--rate-limit", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    wait_until_blocked_writing(pid);
    for _ in 0..2 {
        // SAFETY: kill(2) with a pid of our own child and a valid signal number.
        unsafe { libc::kill(pid, libc::SIGINT) };
        thread::sleep(std::time::Duration::from_millis(200));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after the second SIGINT"
        );
        thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
}

#[test]
fn a_history_404_from_a_proxy_is_a_bad_response_not_an_unknown_user() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/users/123/settings-history");
        then.status(404)
            .header("content-type", "text/html")
            .body("<html><body>404 Not Found</body></html>");
    });
    let output = Command::new(BIN)
        .args(["history", "123", "--base-url", &server.base_url()])
        .env_clear()
        .env("GONG_ACCESS_KEY", "k")
        .env("GONG_ACCESS_KEY_SECRET", "s")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(!stderr.contains("not found: no user"), "{stderr}");
}

#[test]
fn a_base_url_with_v2_in_any_case_or_place_exits_2() {
    for url in ["http://127.0.0.1:9/V2", "http://127.0.0.1:9/v2/users"] {
        let output = Command::new(BIN)
            .args(["list", "--base-url", url])
            .env_clear()
            .env("GONG_ACCESS_KEY", "k")
            .env("GONG_ACCESS_KEY_SECRET", "s")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{url}: {stderr}");
        assert!(stderr.contains("use \"http://127.0.0.1:9\""), "{stderr}");
    }
}

#[test]
fn a_csv_page_refused_mid_listing_prints_the_command_to_continue() {
    let server = MockServer::start();
    let first = serde_json::json!({
        "requestId": "r1",
        "records": {"totalRecords": 2, "currentPageSize": 1, "currentPageNumber": 0, "cursor": "c2"},
        "users": [{"id": "1", "firstName": "Jon"}],
    });
    server.mock(|when, then| {
        when.path("/v2/users").query_param_missing("cursor");
        then.status(200).json_body(first);
    });
    server.mock(|when, then| {
        when.path("/v2/users").query_param("cursor", "c2");
        then.status(200)
            .body(r#"{"requestId":"r2","records":{"totalRecords":2},"users":[{"id":"2","settings":{"emailsImported":{"odd":1}}}]}"#);
    });
    let output = Command::new(BIN)
        .args(["list", "--format", "csv", "--strict", "--rate-limit", "0"])
        .env_clear()
        .env("GONG_BASE_URL", server.base_url())
        .env("GONG_ACCESS_KEY", "k")
        .env("GONG_ACCESS_KEY_SECRET", "s")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).lines().count(),
        2,
        "the header and the first page's row; nothing of the bad page"
    );
    assert!(
        continue_command(&stderr)
            .starts_with("gong-users list --format csv --no-header --strict --cursor c2"),
        "{stderr}"
    );
}

#[test]
fn an_expired_cursor_exits_5_saying_to_start_over_and_prints_no_cursor() {
    let fake = start_fake(
        FakeGong::builder()
            .users(40)
            .page_size(20)
            .cursor_ttl(std::time::Duration::from_millis(50)),
    );
    let first = command(&fake.fake, &["--format", "ndjson", "--limit", "20"])
        .output()
        .unwrap();
    assert!(first.status.success());
    // A cursor Gong issued, gone stale: take it from the fake's own answer.
    let cursor = {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = fake.fake.client_builder().build().unwrap();
        let page = runtime.block_on(client.list_users().send()).unwrap();
        page.next_cursor().unwrap().to_owned()
    };
    thread::sleep(std::time::Duration::from_millis(120));
    let output = command(&fake.fake, &["--format", "ndjson", "--cursor", &cursor])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("cursor has expired"), "{stderr}");
    assert!(stderr.contains("without --cursor"), "{stderr}");
    assert!(!stderr.contains(&cursor), "no cursor printed: {stderr}");
    assert!(!stderr.contains("continue with"), "{stderr}");
}

#[test]
fn history_stops_on_sigint_like_list() {
    let server = MockServer::start();
    let slow = server.mock(|when, then| {
        when.path("/v2/users/7/settings-history");
        then.status(200)
            .delay(std::time::Duration::from_secs(10))
            .body(r#"{"requestId":"r","userSettingsHistory":[]}"#);
    });
    let child = Command::new(BIN)
        .args(["history", "7", "--base-url", &server.base_url()])
        .env_clear()
        .env("GONG_ACCESS_KEY", "k")
        .env("GONG_ACCESS_KEY_SECRET", "s")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    // Wait until the request reached the server, then interrupt.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while slow.calls() == 0 {
        assert!(std::time::Instant::now() < deadline, "no request came");
        thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: kill(2) with a pid of our own child and a valid signal number.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let started = std::time::Instant::now();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGINT: nothing was written"),
        "{stderr}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
