//! Syncs into a real Postgres (started by the test, see `support`): the same semantics as
//! SQLite's, with records as `jsonb` and times as `timestamptz`.

mod support;

use gong_users::{RateLimit, RetryPolicy};
use gong_users_mock::FakeGong;
use gong_users_sync::{DatabaseUrl, Options, Outcome, SyncError, sync, sync_with};
use httpmock::prelude::*;
use support::{Postgres, client, committed, serve, serve_shifted_pages};
use tokio_postgres::NoTls;

async fn query(url: &str, sql: &str) -> Vec<Vec<String>> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .simple_query(sql)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).unwrap_or("NULL").to_owned())
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_version_fails_atomically_and_serializes_syncs() {
    let postgres = Postgres::start();
    let url = postgres.database("gong");
    let db = DatabaseUrl::parse(&url).unwrap();
    let server = MockServer::start_async().await;
    let mock_client = client(&server.base_url());
    let run = || sync(&mock_client, &db, std::future::pending());

    serve(
        &server,
        &[
            r#"{"id":"1","emailAddress":"a@x.io","active":true,"n":1.50}"#,
            r#"{"id":"2","emailAddress":"b@x.io","active":true}"#,
            r#"{"id":"3","emailAddress":"c@x.io","active":true}"#,
        ],
    );
    assert_eq!(committed(run().await.unwrap()).counts.created, 3);
    serve(
        &server,
        &[
            r#"{ "n": 1.5, "active": true, "emailAddress": "a@x.io", "id": "1" }"#,
            r#"{"id":"2","emailAddress":"b@x.io","active":false}"#,
            r#"{"id":"4","emailAddress":"d@x.io","active":true}"#,
        ],
    );
    let second = committed(run().await.unwrap()).counts;
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
    let versions = query(
        &url,
        "SELECT change, valid_from = lag(valid_to) OVER (ORDER BY valid_from), valid_to IS NULL
         FROM gong_user_versions WHERE user_id = '2' ORDER BY valid_from",
    )
    .await;
    assert_eq!(
        versions,
        [["created", "NULL", "f"], ["deactivated", "t", "t"]]
    );
    assert_eq!(
        query(
            &url,
            "SELECT deleted_at IS NOT NULL FROM gong_users WHERE id = '3'"
        )
        .await,
        [["t"]]
    );
    assert_eq!(
        query(
            &url,
            "SELECT jsonb_typeof(record) FROM gong_users WHERE id = '1'"
        )
        .await,
        [["object"]]
    );
    let before = query(&url, "SELECT count(*) FROM gong_user_versions").await;
    assert_eq!(committed(run().await.unwrap()).counts.unchanged, 3);
    assert_eq!(
        query(&url, "SELECT count(*) FROM gong_user_versions").await,
        before,
        "no version"
    );

    // A listing that fails after two pages changes nothing and is recorded.
    let fake = FakeGong::builder().users(300).start().await.unwrap();
    let fake_client = fake
        .client_builder()
        .rate_limit(RateLimit::Off)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let users_before = query(&url, "SELECT count(*), max(last_seen_at) FROM gong_users").await;
    fake.fail_page(Some(2));
    let error = sync(&fake_client, &db, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(error, SyncError::Listing(_)), "{error:?}");
    assert_eq!(
        query(&url, "SELECT count(*), max(last_seen_at) FROM gong_users").await,
        users_before
    );
    assert_eq!(
        query(
            &url,
            "SELECT status, users_seen FROM gong_sync_runs ORDER BY id DESC LIMIT 1"
        )
        .await,
        [["failed", "200"]]
    );

    // Two syncs at once: one after the other, nothing doubled.
    fake.fail_page(None);
    let (a, b) = tokio::join!(
        sync(&fake_client, &db, std::future::pending()),
        sync(&fake_client, &db, std::future::pending()),
    );
    let (a, b) = (committed(a.unwrap()).counts, committed(b.unwrap()).counts);
    assert_eq!(a.created + b.created, 300, "{a:?} {b:?}");
    assert_eq!(a.unchanged + b.unchanged, 300);
    assert_eq!(
        query(
            &url,
            "SELECT count(*) FROM gong_user_versions WHERE valid_to IS NULL"
        )
        .await,
        [["300"]]
    );

    // A database from a newer version is refused, untouched.
    query(&url, "UPDATE gong_schema_version SET version = 99").await;
    let error = sync(&fake_client, &db, std::future::pending())
        .await
        .unwrap_err();
    assert!(
        matches!(error, SyncError::NewerSchema { found: 99, .. }),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_database_made_by_schema_version_1_is_migrated_keeping_every_row() {
    let postgres = Postgres::start();
    let url = postgres.database("v1");
    query(
        &url,
        &format!(
            "{}\nCREATE TABLE gong_schema_version (version bigint NOT NULL);
             INSERT INTO gong_schema_version VALUES (1);\n{}",
            include_str!("../migrations/postgres/001_first_layout.sql"),
            include_str!("fixtures/v1-rows.sql"),
        ),
    )
    .await;
    let server = MockServer::start_async().await;
    // 1 and 2 as version 1 holds them (2 with its keys reordered), 3 still gone, 4 new.
    serve(
        &server,
        &[
            r#"{"active":true,"emailAddress":"one@example.com","id":"1"}"#,
            r#"{"id":"2","active":false,"emailAddress":"two@example.com"}"#,
            r#"{"active":true,"emailAddress":"four@example.com","id":"4"}"#,
        ],
    );
    let db = DatabaseUrl::parse(&url).unwrap();
    let outcome = sync(&client(&server.base_url()), &db, std::future::pending()).await;
    let counts = committed(outcome.unwrap()).counts;
    assert_eq!(
        (counts.created, counts.unchanged, counts.deleted),
        (1, 2, 0),
        "the hashes of version 1 still hold: {counts:?}"
    );
    assert_eq!(
        query(&url, "SELECT version FROM gong_schema_version").await,
        [["2"]]
    );
    assert_eq!(
        query(
            &url,
            "SELECT id, active::text, first_seen_at = '2026-01-01T00:00:00Z',
                 deleted_at IS NOT NULL, record->>'emailAddress'
             FROM gong_users ORDER BY id"
        )
        .await,
        [
            ["1", "true", "t", "f", "one@example.com"],
            ["2", "false", "t", "f", "two@example.com"],
            ["3", "true", "t", "t", "three@example.com"],
            ["4", "true", "f", "f", "four@example.com"],
        ]
    );
    assert_eq!(
        query(
            &url,
            "SELECT user_id, change, valid_to IS NULL FROM gong_user_versions
             ORDER BY user_id, valid_from"
        )
        .await,
        [
            ["1", "created", "t"],
            ["2", "created", "f"],
            ["2", "deactivated", "t"],
            ["3", "created", "f"],
            ["4", "created", "t"],
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_on_two_pages_is_one_postgres_user_as_listed_last() {
    let postgres = Postgres::start();
    let url = postgres.database("shifted");
    let db = DatabaseUrl::parse(&url).unwrap();
    let server = MockServer::start_async().await;
    serve_shifted_pages(&server);
    let client = client(&server.base_url());
    for (run_number, expected) in [(1, (3, 3, 0)), (2, (3, 0, 3))] {
        let outcome = sync(&client, &db, std::future::pending()).await;
        let counts = committed(outcome.unwrap()).counts;
        assert_eq!(
            (counts.users_seen, counts.created, counts.unchanged),
            expected,
            "run {run_number}: {counts:?}"
        );
    }
    assert_eq!(
        query(
            &url,
            "SELECT u.record->>'title', (SELECT count(*) FROM gong_user_versions)
             FROM gong_users u WHERE id = '2'"
        )
        .await,
        [["new", "3"]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_over_tls_as_each_sslmode_says() {
    let postgres = Postgres::start_with_tls();
    let url = postgres.database("tls");
    let server = MockServer::start_async().await;
    serve(&server, &[r#"{"id":"1","active":true}"#]);
    let client = client(&server.base_url());
    let sync_to = |query: String| {
        let db = DatabaseUrl::parse(&format!("{url}?{query}")).unwrap();
        let client = &client;
        async move { sync(client, &db, std::future::pending()).await }
    };
    // The server takes TLS only: each of these spoke it.
    let ca = postgres.ca();
    let ca = ca.display();
    for query in [
        "sslmode=prefer".to_owned(),
        "sslmode=require".to_owned(),
        format!("sslmode=verify-full&sslrootcert={ca}"),
        format!("sslmode=require&sslrootcert={ca}"),
    ] {
        let outcome = sync_to(query.clone()).await;
        assert!(
            matches!(outcome, Ok(Outcome::Done(_))),
            "{query}: {outcome:?}"
        );
    }
    // Without TLS the server says no; a certificate from an unknown CA is refused.
    let refused = sync_to("sslmode=disable".to_owned()).await.unwrap_err();
    assert!(matches!(refused, SyncError::Postgres(_)), "{refused:?}");
    let unknown = sync_to("sslmode=verify-full".to_owned()).await.unwrap_err();
    assert!(
        unknown.to_string().contains("UnknownIssuer"),
        "the error says why: {unknown}"
    );
    // And what the server said, when it said no.
    let db = DatabaseUrl::parse(&url.replace("/tls", "/nowhere")).unwrap();
    let missing = sync(&client, &db, std::future::pending())
        .await
        .unwrap_err();
    assert!(
        missing
            .to_string()
            .contains(r#"database "nowhere" does not exist"#),
        "{missing}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_history_postgres_dates_a_deactivation_when_gong_recorded_it() {
    let postgres = Postgres::start();
    let url = postgres.database("history");
    let db = DatabaseUrl::parse(&url).unwrap();
    let server = MockServer::start_async().await;
    let client = client(&server.base_url());
    serve(
        &server,
        &[r#"{"id":"2","active":true}"#, r#"{"id":"5","active":true}"#],
    );
    committed(sync(&client, &db, std::future::pending()).await.unwrap());
    serve(
        &server,
        &[
            r#"{"id":"2","active":false}"#,
            r#"{"id":"5","active":false}"#,
        ],
    );
    // 2: deactivated in 2099 as Gong's history says (in -08:00); 5: no entry, dated at the
    // run's start.
    server.mock(|when, then| {
        when.path("/v2/users/2/settings-history");
        then.status(200).body(
            r#"{"requestId":"h","userSettingsHistory":[
                {"setting":"active","value":false,"time":"2099-01-01T16:00:00.250-08:00"}]}"#,
        );
    });
    server.mock(|when, then| {
        when.path("/v2/users/5/settings-history");
        then.status(200)
            .body(r#"{"requestId":"h","userSettingsHistory":[]}"#);
    });
    let outcome = sync_with(
        &client,
        &db,
        Options::default().with_history(true),
        std::future::pending(),
    )
    .await;
    assert_eq!(committed(outcome.unwrap()).counts.deactivated, 2);
    assert_eq!(
        query(
            &url,
            "SELECT v.user_id, v.change,
                 v.valid_from = '2099-01-02T00:00:00.250Z',
                 v.valid_from = (SELECT max(started_at) FROM gong_sync_runs),
                 (SELECT valid_to FROM gong_user_versions c
                  WHERE c.user_id = v.user_id AND c.change = 'created') = v.valid_from
             FROM gong_user_versions v WHERE v.change = 'deactivated' ORDER BY v.user_id"
        )
        .await,
        [
            ["2", "deactivated", "t", "f", "t"],
            ["5", "deactivated", "f", "t", "t"]
        ]
    );
    assert_eq!(
        query(&url, "SELECT id, active::text FROM gong_users ORDER BY id").await,
        [["2", "false"], ["5", "false"]],
        "each user shows its latest version, however it is dated"
    );
}
