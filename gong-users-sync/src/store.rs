//! The database a sync writes to: SQLite or Postgres, behind one interface.

use crate::staged::{Known, Staged};
use crate::sync::Counts;
use crate::{DatabaseUrl, SyncError, postgres, sqlite};
use std::sync::Arc;

/// A run that changed nothing, as `gong_sync_runs` records it.
pub(crate) struct Unfinished<'a> {
    pub(crate) started_at: &'a str,
    pub(crate) finished_at: &'a str,
    /// `failed` or `interrupted`.
    pub(crate) status: &'a str,
    pub(crate) users_seen: u64,
    pub(crate) error: Option<&'a str>,
}

/// When a run's changes are dated: its start (the run's versions open and close then), its end,
/// and the times Gong recorded for changes of `active` (`--with-history`), by user id.
#[derive(Clone, Copy)]
pub(crate) struct RunTimes<'a> {
    pub(crate) started_at: &'a str,
    pub(crate) finished_at: &'a str,
    pub(crate) changes: &'a [(String, String)],
}

/// An open, migrated database.
pub(crate) enum Store {
    Sqlite(sqlite::Store),
    Postgres(postgres::Store),
}

/// A run in progress: one transaction, holding the sync lock.
pub(crate) enum Run<'s> {
    Sqlite(sqlite::Run<'s>),
    Postgres(postgres::Run<'s>),
}

impl Store {
    pub(crate) async fn open(database: &DatabaseUrl) -> Result<Self, SyncError> {
        Ok(match database {
            DatabaseUrl::Sqlite(path) => Store::Sqlite(sqlite::Store::open(path)?),
            DatabaseUrl::Postgres(url) => Store::Postgres(postgres::Store::open(url).await?),
        })
    }

    /// Takes the sync lock (waiting for another sync) and starts the run's transaction.
    pub(crate) async fn begin(&mut self) -> Result<Run<'_>, SyncError> {
        Ok(match self {
            Store::Sqlite(store) => Run::Sqlite(store.begin()?),
            Store::Postgres(store) => Run::Postgres(store.begin().await?),
        })
    }

    /// Records a run that changed nothing (failed or interrupted).
    pub(crate) async fn record_unfinished(
        &mut self,
        run: &Unfinished<'_>,
    ) -> Result<(), SyncError> {
        match self {
            Store::Sqlite(store) => store.record_unfinished(run),
            Store::Postgres(store) => store.record_unfinished(run).await,
        }
    }
}

impl Run<'_> {
    /// The current users' hashes when the run began.
    pub(crate) fn known(&self) -> Arc<Known> {
        match self {
            Run::Sqlite(run) => run.known(),
            Run::Postgres(run) => run.known(),
        }
    }

    /// When the run began (its lock taken): the time its versions open and close.
    pub(crate) fn started_at(&self) -> &str {
        match self {
            Run::Sqlite(run) => run.started_at(),
            Run::Postgres(run) => run.started_at(),
        }
    }

    /// Writes a page's users: new users to their tables, every user to the staging table.
    /// `listed_before` are those of them an earlier page of this run listed too (a listing
    /// whose pages shifted): what was written for them goes first, so the later listing wins.
    pub(crate) async fn stage(
        &self,
        users: &[Staged],
        listed_before: &[&str],
    ) -> Result<(), SyncError> {
        match self {
            Run::Sqlite(run) => run.stage(users, listed_before),
            Run::Postgres(run) => run.stage(users, listed_before).await,
        }
    }

    /// The ids whose `active` changed in the listing staged, and whether to true.
    pub(crate) async fn classify(&self) -> Result<Vec<(String, bool)>, SyncError> {
        match self {
            Run::Sqlite(run) => run.classify(),
            Run::Postgres(run) => run.classify().await,
        }
    }

    /// Applies the listing (versions at `times` where given, else at the run's start) and
    /// commits.
    pub(crate) async fn apply(self, at: &RunTimes<'_>) -> Result<Counts, SyncError> {
        match self {
            Run::Sqlite(run) => run.apply(at),
            Run::Postgres(run) => run.apply(at).await,
        }
    }
}

/// Now, as the tables keep times.
pub(crate) fn utc_now() -> String {
    table_time(std::time::SystemTime::now().into())
}

/// A time as the tables keep it: UTC, ISO-8601 with milliseconds and a `Z` (text that sorts
/// as time does, in SQLite; read as `timestamptz` by Postgres).
pub(crate) fn table_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
