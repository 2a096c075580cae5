//! `gong-users sync` as a user runs it: into SQLite from the sandbox, twice; a Ctrl-C in the
//! middle changes nothing; a database URL it cannot use is exit 2.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::BIN;

fn sync(folder: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("sync")
        .args(args)
        .current_dir(folder)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn query(db: &std::path::Path, sql: &str) -> Vec<Vec<String>> {
    let connection = rusqlite::Connection::open(db).unwrap();
    let mut statement = connection.prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            Ok((0..columns)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect())
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_sandbox_twice_then_nothing_changes() {
    let folder = tempfile::tempdir().unwrap();
    for expected in ["250 created", "250 unchanged"] {
        let output = sync(
            folder.path(),
            &[
                "--sandbox",
                "--sandbox-rate-limit",
                "100",
                "--rate-limit",
                "0",
            ],
        )
        .output()
        .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains("250 users seen") && stderr.contains(expected),
            "{stderr}"
        );
    }
    let db = folder.path().join("gong-users.db");
    assert_eq!(
        query(&db, "SELECT count(*) FROM gong_user_versions"),
        [["250"]]
    );
    assert_eq!(
        query(&db, "SELECT status FROM gong_sync_runs ORDER BY id"),
        [["succeeded"], ["succeeded"]]
    );
}

#[test]
fn ctrl_c_in_the_middle_changes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let child = sync(
        folder.path(),
        &["--sandbox", "--sandbox-users", "2000", "--rate-limit", "3"],
    )
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) with a pid of our own child and a valid signal number.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    let db = folder.path().join("gong-users.db");
    assert_eq!(query(&db, "SELECT count(*) FROM gong_users"), [["0"]]);
    assert_eq!(
        query(&db, "SELECT status FROM gong_sync_runs"),
        [["interrupted"]]
    );
}

#[test]
fn a_database_it_cannot_use_is_exit_2() {
    let folder = tempfile::tempdir().unwrap();
    for url in ["mysql://localhost/users", "sqlite://"] {
        let output = sync(folder.path(), &["--sandbox", "--database", url])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{url}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn sandbox_syncs_with_churn_build_a_history() {
    let folder = tempfile::tempdir().unwrap();
    let args = [
        "--sandbox",
        "--sandbox-churn",
        "8",
        "--sandbox-rate-limit",
        "100",
        "--rate-limit",
        "0",
    ];
    for _ in 0..2 {
        let output = sync(folder.path(), &args).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let db = folder.path().join("gong-users.db");
    let second = query(
        &db,
        "SELECT created, updated, deactivated, reactivated, deleted FROM gong_sync_runs ORDER BY id DESC LIMIT 1",
    );
    let changed: i64 = second[0].iter().map(|n| n.parse::<i64>().unwrap()).sum();
    assert!(changed > 0, "{second:?}");
    let closed: i64 = query(
        &db,
        "SELECT count(*) FROM gong_user_versions WHERE valid_to IS NOT NULL",
    )[0][0]
        .parse()
        .unwrap();
    assert!(closed > 0, "closed versions");
}
