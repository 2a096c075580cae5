//! One sync: list every user, stage them, and apply the complete listing at once.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use gong_users::Client;
use tokio::task::JoinHandle;

use crate::staged::{self, Staged};
use crate::store::{Run, RunTimes, Store, Unfinished, table_time, utc_now};
use crate::{DatabaseUrl, SyncError};

/// What a sync changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// Users in the listing.
    pub users_seen: u64,
    /// New users, and users back after being deleted.
    pub created: u64,
    /// Users whose record changed, `active` aside.
    pub updated: u64,
    /// Users whose `active` went from true to false.
    pub deactivated: u64,
    /// Users whose `active` went from false to true.
    pub reactivated: u64,
    /// Users gone from the listing.
    pub deleted: u64,
    /// Users whose record did not change.
    pub unchanged: u64,
}

impl Counts {
    /// Adds `count` current users of change `change`, as the diff classifies them
    /// (`deactivated`, `reactivated`, else `updated`; new users are counted apart).
    pub(crate) fn add(&mut self, change: &str, count: u64) {
        match change {
            "deactivated" => self.deactivated += count,
            "reactivated" => self.reactivated += count,
            _ => self.updated += count,
        }
    }

    /// Users with a new version.
    pub(crate) fn changed(&self) -> u64 {
        self.created + self.updated + self.deactivated + self.reactivated
    }
}

/// A sync that committed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// What it changed.
    pub counts: Counts,
    /// How long it took.
    pub elapsed: Duration,
}

/// How a sync ended, when it did not fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every change committed.
    Done(Summary),
    /// `stop` came first: nothing was changed, the run is recorded as `interrupted`.
    Interrupted {
        /// Users listed before it stopped.
        users_seen: u64,
    },
}

/// How a sync runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// For each user whose `active` changed in this run, read Gong's settings history (one
    /// request each, within the client's rate limit) and date the change at the time Gong
    /// recorded, rather than at the run's start: "who had a seat on a date" is then exact.
    pub with_history: bool,
}

impl Options {
    /// Options with the settings history read for changes of `active`.
    pub fn with_history(mut self, with_history: bool) -> Self {
        self.with_history = with_history;
        self
    }
}

/// Syncs every user of the company `client` lists into `database`, until done or until `stop`
/// completes (a signal): all of the run's changes commit at once, or none. A failure is
/// recorded as a `failed` run and returned.
pub async fn sync(
    client: &Client,
    database: &DatabaseUrl,
    stop: impl Future<Output = ()>,
) -> Result<Outcome, SyncError> {
    sync_with(client, database, Options::default(), stop).await
}

/// [`sync`] with [`Options`].
pub async fn sync_with(
    client: &Client,
    database: &DatabaseUrl,
    options: Options,
    stop: impl Future<Output = ()>,
) -> Result<Outcome, SyncError> {
    let mut store = Store::open(database).await?;
    let began = Instant::now();
    let (result, started_at, users_seen) = {
        // Waits here for another sync of the same database.
        let run = store.begin().await?;
        let started_at = run.started_at().to_owned();
        let mut staged = 0u64;
        let result = list_into(client, &run, &mut staged, stop).await;
        let result = match result {
            Ok(Listed::Complete) => finish(client, run, &started_at, options)
                .await
                .map(|counts| {
                    Outcome::Done(Summary {
                        counts,
                        elapsed: began.elapsed(),
                    })
                }),
            Ok(Listed::Stopped) => Ok(Outcome::Interrupted { users_seen: staged }),
            Err(error) => Err(error),
        };
        (result, started_at, staged)
    };
    match &result {
        Ok(Outcome::Done(_)) => {}
        Ok(Outcome::Interrupted { .. }) => {
            store
                .record_unfinished(&Unfinished {
                    started_at: &started_at,
                    finished_at: &utc_now(),
                    status: "interrupted",
                    users_seen,
                    error: None,
                })
                .await?;
        }
        Err(error) => {
            let text = error.to_string();
            if let Err(record) = store
                .record_unfinished(&Unfinished {
                    started_at: &started_at,
                    finished_at: &utc_now(),
                    status: "failed",
                    users_seen,
                    error: Some(&text),
                })
                .await
            {
                tracing::warn!(%record, "the failed run could not be recorded");
            }
        }
    }
    result
}

/// Classifies the listing, reads when each change of `active` happened (with
/// [`Options::with_history`]), and applies it.
async fn finish(
    client: &Client,
    run: Run<'_>,
    started_at: &str,
    options: Options,
) -> Result<Counts, SyncError> {
    let changed = run.classify().await?;
    let mut times = Vec::new();
    if options.with_history {
        for (id, active) in changed {
            match when_active_became(client, &id, active).await {
                Some(at) => times.push((id, at)),
                None => tracing::warn!(
                    user_id = %id,
                    "no settings-history entry for this change of `active`; dated at the run's start"
                ),
            }
        }
    }
    run.apply(&RunTimes {
        started_at,
        finished_at: &utc_now(),
        changes: &times,
    })
    .await
}

/// When Gong recorded the user's `active` becoming `active`: the latest such entry of the
/// settings history, as the tables keep times (UTC). `None` when the history has none, or
/// could not be read (the change is then dated at the run's start).
async fn when_active_became(client: &Client, id: &str, active: bool) -> Option<String> {
    let history = match client.user_settings_history(id).send().await {
        Ok(history) => history,
        Err(error) => {
            tracing::warn!(user_id = %id, %error, "the settings history could not be read");
            return None;
        }
    };
    let at = history
        .changes()
        .iter()
        .filter(|change| {
            change.setting.as_deref() == Some("active") && change.value == Some(active)
        })
        .filter_map(|change| change.time.as_ref())
        .filter_map(|time| chrono::DateTime::parse_from_rfc3339(time.as_str()).ok())
        .max()?;
    Some(table_time(at.with_timezone(&chrono::Utc)))
}

/// How the listing ended.
enum Listed {
    Complete,
    Stopped,
}

/// Streams every page into the database, until the listing ends, fails, or `stop`. Each
/// page's users are read (hashed) on a blocking thread while the page before is written, and
/// the next page is fetched meanwhile: three things at once.
async fn list_into(
    client: &Client,
    run: &Run<'_>,
    staged: &mut u64,
    stop: impl Future<Output = ()>,
) -> Result<Listed, SyncError> {
    let known = run.known();
    let mut pages = client.list_users().raw_pages();
    let mut stop = std::pin::pin!(stop);
    let mut expected = None;
    let mut reading: Option<JoinHandle<Vec<Staged>>> = None;
    let mut seen = HashSet::with_capacity(known.len() + 1000);
    let listed = loop {
        let next = tokio_select(&mut stop, pages.next()).await;
        let page = match next {
            Next::Stop => break Ok(Listed::Stopped),
            Next::Item(None) => break Ok(Listed::Complete),
            Next::Item(Some(Err(error))) => break Err(error),
            Next::Item(Some(Ok(page))) => page,
        };
        if expected.is_none() {
            expected = page.total_records().and_then(|n| u64::try_from(n).ok());
        }
        let known = Arc::clone(&known);
        let users = page.into_users();
        let next = tokio::task::spawn_blocking(move || staged::stage(users, &known));
        if let Some(read) = reading.replace(next) {
            *staged += write(run, read, &mut seen).await?;
        }
    };
    // The page read last, however the listing ended: a failed or interrupted run is recorded
    // with every user listed.
    if let Some(read) = reading {
        *staged += write(run, read, &mut seen).await?;
    }
    let listed = listed?;
    if let Listed::Stopped = listed {
        return Ok(listed);
    }
    match expected {
        Some(expected) if expected > *staged => Err(SyncError::ShortListing {
            expected,
            received: *staged,
        }),
        _ => Ok(listed),
    }
}

/// Writes the users `read` reads, as listed last when listed twice (on the page, or on a page
/// before: `seen` holds the ids written so far, hashed); returns how many were listed.
async fn write(
    run: &Run<'_>,
    read: JoinHandle<Vec<Staged>>,
    seen: &mut HashSet<u64>,
) -> Result<u64, SyncError> {
    let mut users = match read.await {
        Ok(users) => users,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => return Err(SyncError::Config(format!("reading a page failed: {error}"))),
    };
    let listed = users.len() as u64;
    staged::keep_last_of_each_id(&mut users);
    // A hash of each id: one that collides only makes a store forget what it did not write.
    let listed_before: Vec<&str> = users
        .iter()
        .map(|user| user.id.as_str())
        .filter(|id| !seen.insert(xxhash_rust::xxh3::xxh3_64(id.as_bytes())))
        .collect();
    run.stage(&users, &listed_before).await?;
    Ok(listed)
}

enum Next<T> {
    Stop,
    Item(T),
}

/// The first of `stop` and `next`; `stop` wins when both are ready.
async fn tokio_select<T>(
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    next: impl Future<Output = T>,
) -> Next<T> {
    let mut next = std::pin::pin!(next);
    std::future::poll_fn(|cx| {
        if stop.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready(Next::Stop);
        }
        next.as_mut().poll(cx).map(Next::Item)
    })
    .await
}
