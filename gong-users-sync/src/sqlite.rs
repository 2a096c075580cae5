//! The SQLite store: one connection, migrations, the staging table, the set-based diff.
//!
//! A run holds SQLite's write lock (`BEGIN IMMEDIATE`) from the listing's first page to its
//! commit: a second sync waits for it (readers do not, in WAL mode). A run that fails is
//! rolled back, then recorded in a transaction of its own.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, params};

use crate::SyncError;
use crate::canonical::Staged;
use crate::schema::MIGRATIONS;
use crate::store::{RunTimes, Unfinished};
use crate::sync::Counts;

/// How long a sync waits for another one to finish.
const WAIT_FOR_OTHER_SYNC: Duration = Duration::from_secs(6 * 3600);

/// An open database, migrated.
pub(crate) struct Store {
    connection: Connection,
}

impl Store {
    /// Opens (or creates) the file and brings its schema up to date; refuses a newer one.
    pub(crate) fn open(path: &Path) -> Result<Self, SyncError> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(WAIT_FOR_OTHER_SYNC)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "foreign_keys", true)?;
        let mut store = Self { connection };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), SyncError> {
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS gong_schema_version (version INTEGER NOT NULL)",
        )?;
        let found: i64 = transaction.query_row(
            "SELECT coalesce(max(version), 0) FROM gong_schema_version",
            [],
            |row| row.get(0),
        )?;
        let known = MIGRATIONS.len() as i64;
        if found > known {
            return Err(SyncError::NewerSchema { found, known });
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            transaction.execute_batch(migration)?;
            transaction.execute("DELETE FROM gong_schema_version", [])?;
            transaction.execute(
                "INSERT INTO gong_schema_version (version) VALUES (?1)",
                [index as i64 + 1],
            )?;
            tracing::info!(version = index + 1, "database migrated");
        }
        transaction.commit()?;
        Ok(())
    }

    /// Starts a run: takes the write lock (waiting for another sync) and makes the staging
    /// table. Everything until [`Run::commit`] is one transaction.
    pub(crate) fn begin(&mut self) -> Result<Run<'_>, SyncError> {
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        transaction.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS gong_sync_staging (
                 id TEXT PRIMARY KEY NOT NULL,
                 email_address TEXT,
                 active INTEGER,
                 record TEXT,
                 record_hash TEXT NOT NULL
             );
             DELETE FROM gong_sync_staging;",
        )?;
        let known = {
            let mut statement = transaction
                .prepare("SELECT id, record_hash FROM gong_users WHERE deleted_at IS NULL")?;
            statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<HashMap<String, String>, _>>()?
        };
        Ok(Run { transaction, known })
    }

    /// Records a run that changed nothing (failed or interrupted), in its own transaction.
    pub(crate) fn record_unfinished(&mut self, run: &Unfinished<'_>) -> Result<(), SyncError> {
        self.connection.execute(
            "INSERT INTO gong_sync_runs (started_at, finished_at, status, users_seen, error)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                run.started_at,
                run.finished_at,
                run.status,
                run.users_seen as i64,
                run.error
            ],
        )?;
        Ok(())
    }
}

/// A run in progress: the users staged so far, in the open transaction.
pub(crate) struct Run<'c> {
    transaction: rusqlite::Transaction<'c>,
    /// Each current user's record hash: a user the listing brings unchanged is staged without
    /// its record (most of a re-sync's writing saved).
    known: HashMap<String, String>,
}

impl Run<'_> {
    /// Stages a page's users.
    pub(crate) fn stage(&self, users: &[Staged<'_>]) -> Result<(), SyncError> {
        let mut insert = self.transaction.prepare_cached(
            "INSERT OR REPLACE INTO gong_sync_staging (id, email_address, active, record, record_hash)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for user in users {
            let unchanged = user
                .id
                .as_ref()
                .and_then(|id| self.known.get(id))
                .is_some_and(|hash| *hash == user.record_hash);
            insert.execute(params![
                user.id,
                user.email_address,
                user.active,
                (!unchanged).then_some(user.record),
                user.record_hash
            ])?;
        }
        Ok(())
    }

    /// Compares the complete listing staged with the current versions; returns the ids whose
    /// `active` changed (their exact times can be read from Gong's settings history).
    pub(crate) fn classify(&self) -> Result<Vec<(String, bool)>, SyncError> {
        self.transaction.execute_batch(
            "DROP TABLE IF EXISTS temp.gong_sync_diff;
             CREATE TEMP TABLE gong_sync_diff AS
             SELECT s.id AS id,
                    CASE
                        WHEN u.id IS NULL OR u.deleted_at IS NOT NULL THEN 'created'
                        WHEN v.record_hash = s.record_hash THEN 'unchanged'
                        WHEN v.active = 1 AND s.active = 0 THEN 'deactivated'
                        WHEN v.active = 0 AND s.active = 1 THEN 'reactivated'
                        ELSE 'updated'
                    END AS change
             FROM gong_sync_staging s
             LEFT JOIN gong_users u ON u.id = s.id
             LEFT JOIN gong_user_versions v ON v.user_id = s.id AND v.valid_to IS NULL;
             CREATE TEMP TABLE IF NOT EXISTS gong_sync_times (id TEXT PRIMARY KEY NOT NULL, at TEXT NOT NULL);
             DELETE FROM gong_sync_times;",
        )?;
        let mut statement = self.transaction.prepare(
            "SELECT id, change = 'reactivated' FROM gong_sync_diff
             WHERE change IN ('deactivated', 'reactivated')",
        )?;
        let ids = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// Applies the complete listing staged and classified: versions closed and opened (at the
    /// run's start, or at the time Gong recorded in `times`), deletions marked, the run
    /// recorded; then commits. Returns the counts.
    pub(crate) fn apply(self, at: &RunTimes<'_>) -> Result<Counts, SyncError> {
        let (started_at, finished_at, times) = (at.started_at, at.finished_at, at.changes);

        let t = &self.transaction;
        let users_seen: i64 =
            t.query_row("SELECT count(*) FROM gong_sync_staging", [], |r| r.get(0))?;
        {
            let mut insert =
                t.prepare("INSERT OR REPLACE INTO gong_sync_times (id, at) VALUES (?1, ?2)")?;
            for (id, at) in times {
                insert.execute(params![id, at])?;
            }
        }
        // A time Gong recorded before the current version opened (a history out of step)
        // cannot close it: that change is dated at the run's start.
        t.execute(
            "DELETE FROM gong_sync_times WHERE at <= coalesce(
                 (SELECT valid_from FROM gong_user_versions v
                  WHERE v.user_id = gong_sync_times.id AND v.valid_to IS NULL), '')",
            [],
        )?;
        let now = params![started_at];
        t.execute(
            "UPDATE gong_user_versions
             SET valid_to = coalesce((SELECT at FROM gong_sync_times t WHERE t.id = user_id), ?1)
             WHERE valid_to IS NULL AND user_id IN
                 (SELECT id FROM gong_sync_diff WHERE change IN ('updated', 'deactivated', 'reactivated'))",
            now,
        )?;
        // Unchanged users (staged without their record): only last_seen_at.
        t.execute(
            "UPDATE gong_users SET last_seen_at = ?1
             WHERE id IN (SELECT id FROM gong_sync_staging WHERE record IS NULL)",
            now,
        )?;
        t.execute(
            "INSERT INTO gong_users (id, email_address, active, record, record_hash, first_seen_at, last_seen_at, deleted_at)
             SELECT id, email_address, active, record, record_hash, ?1, ?1, NULL
             FROM gong_sync_staging WHERE record IS NOT NULL
             ON CONFLICT (id) DO UPDATE SET
                 email_address = CASE WHEN record_hash = excluded.record_hash THEN email_address ELSE excluded.email_address END,
                 active = CASE WHEN record_hash = excluded.record_hash THEN active ELSE excluded.active END,
                 record = CASE WHEN record_hash = excluded.record_hash THEN record ELSE excluded.record END,
                 record_hash = excluded.record_hash,
                 last_seen_at = excluded.last_seen_at,
                 deleted_at = NULL",
            now,
        )?;
        t.execute(
            "INSERT INTO gong_user_versions (user_id, valid_from, valid_to, change, active, record, record_hash)
             SELECT s.id, coalesce(t.at, ?1), NULL, d.change, s.active, s.record, s.record_hash
             FROM gong_sync_staging s JOIN gong_sync_diff d ON d.id = s.id
             LEFT JOIN gong_sync_times t ON t.id = s.id
             WHERE d.change != 'unchanged'",
            now,
        )?;
        // Gone from the complete listing: the open version closed, the user marked deleted.
        t.execute(
            "UPDATE gong_user_versions SET valid_to = ?1
             WHERE valid_to IS NULL AND user_id IN
                 (SELECT id FROM gong_users WHERE deleted_at IS NULL
                  AND id NOT IN (SELECT id FROM gong_sync_staging))",
            now,
        )?;
        let deleted = t.execute(
            "UPDATE gong_users SET deleted_at = ?1
             WHERE deleted_at IS NULL AND id NOT IN (SELECT id FROM gong_sync_staging)",
            now,
        )? as u64;
        let count = |change: &str| -> Result<u64, rusqlite::Error> {
            t.query_row(
                "SELECT count(*) FROM gong_sync_diff WHERE change = ?1",
                [change],
                |row| row.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        };
        let counts = Counts {
            users_seen: users_seen as u64,
            created: count("created")?,
            updated: count("updated")?,
            deactivated: count("deactivated")?,
            reactivated: count("reactivated")?,
            deleted,
            unchanged: count("unchanged")?,
        };
        t.execute(
            "INSERT INTO gong_sync_runs (started_at, finished_at, status, users_seen, created,
                 updated, deactivated, reactivated, deleted, unchanged)
             VALUES (?1, ?2, 'succeeded', ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                started_at,
                finished_at,
                counts.users_seen as i64,
                counts.created as i64,
                counts.updated as i64,
                counts.deactivated as i64,
                counts.reactivated as i64,
                counts.deleted as i64,
                counts.unchanged as i64
            ],
        )?;
        t.execute_batch(
            "DELETE FROM gong_sync_staging; DROP TABLE IF EXISTS temp.gong_sync_diff;",
        )?;
        self.transaction.commit()?;
        Ok(counts)
    }
}
