//! The Postgres store: records as `jsonb`, times as `timestamptz`, a page staged in one round
//! trip (`unnest` of arrays), the same set-based diff as SQLite's. A run holds a transaction-level
//! advisory lock from its first page to its commit: a second sync waits for it.

use std::collections::HashMap;

use tokio_postgres::{Client, NoTls};

use crate::SyncError;
use crate::canonical::Staged;
use crate::store::{RunTimes, Unfinished};
use crate::sync::Counts;

/// The lock every sync of a database takes (an arbitrary constant: "gong-users sync").
const SYNC_LOCK: i64 = 0x676f_6e67_7379_6e63;

/// The migrations, in order: the schema version after each is its position plus one.
const MIGRATIONS: &[&str] = &[r"
CREATE TABLE gong_users (
    id text PRIMARY KEY,
    email_address text,
    active boolean,
    record jsonb NOT NULL,
    record_hash text NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE TABLE gong_user_versions (
    user_id text NOT NULL REFERENCES gong_users (id),
    valid_from timestamptz NOT NULL,
    valid_to timestamptz,
    change text NOT NULL CHECK (change IN ('created', 'updated', 'deactivated', 'reactivated')),
    active boolean,
    record jsonb NOT NULL,
    record_hash text NOT NULL,
    PRIMARY KEY (user_id, valid_from)
);
CREATE UNIQUE INDEX gong_user_versions_current ON gong_user_versions (user_id)
    WHERE valid_to IS NULL;
CREATE TABLE gong_sync_runs (
    id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'interrupted')),
    users_seen bigint NOT NULL DEFAULT 0,
    created bigint NOT NULL DEFAULT 0,
    updated bigint NOT NULL DEFAULT 0,
    deactivated bigint NOT NULL DEFAULT 0,
    reactivated bigint NOT NULL DEFAULT 0,
    deleted bigint NOT NULL DEFAULT 0,
    unchanged bigint NOT NULL DEFAULT 0,
    error text
);
"];

/// A connected database, migrated.
pub(crate) struct Store {
    client: Client,
}

impl Store {
    /// Connects (without TLS: a database on this machine or a private network) and brings the
    /// schema up to date; refuses a newer one.
    pub(crate) async fn open(url: &str) -> Result<Self, SyncError> {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "the Postgres connection ended");
            }
        });
        let mut store = Self { client };
        store.migrate().await?;
        Ok(store)
    }

    /// A transaction holding the sync lock (waiting for another sync to end).
    async fn locked(&mut self) -> Result<tokio_postgres::Transaction<'_>, SyncError> {
        let transaction = self.client.transaction().await?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&SYNC_LOCK])
            .await?;
        Ok(transaction)
    }

    async fn migrate(&mut self) -> Result<(), SyncError> {
        let transaction = self.locked().await?;
        transaction
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS gong_schema_version (version bigint NOT NULL)",
            )
            .await?;
        let found: i64 = transaction
            .query_one(
                "SELECT coalesce(max(version), 0) FROM gong_schema_version",
                &[],
            )
            .await?
            .get(0);
        let known = MIGRATIONS.len() as i64;
        if found > known {
            return Err(SyncError::NewerSchema { found, known });
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            transaction.batch_execute(migration).await?;
            transaction
                .execute("DELETE FROM gong_schema_version", &[])
                .await?;
            let version = index as i64 + 1;
            transaction
                .execute(
                    "INSERT INTO gong_schema_version (version) VALUES ($1)",
                    &[&version],
                )
                .await?;
            tracing::info!(version, "database migrated");
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Starts a run: the sync lock (waiting for another sync), and the staging table.
    pub(crate) async fn begin(&mut self) -> Result<Run<'_>, SyncError> {
        let transaction = self.locked().await?;
        transaction
            .batch_execute(
                "CREATE TEMP TABLE gong_sync_staging (
                     id text PRIMARY KEY,
                     email_address text,
                     active boolean,
                     record jsonb,
                     record_hash text NOT NULL
                 ) ON COMMIT DROP",
            )
            .await?;
        let known = transaction
            .query(
                "SELECT id, record_hash FROM gong_users WHERE deleted_at IS NULL",
                &[],
            )
            .await?
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        Ok(Run { transaction, known })
    }

    /// Records a run that changed nothing (failed or interrupted).
    pub(crate) async fn record_unfinished(
        &mut self,
        run: &Unfinished<'_>,
    ) -> Result<(), SyncError> {
        self.client
            .execute(
                "INSERT INTO gong_sync_runs (started_at, finished_at, status, users_seen, error)
                 VALUES ($1::text::timestamptz, $2::text::timestamptz, $3, $4, $5)",
                &[
                    &run.started_at,
                    &run.finished_at,
                    &run.status,
                    &(run.users_seen as i64),
                    &run.error,
                ],
            )
            .await?;
        Ok(())
    }
}

/// A run in progress: the users staged so far, in the open transaction.
pub(crate) struct Run<'c> {
    transaction: tokio_postgres::Transaction<'c>,
    /// Each current user's record hash: a user the listing brings unchanged is staged without
    /// its record (most of a re-sync's writing saved).
    known: HashMap<String, String>,
}

impl Run<'_> {
    /// Stages a page's users in one round trip.
    pub(crate) async fn stage(&self, users: &[Staged<'_>]) -> Result<(), SyncError> {
        let ids: Vec<Option<&str>> = users.iter().map(|u| u.id.as_deref()).collect();
        let emails: Vec<Option<&str>> = users.iter().map(|u| u.email_address.as_deref()).collect();
        let actives: Vec<Option<bool>> = users.iter().map(|u| u.active).collect();
        let records: Vec<Option<&str>> = users
            .iter()
            .map(|u| {
                let unchanged =
                    u.id.as_ref()
                        .and_then(|id| self.known.get(id))
                        .is_some_and(|hash| *hash == u.record_hash);
                (!unchanged).then_some(u.record)
            })
            .collect();
        let hashes: Vec<&str> = users.iter().map(|u| u.record_hash.as_str()).collect();
        self.transaction
            .execute(
                "INSERT INTO gong_sync_staging (id, email_address, active, record, record_hash)
                 SELECT DISTINCT ON (id) id, email, active, record::jsonb, hash
                 FROM unnest($1::text[], $2::text[], $3::bool[], $4::text[], $5::text[])
                     AS page (id, email, active, record, hash)
                 ON CONFLICT (id) DO UPDATE SET
                     email_address = excluded.email_address, active = excluded.active,
                     record = excluded.record, record_hash = excluded.record_hash",
                &[&ids, &emails, &actives, &records, &hashes],
            )
            .await?;
        Ok(())
    }

    /// Compares the complete listing staged with the current versions; returns the ids whose
    /// `active` changed, and whether to true.
    pub(crate) async fn classify(&self) -> Result<Vec<(String, bool)>, SyncError> {
        let t = &self.transaction;
        t.batch_execute(
            "CREATE TEMP TABLE gong_sync_diff ON COMMIT DROP AS
             SELECT s.id AS id,
                    CASE
                        WHEN u.id IS NULL OR u.deleted_at IS NOT NULL THEN 'created'
                        WHEN v.record_hash = s.record_hash THEN 'unchanged'
                        WHEN v.active AND s.active = false THEN 'deactivated'
                        WHEN v.active = false AND s.active THEN 'reactivated'
                        ELSE 'updated'
                    END AS change
             FROM gong_sync_staging s
             LEFT JOIN gong_users u ON u.id = s.id
             LEFT JOIN gong_user_versions v ON v.user_id = s.id AND v.valid_to IS NULL;
             CREATE TEMP TABLE gong_sync_times (id text PRIMARY KEY, at timestamptz NOT NULL)
                 ON COMMIT DROP;",
        )
        .await?;
        let rows = t
            .query(
                "SELECT id, change = 'reactivated' FROM gong_sync_diff
                 WHERE change IN ('deactivated', 'reactivated')",
                &[],
            )
            .await?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    /// Applies the complete listing staged and classified (versions at the run's start, or at
    /// the time Gong recorded in `times`), records the run, and commits.
    pub(crate) async fn apply(self, at: &RunTimes<'_>) -> Result<Counts, SyncError> {
        let (started_at, finished_at, times) = (at.started_at, at.finished_at, at.changes);

        let t = &self.transaction;
        let users_seen: i64 = t
            .query_one("SELECT count(*) FROM gong_sync_staging", &[])
            .await?
            .get(0);
        let ids: Vec<&str> = times.iter().map(|(id, _)| id.as_str()).collect();
        let ats: Vec<&str> = times.iter().map(|(_, at)| at.as_str()).collect();
        t.execute(
            "INSERT INTO gong_sync_times (id, at)
             SELECT id, at::timestamptz FROM unnest($1::text[], $2::text[]) AS times (id, at)
             ON CONFLICT (id) DO NOTHING",
            &[&ids, &ats],
        )
        .await?;
        // A time Gong recorded before the current version opened (a history out of step)
        // cannot close it: that change is dated at the run's start.
        t.execute(
            "DELETE FROM gong_sync_times t WHERE t.at <= (SELECT valid_from FROM gong_user_versions v
                  WHERE v.user_id = t.id AND v.valid_to IS NULL)",
            &[],
        )
        .await?;
        t.execute(
            "UPDATE gong_user_versions
             SET valid_to = coalesce((SELECT at FROM gong_sync_times t WHERE t.id = user_id), $1::text::timestamptz)
             WHERE valid_to IS NULL AND user_id IN
                 (SELECT id FROM gong_sync_diff WHERE change IN ('updated', 'deactivated', 'reactivated'))",
            &[&started_at],
        )
        .await?;
        // Unchanged users (staged without their record): only last_seen_at.
        t.execute(
            "UPDATE gong_users SET last_seen_at = $1::text::timestamptz
             WHERE id IN (SELECT id FROM gong_sync_staging WHERE record IS NULL)",
            &[&started_at],
        )
        .await?;
        t.execute(
            "INSERT INTO gong_users AS u (id, email_address, active, record, record_hash,
                 first_seen_at, last_seen_at, deleted_at)
             SELECT id, email_address, active, record, record_hash,
                 $1::text::timestamptz, $1::text::timestamptz, NULL
             FROM gong_sync_staging WHERE record IS NOT NULL
             ON CONFLICT (id) DO UPDATE SET
                 email_address = CASE WHEN u.record_hash = excluded.record_hash THEN u.email_address ELSE excluded.email_address END,
                 active = CASE WHEN u.record_hash = excluded.record_hash THEN u.active ELSE excluded.active END,
                 record = CASE WHEN u.record_hash = excluded.record_hash THEN u.record ELSE excluded.record END,
                 record_hash = excluded.record_hash,
                 last_seen_at = excluded.last_seen_at,
                 deleted_at = NULL",
            &[&started_at],
        )
        .await?;
        t.execute(
            "INSERT INTO gong_user_versions (user_id, valid_from, valid_to, change, active, record, record_hash)
             SELECT s.id, coalesce(t.at, $1::text::timestamptz), NULL, d.change, s.active, s.record, s.record_hash
             FROM gong_sync_staging s JOIN gong_sync_diff d ON d.id = s.id
             LEFT JOIN gong_sync_times t ON t.id = s.id
             WHERE d.change != 'unchanged'",
            &[&started_at],
        )
        .await?;
        t.execute(
            "UPDATE gong_user_versions SET valid_to = $1::text::timestamptz
             WHERE valid_to IS NULL AND user_id IN
                 (SELECT u.id FROM gong_users u WHERE u.deleted_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM gong_sync_staging s WHERE s.id = u.id))",
            &[&started_at],
        )
        .await?;
        let deleted = t
            .execute(
                "UPDATE gong_users u SET deleted_at = $1::text::timestamptz
                 WHERE u.deleted_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM gong_sync_staging s WHERE s.id = u.id)",
                &[&started_at],
            )
            .await?;
        let mut counts = Counts {
            users_seen: users_seen as u64,
            deleted,
            ..Counts::default()
        };
        for row in t
            .query(
                "SELECT change, count(*) FROM gong_sync_diff GROUP BY change",
                &[],
            )
            .await?
        {
            let (change, count): (String, i64) = (row.get(0), row.get(1));
            let count = count as u64;
            match change.as_str() {
                "created" => counts.created = count,
                "updated" => counts.updated = count,
                "deactivated" => counts.deactivated = count,
                "reactivated" => counts.reactivated = count,
                _ => counts.unchanged = count,
            }
        }
        let figures: [i64; 7] = [
            counts.users_seen,
            counts.created,
            counts.updated,
            counts.deactivated,
            counts.reactivated,
            counts.deleted,
            counts.unchanged,
        ]
        .map(|n| n as i64);
        t.execute(
            "INSERT INTO gong_sync_runs (started_at, finished_at, status, users_seen, created,
                 updated, deactivated, reactivated, deleted, unchanged)
             VALUES ($1::text::timestamptz, $2::text::timestamptz, 'succeeded', $3, $4, $5, $6, $7, $8, $9)",
            &[
                &started_at,
                &finished_at,
                &figures[0],
                &figures[1],
                &figures[2],
                &figures[3],
                &figures[4],
                &figures[5],
                &figures[6],
            ],
        )
        .await?;
        self.transaction.commit().await?;
        Ok(counts)
    }
}
