//! The database a sync writes to: SQLite or Postgres, behind one interface.

use crate::canonical::Staged;
use crate::sync::Counts;
use crate::{DatabaseUrl, SyncError, postgres, sqlite};

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
        started_at: &str,
        finished_at: &str,
        status: &str,
        users_seen: u64,
        error: Option<&str>,
    ) -> Result<(), SyncError> {
        match self {
            Store::Sqlite(store) => {
                store.record_unfinished(started_at, finished_at, status, users_seen, error)
            }
            Store::Postgres(store) => {
                store
                    .record_unfinished(started_at, finished_at, status, users_seen, error)
                    .await
            }
        }
    }
}

impl Run<'_> {
    pub(crate) async fn stage(&self, users: &[Staged<'_>]) -> Result<(), SyncError> {
        match self {
            Run::Sqlite(run) => run.stage(users),
            Run::Postgres(run) => run.stage(users).await,
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
    pub(crate) async fn apply(
        self,
        started_at: &str,
        finished_at: &str,
        times: &[(String, String)],
    ) -> Result<Counts, SyncError> {
        match self {
            Run::Sqlite(run) => run.apply(started_at, finished_at, times),
            Run::Postgres(run) => run.apply(started_at, finished_at, times).await,
        }
    }
}
