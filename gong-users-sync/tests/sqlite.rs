//! Syncs into a real SQLite file, against httpmock (a company whose users change between syncs)
//! and FakeGong (listings that fail): versions closed and opened, deletions marked, counts
//! recorded, nothing changed by a failed or interrupted run, overlapping syncs one after the
//! other.

mod support;

use std::path::Path;

use gong_users::{RateLimit, RetryPolicy};
use gong_users_mock::FakeGong;
use gong_users_sync::{DatabaseUrl, Options, Outcome, SyncError, sync, sync_with};
use httpmock::prelude::*;
use rusqlite::Connection;
use serde_json::{Value, json};
use support::{client, committed, serve, serve_shifted_pages};

async fn run(server: &MockServer, path: &Path) -> Result<Outcome, SyncError> {
    sync(
        &client(&server.base_url()),
        &DatabaseUrl::Sqlite(path.to_owned()),
        std::future::pending(),
    )
    .await
}

fn rows(path: &Path, sql: &str) -> Vec<Vec<Value>> {
    let connection = Connection::open(path).unwrap();
    let mut statement = connection.prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            Ok((0..columns)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(n) => json!(n),
                    rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                    other => json!(format!("{other:?}")),
                })
                .collect())
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn syncs_keep_every_version_and_mark_deletions() {
    let server = MockServer::start();
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("users.db");
    serve(
        &server,
        &[
            r#"{"id":"1","emailAddress":"a@x.io","active":true,"n":1.50}"#,
            r#"{"id":"2","emailAddress":"b@x.io","active":true}"#,
            r#"{"id":"3","emailAddress":"c@x.io","active":true}"#,
        ],
    );
    let first = committed(run(&server, &db).await.unwrap());
    assert_eq!((first.counts.users_seen, first.counts.created), (3, 3));

    // 1 the same as JSON (other key order, spacing, number spelling); 2 deactivated; 3 gone;
    // 4 new.
    serve(
        &server,
        &[
            r#"{ "n": 1.5, "active": true, "emailAddress": "a@x.io", "id": "1" }"#,
            r#"{"id":"2","emailAddress":"b@x.io","active":false}"#,
            r#"{"id":"4","emailAddress":"d@x.io","active":true}"#,
        ],
    );
    let second = committed(run(&server, &db).await.unwrap()).counts;
    assert_eq!(
        (
            second.unchanged,
            second.deactivated,
            second.deleted,
            second.created
        ),
        (1, 1, 1, 1),
        "{second:?}"
    );
    let versions_of_2 = rows(
        &db,
        "SELECT change, valid_from, valid_to, active FROM gong_user_versions
         WHERE user_id = '2' ORDER BY valid_from",
    );
    assert_eq!(versions_of_2.len(), 2);
    assert_eq!(versions_of_2[0][0], "created");
    assert_eq!(versions_of_2[1][0], "deactivated");
    assert_eq!(
        versions_of_2[0][2], versions_of_2[1][1],
        "closed where the next opens"
    );
    assert_eq!(versions_of_2[1][2], Value::Null);
    let runs = rows(&db, "SELECT started_at FROM gong_sync_runs ORDER BY id");
    assert_eq!(versions_of_2[1][1], runs[1][0], "the run's start time");
    let three = rows(
        &db,
        "SELECT deleted_at, last_seen_at FROM gong_users WHERE id = '3'",
    );
    assert_eq!(
        three,
        [[runs[1][0].clone(), runs[0][0].clone()]],
        "seen last by run 1"
    );
    assert_eq!(
        rows(
            &db,
            "SELECT DISTINCT last_seen_at FROM gong_users WHERE id != '3'"
        ),
        [[runs[1][0].clone()]],
        "the others seen by run 2"
    );
    let open_of_3 = rows(
        &db,
        "SELECT count(*) FROM gong_user_versions WHERE user_id = '3' AND valid_to IS NULL",
    );
    assert_eq!(open_of_3[0][0], 0, "the deleted user's version is closed");
    let record_of_1 = rows(&db, "SELECT record FROM gong_users WHERE id = '1'");
    assert_eq!(
        record_of_1[0][0], r#"{"id":"1","emailAddress":"a@x.io","active":true,"n":1.50}"#,
        "an unchanged user keeps its record as first sent"
    );

    // Nothing changed: no version written.
    let before = rows(&db, "SELECT count(*) FROM gong_user_versions");
    let third = committed(run(&server, &db).await.unwrap()).counts;
    assert_eq!((third.unchanged, third.created, third.deleted), (3, 0, 0));
    assert_eq!(rows(&db, "SELECT count(*) FROM gong_user_versions"), before);
    assert_eq!(
        rows(&db, "SELECT last_seen_at FROM gong_users WHERE id = '3'"),
        [[runs[0][0].clone()]],
        "a deleted user's last_seen_at stays"
    );

    // 3 comes back.
    serve(
        &server,
        &[
            r#"{"id":"1","emailAddress":"a@x.io","active":true,"n":1.5}"#,
            r#"{"id":"2","emailAddress":"b@x.io","active":true}"#,
            r#"{"id":"3","emailAddress":"c@x.io","active":true}"#,
            r#"{"id":"4","emailAddress":"d@x.io","active":true}"#,
        ],
    );
    let fourth = committed(run(&server, &db).await.unwrap()).counts;
    assert_eq!((fourth.created, fourth.reactivated), (1, 1), "{fourth:?}");
    assert_eq!(
        rows(&db, "SELECT deleted_at FROM gong_users WHERE id = '3'")[0][0],
        Value::Null
    );
    let statuses = rows(
        &db,
        "SELECT status, users_seen, created, updated, deactivated, reactivated, deleted, unchanged
         FROM gong_sync_runs ORDER BY id",
    );
    assert_eq!(
        statuses,
        vec![
            vec![
                json!("succeeded"),
                json!(3),
                json!(3),
                json!(0),
                json!(0),
                json!(0),
                json!(0),
                json!(0)
            ],
            vec![
                json!("succeeded"),
                json!(3),
                json!(1),
                json!(0),
                json!(1),
                json!(0),
                json!(1),
                json!(1)
            ],
            vec![
                json!("succeeded"),
                json!(3),
                json!(0),
                json!(0),
                json!(0),
                json!(0),
                json!(0),
                json!(3)
            ],
            vec![
                json!("succeeded"),
                json!(4),
                json!(1),
                json!(0),
                json!(0),
                json!(1),
                json!(0),
                json!(2)
            ],
        ]
    );
}

#[tokio::test]
async fn a_listing_that_fails_after_two_pages_changes_nothing_and_is_recorded() {
    let fake = FakeGong::builder().users(300).start().await.unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = &folder.path().join("users.db");
    let db = DatabaseUrl::Sqlite(path.clone());
    let client = fake
        .client_builder()
        .rate_limit(RateLimit::Off)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    committed(sync(&client, &db, std::future::pending()).await.unwrap());
    let before = rows(path, "SELECT id, last_seen_at FROM gong_users ORDER BY id");
    fake.fail_page(Some(2));
    let error = sync(&client, &db, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(error, SyncError::Listing(_)), "{error:?}");
    assert_eq!(
        rows(path, "SELECT id, last_seen_at FROM gong_users ORDER BY id"),
        before
    );
    let last = rows(
        path,
        "SELECT status, users_seen, error FROM gong_sync_runs ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(last[0][0], "failed");
    assert_eq!(last[0][1], 200);
    let recorded = last[0][2].as_str().unwrap();
    assert!(recorded.contains("HTTP"), "{last:?}");
    assert!(
        !recorded.contains("cursor"),
        "a sync lists everyone again: no cursor to resume from: {recorded}"
    );
}

#[tokio::test]
async fn an_interrupted_sync_changes_nothing_and_is_recorded() {
    let fake = FakeGong::builder().users(300).start().await.unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = &folder.path().join("users.db");
    let db = DatabaseUrl::Sqlite(path.clone());
    let client = fake
        .client_builder()
        .rate_limit(RateLimit::per_second(20))
        .build()
        .unwrap();
    let stop = tokio::time::sleep(std::time::Duration::from_millis(70));
    let outcome = sync(&client, &db, stop).await.unwrap();
    assert!(
        matches!(outcome, Outcome::Interrupted { .. }),
        "{outcome:?}"
    );
    assert_eq!(rows(path, "SELECT count(*) FROM gong_users")[0][0], 0);
    assert_eq!(
        rows(path, "SELECT status FROM gong_sync_runs")[0][0],
        "interrupted"
    );
}

#[test]
fn two_syncs_at_once_both_succeed_one_after_the_other() {
    let server = MockServer::start();
    serve(
        &server,
        &[r#"{"id":"1","active":true}"#, r#"{"id":"2","active":true}"#],
    );
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("users.db");
    let syncs: Vec<_> = (0..2)
        .map(|_| {
            let (base_url, db) = (server.base_url(), db.clone());
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    sync(
                        &client(&base_url),
                        &DatabaseUrl::Sqlite(db),
                        std::future::pending(),
                    )
                    .await
                })
            })
        })
        .collect();
    for handle in syncs {
        committed(handle.join().unwrap().unwrap());
    }
    assert_eq!(
        rows(
            &db,
            "SELECT count(*) FROM gong_sync_runs WHERE status = 'succeeded'"
        )[0][0],
        2
    );
    assert_eq!(
        rows(&db, "SELECT count(*) FROM gong_user_versions")[0][0],
        2,
        "nothing doubled"
    );
    assert_eq!(
        rows(
            &db,
            "SELECT sum(created), sum(unchanged) FROM gong_sync_runs"
        )[0],
        vec![json!(2), json!(2)]
    );
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_untouched() {
    let server = MockServer::start();
    serve(&server, &[r#"{"id":"1"}"#]);
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("users.db");
    committed(run(&server, &db).await.unwrap());
    Connection::open(&db)
        .unwrap()
        .execute("UPDATE gong_schema_version SET version = 99", [])
        .unwrap();
    let error = run(&server, &db).await.unwrap_err();
    assert!(
        matches!(error, SyncError::NewerSchema { found: 99, .. }),
        "{error:?}"
    );
    assert_eq!(rows(&db, "SELECT count(*) FROM gong_sync_runs")[0][0], 1);
}

#[tokio::test]
async fn a_user_on_two_pages_is_one_user_as_listed_last() {
    let server = MockServer::start();
    serve_shifted_pages(&server);
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("users.db");
    for (run_number, expected) in [(1, (3, 3, 0)), (2, (3, 0, 3))] {
        let counts = committed(run(&server, &db).await.unwrap()).counts;
        assert_eq!(
            (counts.users_seen, counts.created, counts.unchanged),
            expected,
            "run {run_number}: {counts:?}"
        );
    }
    assert_eq!(
        rows(&db, "SELECT count(*) FROM gong_user_versions"),
        [[json!(3)]]
    );
    assert_eq!(
        rows(
            &db,
            "SELECT json_extract(record, '$.title') FROM gong_users WHERE id = '2'"
        ),
        [[json!("new")]]
    );
    let last_run = rows(&db, "SELECT max(started_at) FROM gong_sync_runs");
    assert_eq!(
        rows(&db, "SELECT DISTINCT last_seen_at FROM gong_users"),
        last_run,
        "every user seen by the last run"
    );
}

#[tokio::test]
async fn a_database_made_by_schema_version_1_is_migrated_keeping_every_row() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("users.db");
    Connection::open(&db)
        .unwrap()
        .execute_batch(&format!(
            "{}\nCREATE TABLE gong_schema_version (version INTEGER NOT NULL);
             INSERT INTO gong_schema_version VALUES (1);\n{}",
            include_str!("../migrations/sqlite/001_first_layout.sql"),
            include_str!("fixtures/v1-rows.sql"),
        ))
        .unwrap();
    let server = MockServer::start();
    // 1 and 2 as version 1 holds them (2 with its keys reordered), 3 still gone, 4 new.
    serve(
        &server,
        &[
            r#"{"active":true,"emailAddress":"one@example.com","id":"1"}"#,
            r#"{"id":"2","active":false,"emailAddress":"two@example.com"}"#,
            r#"{"active":true,"emailAddress":"four@example.com","id":"4"}"#,
        ],
    );
    let counts = committed(run(&server, &db).await.unwrap()).counts;
    assert_eq!(
        (counts.created, counts.unchanged, counts.deleted),
        (1, 2, 0),
        "the hashes of version 1 still hold: {counts:?}"
    );
    assert_eq!(
        rows(&db, "SELECT version FROM gong_schema_version"),
        [[json!(2)]]
    );
    let user = |id: &str| {
        rows(
            &db,
            &format!(
                "SELECT active, first_seen_at, deleted_at, json_extract(record, '$.emailAddress')
                 FROM gong_users WHERE id = '{id}'"
            ),
        )
    };
    let first = "2026-01-01T00:00:00.000Z";
    assert_eq!(
        user("1"),
        [[
            json!(1),
            json!(first),
            Value::Null,
            json!("one@example.com")
        ]]
    );
    assert_eq!(
        user("2"),
        [[
            json!(0),
            json!(first),
            Value::Null,
            json!("two@example.com")
        ]]
    );
    assert_eq!(
        user("3"),
        [[
            json!(1),
            json!(first),
            json!("2026-01-03T00:00:00.000Z"),
            json!("three@example.com")
        ]]
    );
    assert_eq!(user("4")[0][3], json!("four@example.com"));
    assert_eq!(
        rows(
            &db,
            "SELECT user_id, valid_from, valid_to, change FROM gong_user_versions
             WHERE user_id != '4' ORDER BY user_id, valid_from"
        ),
        [
            ["1", "2026-01-01T00:00:00.000Z", "", "created"],
            [
                "2",
                "2026-01-01T00:00:00.000Z",
                "2026-01-02T00:00:00.000Z",
                "created"
            ],
            ["2", "2026-01-02T00:00:00.000Z", "", "deactivated"],
            [
                "3",
                "2026-01-01T00:00:00.000Z",
                "2026-01-03T00:00:00.000Z",
                "created"
            ],
        ]
        .map(|row| row
            .map(|cell| if cell.is_empty() {
                Value::Null
            } else {
                json!(cell)
            })
            .to_vec())
    );
    assert_eq!(
        rows(
            &db,
            "SELECT count(*) FROM gong_sync_runs WHERE status = 'succeeded'"
        ),
        [[json!(4)]]
    );
}

#[tokio::test]
async fn with_history_a_deactivation_is_dated_when_gong_recorded_it() {
    let server = MockServer::start();
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("users.db");
    serve(
        &server,
        &[r#"{"id":"2","active":true}"#, r#"{"id":"5","active":true}"#],
    );
    committed(run(&server, &db).await.unwrap());
    // Deactivated a second after the first sync began, as Gong's history says (in -08:00).
    let first_start = rows(&db, "SELECT started_at FROM gong_sync_runs")[0][0].clone();
    let first_start = chrono::DateTime::parse_from_rfc3339(first_start.as_str().unwrap()).unwrap();
    let deactivated = first_start + chrono::Duration::seconds(1);
    let pacific = chrono::FixedOffset::west_opt(8 * 3600).unwrap();
    let gong_time = deactivated
        .with_timezone(&pacific)
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z");
    let expected = deactivated
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    serve(
        &server,
        &[
            r#"{"id":"2","active":false}"#,
            r#"{"id":"5","active":false}"#,
        ],
    );
    let history = format!(
        r#"{{"requestId":"h","userSettingsHistory":[
            {{"setting":"active","value":true,"time":"2020-01-01T00:00:00Z"}},
            {{"setting":"emailsImported","value":false,"time":"2024-03-02T00:00:00Z"}},
            {{"setting":"active","value":false,"time":"{gong_time}"}}]}}"#
    );
    server.mock(|when, then| {
        when.path("/v2/users/2/settings-history");
        then.status(200).body(history);
    });
    server.mock(|when, then| {
        // No entry for the change: dated at the run's start.
        when.path("/v2/users/5/settings-history");
        then.status(200)
            .body(r#"{"requestId":"h","userSettingsHistory":[]}"#);
    });
    let outcome = sync_with(
        &client(&server.base_url()),
        &DatabaseUrl::Sqlite(db.clone()),
        Options::default().with_history(true),
        std::future::pending(),
    )
    .await
    .unwrap();
    assert_eq!(committed(outcome).counts.deactivated, 2);
    let versions = rows(
        &db,
        "SELECT change, valid_from, valid_to FROM gong_user_versions WHERE user_id = '2' ORDER BY valid_from",
    );
    assert_eq!(versions[1][0], "deactivated");
    assert_eq!(versions[1][1], expected.as_str(), "Gong's time, in UTC");
    assert_eq!(
        versions[0][2], versions[1][1],
        "the old version closes then"
    );
    let run_start = rows(
        &db,
        "SELECT started_at FROM gong_sync_runs ORDER BY id DESC LIMIT 1",
    );
    let five = rows(
        &db,
        "SELECT valid_from FROM gong_user_versions WHERE user_id = '5' AND change = 'deactivated'",
    );
    assert_eq!(five[0][0], run_start[0][0]);
    assert_eq!(
        rows(&db, "SELECT id, active FROM gong_users ORDER BY id"),
        [[json!("2"), json!(0)], [json!("5"), json!(0)]],
        "each user shows its latest version, however it is dated"
    );
}
