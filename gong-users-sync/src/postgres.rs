//! The Postgres store: records as `jsonb`, times as `timestamptz`, a page staged in one round
//! trip (`unnest` of arrays), the same set-based diff as SQLite's. A run holds a transaction-level
//! advisory lock from its first page to its commit: a second sync waits for it.

use std::sync::Arc;

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Statement};

use crate::canonical;
use crate::staged::{Current, Kind, Known, Record, Staged};
use crate::store::{RunTimes, Unfinished, utc_now};
use crate::sync::Counts;
use crate::{SyncError, postgres_connect};

/// The lock every sync of a database takes (an arbitrary constant: "gong-users sync").
const SYNC_LOCK: i64 = 0x676f_6e67_7379_6e63;

/// The migrations, in order: the schema version after each is its position plus one. The same
/// layouts as SQLite's, described in [`crate::schema`].
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/001_first_layout.sql"),
    include_str!("../migrations/postgres/002_records_once.sql"),
];

/// A connected database, migrated.
pub(crate) struct Store {
    client: Client,
}

impl Store {
    /// Connects (TLS as the URL's `sslmode` says, see [`postgres_connect`]) and brings the
    /// schema up to date; refuses a newer one.
    pub(crate) async fn open(url: &str) -> Result<Self, SyncError> {
        let client = postgres_connect::connect(url).await?;
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

    /// Starts a run: the sync lock (waiting for another sync), the staging table, and the
    /// current users' hashes; the run starts then.
    pub(crate) async fn begin(&mut self) -> Result<Run<'_>, SyncError> {
        let transaction = self.locked().await?;
        // The records of new and changed users stay text here: parsed into jsonb once, when
        // written to their version.
        transaction
            .batch_execute(
                "CREATE TEMP TABLE gong_sync_staging (
                     id text PRIMARY KEY,
                     raw_hash bigint,
                     record_hash text NOT NULL,
                     email_address text,
                     active boolean,
                     record text,
                     written boolean NOT NULL
                 ) ON COMMIT DROP",
            )
            .await?;
        let mut known = Known::new();
        for row in transaction
            .query(
                "SELECT id, raw_hash, record_hash FROM gong_user_state WHERE deleted_at IS NULL",
                &[],
            )
            .await?
        {
            let id: String = row.get(0);
            let raw_hash: Option<i64> = row.get(1);
            let current = Current::from_stored(raw_hash, row.get(2));
            known.insert(id.into_boxed_str(), current);
        }
        let statements = Statements::prepare(&transaction).await?;
        Ok(Run {
            transaction,
            statements,
            known: Arc::new(known),
            started_at: utc_now(),
        })
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
    statements: Statements,
    /// The current users' hashes when the run began.
    known: Arc<Known>,
    started_at: String,
}

/// The statements a run sends for every page, prepared once.
struct Statements {
    new_state: Statement,
    new_version: Statement,
    staging: Statement,
}

impl Statements {
    async fn prepare(t: &tokio_postgres::Transaction<'_>) -> Result<Self, SyncError> {
        Ok(Self {
            new_state: t
                .prepare(
                    "INSERT INTO gong_user_state AS s (id, email_address, active, record_hash,
                         raw_hash, version_valid_from, first_seen_at)
                     SELECT id, email, active, hash, raw_hash, run.at, run.at
                     FROM unnest($1::text[], $2::text[], $3::bool[], $4::text[], $5::int8[])
                         AS page (id, email, active, hash, raw_hash),
                         (SELECT $6::text::timestamptz AS at) AS run
                     ON CONFLICT (id) DO UPDATE SET
                         email_address = excluded.email_address,
                         active = excluded.active,
                         record_hash = excluded.record_hash,
                         raw_hash = excluded.raw_hash,
                         version_valid_from = excluded.version_valid_from,
                         deleted_at = NULL,
                         last_seen_before_deletion = NULL",
                )
                .await?,
            new_version: t
                .prepare(
                    "INSERT INTO gong_user_versions
                         (user_id, valid_from, valid_to, change, active, record)
                     SELECT id, run.at, NULL, 'created', active, record::jsonb
                     FROM unnest($1::text[], $2::bool[], $3::text[]) AS page (id, active, record),
                         (SELECT $4::text::timestamptz AS at) AS run",
                )
                .await?,
            staging: t
                .prepare(
                    "INSERT INTO gong_sync_staging
                         (id, raw_hash, record_hash, email_address, active, record, written)
                     SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[],
                         $5::bool[], $6::text[], $7::bool[])",
                )
                .await?,
        })
    }
}

impl Run<'_> {
    /// The current users' hashes when the run began.
    pub(crate) fn known(&self) -> Arc<Known> {
        Arc::clone(&self.known)
    }

    /// When the run began.
    pub(crate) fn started_at(&self) -> &str {
        &self.started_at
    }

    /// Writes a page's users in one round trip (three statements pipelined): the new users'
    /// state and `created` versions, and every user to the staging table (the record only when
    /// it differs from the current version); what was written for `listed_before` goes first.
    pub(crate) async fn stage(
        &self,
        users: &[Staged],
        listed_before: &[&str],
    ) -> Result<(), SyncError> {
        let (t, statements) = (&self.transaction, &self.statements);
        if !listed_before.is_empty() {
            t.execute(
                "DELETE FROM gong_sync_staging WHERE id = ANY($1)",
                &[&listed_before],
            )
            .await?;
            t.execute(
                "DELETE FROM gong_user_versions WHERE user_id = ANY($1)
                 AND valid_from = $2::text::timestamptz AND change = 'created'",
                &[&listed_before, &self.started_at],
            )
            .await?;
        }
        // Every user's record hash as the tables keep it, made once: the new users' are theirs.
        let hashes: Vec<String> = users
            .iter()
            .map(|u| canonical::hex(u.record_hash))
            .collect();
        let new: Vec<(&Staged, &Record, &str)> = users
            .iter()
            .zip(&hashes)
            .filter_map(|(user, hash)| match &user.kind {
                Kind::New(record) => Some((user, record, hash.as_str())),
                _ => None,
            })
            .collect();
        let new_ids: Vec<&str> = new.iter().map(|(u, ..)| u.id.as_str()).collect();
        let new_emails: Vec<Option<&str>> = new
            .iter()
            .map(|(_, r, _)| r.email_address.as_deref())
            .collect();
        let new_actives: Vec<Option<bool>> = new.iter().map(|(_, r, _)| r.active).collect();
        let new_hashes: Vec<&str> = new.iter().map(|(.., hash)| *hash).collect();
        let new_raw_hashes: Vec<i64> = new.iter().map(|(u, ..)| u.raw_hash as i64).collect();
        let new_records: Vec<&str> = new.iter().map(|(_, r, _)| r.record.as_str()).collect();
        let at = &self.started_at;
        let state = async {
            if new.is_empty() {
                return Ok(0);
            }
            t.execute(
                &statements.new_state,
                &[
                    &new_ids,
                    &new_emails,
                    &new_actives,
                    &new_hashes,
                    &new_raw_hashes,
                    at,
                ],
            )
            .await
        };
        let version = async {
            if new.is_empty() {
                return Ok(0);
            }
            let params: [&(dyn ToSql + Sync); 4] = [&new_ids, &new_actives, &new_records, at];
            t.execute(&statements.new_version, &params).await
        };

        let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
        let raw_hashes: Vec<Option<i64>> = users
            .iter()
            .map(|u| match u.kind {
                Kind::Same { new_bytes: false } => None,
                _ => Some(u.raw_hash as i64),
            })
            .collect();
        let differs = || {
            users.iter().map(|u| match &u.kind {
                Kind::Differs(record) => Some(record),
                _ => None,
            })
        };
        let emails: Vec<Option<&str>> = differs()
            .map(|r| r.and_then(|r| r.email_address.as_deref()))
            .collect();
        let actives: Vec<Option<bool>> = differs().map(|r| r.and_then(|r| r.active)).collect();
        let records: Vec<Option<&str>> = differs().map(|r| r.map(|r| r.record.as_str())).collect();
        let written: Vec<bool> = users
            .iter()
            .map(|u| matches!(u.kind, Kind::New(_)))
            .collect();
        let params: [&(dyn ToSql + Sync); 7] = [
            &ids,
            &raw_hashes,
            &hashes,
            &emails,
            &actives,
            &records,
            &written,
        ];
        let staging = t.execute(&statements.staging, &params);
        // Sent in this order, answered in this order: a version after its user's state.
        futures_util::future::try_join3(state, version, staging).await?;
        Ok(())
    }

    /// Compares the records staged for current users with their current versions (a user
    /// staged without a record has the current version's hash); returns the ids whose `active`
    /// changed, and whether to true.
    pub(crate) async fn classify(&self) -> Result<Vec<(String, bool)>, SyncError> {
        let t = &self.transaction;
        t.batch_execute(
            "ANALYZE gong_sync_staging;
             CREATE TEMP TABLE gong_sync_diff (id text PRIMARY KEY, change text NOT NULL)
                 ON COMMIT DROP;
             INSERT INTO gong_sync_diff (id, change)
             SELECT st.id,
                    CASE
                        WHEN s.active AND st.active = false THEN 'deactivated'
                        WHEN s.active = false AND st.active THEN 'reactivated'
                        ELSE 'updated'
                    END
             FROM gong_sync_staging st JOIN gong_user_state s ON s.id = st.id
             WHERE st.record IS NOT NULL AND NOT st.written
             AND s.record_hash != st.record_hash;
             ANALYZE gong_sync_diff;
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
        // Users listed, and those of them current before the run (the others were written
        // as new): one scan of the staging table.
        let counted = t
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE NOT written) FROM gong_sync_staging",
                &[],
            )
            .await?;
        let (users_seen, listed_current): (i64, i64) = (counted.get(0), counted.get(1));
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
            "DELETE FROM gong_sync_times t WHERE t.at <= (SELECT version_valid_from
                 FROM gong_user_state s WHERE s.id = t.id)",
            &[],
        )
        .await?;
        // Changed users: the current version closed, a new one opened, the state moved on.
        t.execute(
            "UPDATE gong_user_versions v
             SET valid_to = coalesce(t.at, $1::text::timestamptz)
             FROM gong_sync_diff d LEFT JOIN gong_sync_times t ON t.id = d.id
             WHERE v.user_id = d.id AND v.valid_to IS NULL",
            &[&started_at],
        )
        .await?;
        t.execute(
            "INSERT INTO gong_user_versions (user_id, valid_from, valid_to, change, active, record)
             SELECT st.id, coalesce(t.at, $1::text::timestamptz), NULL, d.change, st.active,
                 st.record::jsonb
             FROM gong_sync_diff d JOIN gong_sync_staging st ON st.id = d.id
             LEFT JOIN gong_sync_times t ON t.id = d.id",
            &[&started_at],
        )
        .await?;
        t.execute(
            "UPDATE gong_user_state s SET
                 email_address = st.email_address, active = st.active,
                 record_hash = st.record_hash, raw_hash = st.raw_hash,
                 version_valid_from = coalesce(t.at, $1::text::timestamptz)
             FROM gong_sync_diff d JOIN gong_sync_staging st ON st.id = d.id
             LEFT JOIN gong_sync_times t ON t.id = d.id
             WHERE s.id = d.id",
            &[&started_at],
        )
        .await?;
        // Gone from the complete listing: the open version closed, the user marked deleted.
        // (Only when fewer current users were listed than there are.)
        let mut deleted = 0;
        if (listed_current as usize) < self.known.len() {
            t.execute(
                "UPDATE gong_user_versions v SET valid_to = $1::text::timestamptz
                 FROM gong_user_state s
                 WHERE v.user_id = s.id AND v.valid_to IS NULL AND s.deleted_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM gong_sync_staging st WHERE st.id = s.id)",
                &[&started_at],
            )
            .await?;
            // Last seen by the last run that succeeded (this one is not recorded yet).
            deleted = t
                .execute(
                    "UPDATE gong_user_state s SET deleted_at = $1::text::timestamptz,
                         last_seen_before_deletion = (SELECT max(started_at)
                             FROM gong_sync_runs WHERE status = 'succeeded')
                     WHERE s.deleted_at IS NULL
                     AND NOT EXISTS (SELECT 1 FROM gong_sync_staging st WHERE st.id = s.id)",
                    &[&started_at],
                )
                .await?;
        }
        // Every user left current was seen by this run: gong_users shows its start as their
        // last_seen_at once it is recorded. The bytes of some were spelled anew.
        t.execute(
            "UPDATE gong_user_state s SET raw_hash = st.raw_hash
             FROM gong_sync_staging st
             WHERE st.id = s.id AND st.record IS NULL AND NOT st.written
             AND st.raw_hash IS NOT NULL",
            &[],
        )
        .await?;
        let mut counts = Counts {
            users_seen: users_seen as u64,
            created: (users_seen - listed_current) as u64,
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
            counts.add(row.get(0), row.get::<_, i64>(1) as u64);
        }
        counts.unchanged = counts.users_seen.saturating_sub(counts.changed());
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
