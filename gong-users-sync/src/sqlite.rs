//! The SQLite store: one connection, migrations, the staging table, the set-based diff.
//!
//! A run holds SQLite's write lock (`BEGIN IMMEDIATE`) from the listing's first page to its
//! commit: a second sync waits for it. A run that fails is rolled back, then recorded in a
//! transaction of its own.
//!
//! The file keeps the journal mode it has: a new one SQLite's default rollback journal, where
//! the pages a first sync writes are written once (in WAL mode twice: to the log, then to the
//! file, a first sync taking 40% longer). Readers go on reading while a run lists, since a
//! run writes the database itself little before its end (new users only, the rest is staged
//! in a temporary table): only its commit, and the bulk writing of a first sync, make them
//! wait (give them a busy timeout). `PRAGMA journal_mode=WAL`, once, makes them never wait.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, params};

use crate::SyncError;
use crate::canonical;
use crate::schema::MIGRATIONS;
use crate::staged::{Current, Kind, Known, Staged};
use crate::store::{RunTimes, Unfinished, utc_now};
use crate::sync::Counts;

/// How long a sync waits for another one to finish.
const WAIT_FOR_OTHER_SYNC: Duration = Duration::from_secs(6 * 3600);

/// The page cache: negative is KiB. A run's pages beyond it are written to the file early.
const CACHE_KIB: i64 = -16 * 1024;

/// An open database, migrated.
pub(crate) struct Store {
    connection: Connection,
}

impl Store {
    /// Opens (or creates) the file and brings its schema up to date; refuses a newer one.
    pub(crate) fn open(path: &Path) -> Result<Self, SyncError> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(WAIT_FOR_OTHER_SYNC)?;
        // A new file: pages of 16 KiB, where records of about a kilobyte and the b-trees over
        // them take fewer pages than in the default 4 KiB (a first sync of 100,000 users took a
        // fifth less time). An existing file keeps its own.
        connection.pragma_update(None, "page_size", 16384)?;
        connection.pragma_update(None, "cache_size", CACHE_KIB)?;
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

    /// Starts a run: takes the write lock (waiting for another sync), makes the staging table
    /// and reads the current users' hashes; the run starts then. Everything until
    /// [`Run::apply`] is one transaction.
    pub(crate) fn begin(&mut self) -> Result<Run<'_>, SyncError> {
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        transaction.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS gong_sync_staging (
                 id TEXT PRIMARY KEY NOT NULL,
                 raw_hash INTEGER,
                 record_hash TEXT NOT NULL,
                 email_address TEXT,
                 active INTEGER,
                 record TEXT,
                 written INTEGER NOT NULL
             );
             DELETE FROM gong_sync_staging;",
        )?;
        let known = {
            let mut statement = transaction.prepare(
                "SELECT id, raw_hash, record_hash FROM gong_user_state WHERE deleted_at IS NULL",
            )?;
            let mut rows = statement.query([])?;
            let mut known = Known::new();
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let raw_hash: Option<i64> = row.get(1)?;
                let record_hash: String = row.get(2)?;
                let current = Current::from_stored(raw_hash, &record_hash);
                known.insert(id.into_boxed_str(), current);
            }
            known
        };
        Ok(Run {
            transaction,
            known: Arc::new(known),
            started_at: utc_now(),
        })
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
    /// The current users' hashes when the run began.
    known: Arc<Known>,
    started_at: String,
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

    /// Writes a page's users: a new user's state and `created` version at once, every user to
    /// the staging table (the record only when it differs from the current version); what was
    /// written for `listed_before` goes first.
    pub(crate) fn stage(&self, users: &[Staged], listed_before: &[&str]) -> Result<(), SyncError> {
        let t = &self.transaction;
        for id in listed_before {
            t.execute("DELETE FROM gong_sync_staging WHERE id = ?1", [id])?;
            t.execute(
                "DELETE FROM gong_user_versions
                 WHERE user_id = ?1 AND valid_from = ?2 AND change = 'created'",
                [id, &self.started_at.as_str()],
            )?;
        }
        let mut staging = t.prepare_cached(
            "INSERT INTO gong_sync_staging
                 (id, raw_hash, record_hash, email_address, active, record, written)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut state = t.prepare_cached(
            "INSERT INTO gong_user_state (id, email_address, active, record_hash, raw_hash,
                 version_valid_from, first_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (id) DO UPDATE SET
                 email_address = excluded.email_address,
                 active = excluded.active,
                 record_hash = excluded.record_hash,
                 raw_hash = excluded.raw_hash,
                 version_valid_from = excluded.version_valid_from,
                 deleted_at = NULL,
                 last_seen_before_deletion = NULL",
        )?;
        let mut version = t.prepare_cached(
            "INSERT INTO gong_user_versions (user_id, valid_from, valid_to, change, active, record)
             VALUES (?1, ?2, NULL, 'created', ?3, ?4)",
        )?;
        for user in users {
            let hash = canonical::hex(user.record_hash);
            let raw_hash = user.raw_hash as i64;
            let (staged_raw_hash, record, written) = match &user.kind {
                Kind::New(new) => {
                    let at = &self.started_at;
                    let (email, active) = (&new.email_address, new.active);
                    state.execute(params![user.id, email, active, hash, raw_hash, at])?;
                    version.execute(params![user.id, at, active, new.record.as_str()])?;
                    (Some(raw_hash), None, true)
                }
                Kind::Differs(record) => (Some(raw_hash), Some(record), false),
                Kind::Same { new_bytes } => (new_bytes.then_some(raw_hash), None, false),
            };
            staging.execute(params![
                user.id,
                staged_raw_hash,
                hash,
                record.and_then(|r| r.email_address.as_deref()),
                record.and_then(|r| r.active),
                record.map(|r| r.record.as_str()),
                written,
            ])?;
        }
        Ok(())
    }

    /// Compares the records staged for current users with their current versions (a user
    /// staged without a record has the current version's hash); returns the ids whose `active`
    /// changed (their exact times can be read from Gong's settings history).
    pub(crate) fn classify(&self) -> Result<Vec<(String, bool)>, SyncError> {
        self.transaction.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS gong_sync_diff (
                 id TEXT PRIMARY KEY NOT NULL,
                 change TEXT NOT NULL
             );
             DELETE FROM gong_sync_diff;
             INSERT INTO gong_sync_diff (id, change)
             SELECT st.id,
                    CASE
                        WHEN s.active = 1 AND st.active = 0 THEN 'deactivated'
                        WHEN s.active = 0 AND st.active = 1 THEN 'reactivated'
                        ELSE 'updated'
                    END
             FROM gong_sync_staging st JOIN gong_user_state s ON s.id = st.id
             WHERE st.record IS NOT NULL AND NOT st.written
             AND s.record_hash != st.record_hash;
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
        // Users listed, and those of them current before the run (the others were written
        // as new): one scan of the staging table.
        let (users_seen, listed_current): (i64, i64) = t.query_row(
            "SELECT count(*), count(*) FILTER (WHERE NOT written) FROM gong_sync_staging",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
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
                 (SELECT version_valid_from FROM gong_user_state s
                  WHERE s.id = gong_sync_times.id), '')",
            [],
        )?;
        let now = params![started_at];
        // Changed users: the current version closed, a new one opened, the state moved on.
        t.execute(
            "UPDATE gong_user_versions
             SET valid_to = coalesce((SELECT at FROM gong_sync_times t WHERE t.id = user_id), ?1)
             WHERE valid_to IS NULL AND user_id IN
                 (SELECT id FROM gong_sync_diff)",
            now,
        )?;
        t.execute(
            "INSERT INTO gong_user_versions (user_id, valid_from, valid_to, change, active, record)
             SELECT st.id, coalesce(t.at, ?1), NULL, d.change, st.active, st.record
             FROM gong_sync_diff d JOIN gong_sync_staging st ON st.id = d.id
             LEFT JOIN gong_sync_times t ON t.id = d.id",
            now,
        )?;
        t.execute(
            "UPDATE gong_user_state SET
                 (email_address, active, record_hash, raw_hash, version_valid_from) =
                 (SELECT st.email_address, st.active, st.record_hash, st.raw_hash,
                      coalesce(t.at, ?1)
                  FROM gong_sync_staging st LEFT JOIN gong_sync_times t ON t.id = st.id
                  WHERE st.id = gong_user_state.id)
             WHERE id IN (SELECT id FROM gong_sync_diff)",
            now,
        )?;
        // Gone from the complete listing: the open version closed, the user marked deleted.
        // (Only when fewer current users were listed than there are.)
        let mut deleted = 0;
        if (listed_current as usize) < self.known.len() {
            t.execute(
                "UPDATE gong_user_versions SET valid_to = ?1
                 WHERE valid_to IS NULL AND user_id IN
                     (SELECT id FROM gong_user_state WHERE deleted_at IS NULL
                      AND id NOT IN (SELECT id FROM gong_sync_staging))",
                now,
            )?;
            // Last seen by the last run that succeeded (this one is not recorded yet).
            deleted = t.execute(
                "UPDATE gong_user_state SET deleted_at = ?1, last_seen_before_deletion =
                     (SELECT max(started_at) FROM gong_sync_runs WHERE status = 'succeeded')
                 WHERE deleted_at IS NULL AND id NOT IN (SELECT id FROM gong_sync_staging)",
                now,
            )? as u64;
        }
        // Every user left current was seen by this run: gong_users shows its start as their
        // last_seen_at once it is recorded. The bytes of some were spelled anew.
        t.execute(
            "UPDATE gong_user_state SET raw_hash = st.raw_hash
             FROM gong_sync_staging st
             WHERE st.id = gong_user_state.id AND st.record IS NULL AND st.written = 0
             AND st.raw_hash IS NOT NULL",
            [],
        )?;
        let mut counts = Counts {
            users_seen: users_seen as u64,
            created: (users_seen - listed_current) as u64,
            deleted,
            ..Counts::default()
        };
        {
            let mut statement =
                t.prepare("SELECT change, count(*) FROM gong_sync_diff GROUP BY change")?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                counts.add(&row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64);
            }
        }
        counts.unchanged = counts.users_seen.saturating_sub(counts.changed());
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
        t.execute_batch("DELETE FROM gong_sync_staging; DELETE FROM gong_sync_diff;")?;
        self.transaction.commit()?;
        Ok(counts)
    }
}
