//! One sync: list every user, stage them, and apply the complete listing at once.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt as _;
use gong_users::Client;

use crate::canonical::Staged;
use crate::store::{Run, RunTimes, Store, Unfinished};
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
        let started_at = utc_now();
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
    Some(
        at.with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
    )
}

/// How the listing ended.
enum Listed {
    Complete,
    Stopped,
}

/// Streams every page into the staging table, until the listing ends, fails, or `stop`.
async fn list_into(
    client: &Client,
    run: &Run<'_>,
    staged: &mut u64,
    stop: impl Future<Output = ()>,
) -> Result<Listed, SyncError> {
    let mut pages = client.list_users().raw_pages();
    let mut stop = std::pin::pin!(stop);
    let mut expected = None;
    loop {
        let next = tokio_select(&mut stop, pages.next()).await;
        let page = match next {
            Next::Stop => return Ok(Listed::Stopped),
            Next::Item(None) => break,
            Next::Item(Some(page)) => page?,
        };
        if expected.is_none() {
            expected = page.total_records().and_then(|n| u64::try_from(n).ok());
        }
        let users: Vec<Staged<'_>> = page
            .users()
            .iter()
            .map(|user| Staged::new(user.as_str()))
            .filter(|user| {
                let kept = user.id.is_some();
                if !kept {
                    tracing::warn!("a user without an id cannot be kept; left out");
                }
                kept
            })
            .collect();
        run.stage(&users).await?;
        *staged += users.len() as u64;
    }
    match expected {
        Some(expected) if expected > *staged => Err(SyncError::ShortListing {
            expected,
            received: *staged,
        }),
        _ => Ok(Listed::Complete),
    }
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

/// Now, as the tables keep times: UTC, ISO-8601 with milliseconds.
fn utc_now() -> String {
    let now: chrono::DateTime<chrono::Utc> = SystemTime::now().into();
    now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
