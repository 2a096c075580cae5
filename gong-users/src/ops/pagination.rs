//! Following cursors: the stream of pages and the stream of users.
//!
//! Nothing happens until a stream is first polled. Then, with prefetch on, a background task
//! fetches the next page while the caller works on this one, through a bounded channel, so at
//! most `prefetch` pages wait in memory. The task ends when the listing ends, fails, or the
//! stream is dropped.

use std::collections::HashSet;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{self, BoxStream, Stream, StreamExt as _, TryStreamExt as _};
use gong_users_sys::types::User;

use crate::events::Event;
use crate::ops::list_page::{PageRequest, fetch_page};
use crate::response::page_item::PageItem;
use crate::{Client, Error, ErrorKind, Page};

/// A stream of pages, from [`ListUsers::pages`](crate::ListUsers::pages) (`Page<User>`) or
/// [`ListUsers::raw_pages`](crate::ListUsers::raw_pages) (`Page<RawUser>`).
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T = User> {
    /// How to start, until first polled: nothing is fetched and no task started before.
    start: Option<Box<dyn FnOnce() -> Running<T> + Send>>,
    running: Option<Running<T>>,
}

struct Running<T> {
    stream: BoxStream<'static, Result<Page<T>, Error>>,
    prefetcher: Option<tokio::task::JoinHandle<()>>,
}

/// A stream of users, from [`ListUsers::items`](crate::ListUsers::items) or [`Pages::items`].
#[must_use = "streams do nothing unless polled"]
pub struct Items<T = User> {
    stream: BoxStream<'static, Result<T, Error>>,
}

/// Where the listing stands between pages.
enum Cursor {
    /// Fetch the page at this cursor (`None`: the first page).
    Next(Box<Progress>),
    /// The last page came, or an error did.
    Done,
}

/// How many times a listing starts again from its first page after Gong refused its cursor as
/// expired, before it gives up with the error.
pub(crate) const MAX_RESTARTS: u32 = 3;

/// What the listing remembers: where it is, every cursor Gong returned and a fingerprint of
/// every page's users (8 bytes a page) to notice a loop, and how many users came against what
/// the first page announced.
struct Progress {
    cursor: Option<String>,
    seen_cursors: HashSet<String>,
    seen_pages: HashSet<u64>,
    /// `totalRecords` of the first page, when the listing started from the first page.
    expected: Option<u64>,
    received: u64,
    /// For a listing that started from the first page, which users it delivered, so that after
    /// a restart (an expired cursor) none comes twice. `None`: started from a cursor, no restart
    /// possible.
    delivered: Option<Delivered>,
    restarts: u32,
}

/// The users a listing delivered ([`PageItem::id_key`]), kept small: ids are appended to a
/// short list that is sorted and stored as delta-encoded varints every few thousand (a couple
/// of bytes an id for ids near each other, as a company's are); at a restart they are decoded
/// into one sorted list. Users delivered after a restart are kept apart until the next.
#[derive(Default)]
struct Delivered {
    /// Ids not compressed yet.
    pending: Vec<u64>,
    /// Blocks of sorted ids: each the number of ids, then the first, then the gaps, as LEB128.
    blocks: Vec<u8>,
    /// After a restart: every id delivered before it, sorted.
    sorted: Vec<u64>,
    since_restart: HashSet<u64>,
}

/// How many ids wait uncompressed.
const BLOCK: usize = 4096;

impl Delivered {
    /// Records ids delivered before any restart.
    fn extend(&mut self, keys: impl Iterator<Item = u64>) {
        for key in keys {
            self.pending.push(key);
            if self.pending.len() == BLOCK {
                self.compress();
            }
        }
    }

    fn compress(&mut self) {
        self.pending.sort_unstable();
        push_varint(&mut self.blocks, self.pending.len() as u64);
        let mut previous = 0;
        for &key in &self.pending {
            push_varint(&mut self.blocks, key - previous);
            previous = key;
        }
        self.pending.clear();
    }

    /// At a restart: everything delivered so far becomes one sorted list.
    fn restart(&mut self) {
        let mut bytes = &self.blocks[..];
        while let Some(count) = read_varint(&mut bytes) {
            let mut key = 0u64;
            for _ in 0..count {
                key = key.wrapping_add(read_varint(&mut bytes).unwrap_or(0));
                self.sorted.push(key);
            }
        }
        self.blocks = Vec::new();
        self.sorted.append(&mut self.pending);
        self.sorted.extend(self.since_restart.drain());
        self.sorted.sort_unstable();
        self.sorted.dedup();
    }

    /// After a restart: records `key` as delivered; false when it was already.
    fn insert_since_restart(&mut self, key: u64) -> bool {
        self.sorted.binary_search(&key).is_err() && self.since_restart.insert(key)
    }
}

/// Appends `value` as LEB128: seven bits a byte, the high bit set on all but the last.
fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads one LEB128 value off the front of `bytes`.
fn read_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    Some(value)
}

impl Progress {
    fn new(cursor: Option<String>) -> Self {
        let restartable = cursor.is_none();
        Self {
            cursor,
            seen_cursors: HashSet::new(),
            seen_pages: HashSet::new(),
            expected: None,
            received: 0,
            delivered: restartable.then(Delivered::default),
            restarts: 0,
        }
    }

    /// After Gong refused the cursor as expired: back to the first page, when the listing
    /// started there and has restarts left. Returns the restart's number.
    fn restart(&mut self, error: &Error) -> Option<u32> {
        if !error.is_cursor_expired()
            || self.cursor.is_none()
            || self.delivered.is_none()
            || self.restarts >= MAX_RESTARTS
        {
            return None;
        }
        self.restarts += 1;
        if let Some(delivered) = &mut self.delivered {
            delivered.restart();
        }
        self.cursor = None;
        self.seen_cursors.clear();
        self.seen_pages.clear();
        Some(self.restarts)
    }

    /// Leaves out of `page` the users delivered before a restart, and remembers the rest.
    fn deliver_once<T: PageItem>(&mut self, page: &mut Page<T>) {
        let Some(delivered) = &mut self.delivered else {
            return;
        };
        if self.restarts == 0 {
            delivered.extend(page.users().iter().filter_map(T::id_key));
            return;
        }
        page.users.retain(|user| match user.id_key() {
            Some(key) => delivered.insert_since_restart(key),
            None => true,
        });
    }

    /// Takes in a page: the error for it if it shows the listing going round in circles.
    fn take<T: PageItem>(&mut self, page: &Page<T>) -> Option<Error> {
        let request_id = page.request_id().map(str::to_owned);
        if let Some(next) = page.next_cursor()
            && (self.cursor.as_deref() == Some(next) || !self.seen_cursors.insert(next.to_owned()))
        {
            return Some(
                ErrorKind::RepeatedCursor {
                    cursor: next.to_owned(),
                    request_id,
                }
                .into(),
            );
        }
        if let Some(fingerprint) = T::fingerprint(page.users())
            && !self.seen_pages.insert(fingerprint)
        {
            return Some(
                ErrorKind::RepeatedPage {
                    users: page.users().len(),
                    request_id,
                }
                .into(),
            );
        }
        if self.cursor.is_none() && self.restarts == 0 {
            self.expected = page.total_records().and_then(|n| u64::try_from(n).ok());
        }
        None
    }

    /// Says so when a listing from the first page ended with fewer users than announced.
    fn check_complete(&self, client: &Client) {
        if let Some(expected) = self.expected.filter(|&n| n > self.received) {
            tracing::warn!(
                expected,
                received = self.received,
                "the listing ended with fewer users than its first page's totalRecords"
            );
            client.inner.emit(&Event::ListingShort {
                expected,
                received: self.received,
            });
        }
    }
}

impl<T: PageItem> Pages<T> {
    pub(crate) fn new(client: Client, request: PageRequest, prefetch: usize) -> Self {
        Self {
            start: Some(Box::new(move || Running::start(client, request, prefetch))),
            running: None,
        }
    }
}

impl<T: PageItem> Running<T> {
    fn start(client: Client, request: PageRequest, prefetch: usize) -> Self {
        let start_cursor = request.cursor.clone();
        let pages = follow_cursors::<T>(client, request);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) if prefetch > 0 => {
                let (sender, receiver) = tokio::sync::mpsc::channel(prefetch);
                let prefetcher = runtime.spawn(async move {
                    let mut pages = std::pin::pin!(pages);
                    while let Some(page) = pages.next().await {
                        if sender.send(Fetched::Page(page)).await.is_err() {
                            return; // the caller dropped the stream
                        }
                    }
                    let _ = sender.send(Fetched::End).await;
                });
                Self {
                    stream: prefetched(receiver, start_cursor).boxed(),
                    prefetcher: Some(prefetcher),
                }
            }
            _ => Self {
                stream: pages.boxed(),
                prefetcher: None,
            },
        }
    }
}

/// What the page-fetching task hands on: a page (or the error that ended the listing), then
/// `End` once the listing is over. A channel that closes without `End` means the task died.
enum Fetched<T> {
    Page(Result<Page<T>, Error>),
    End,
}

/// The pages the fetching task hands on. If the task dies before the listing is over (a panic,
/// in the client or in an event callback; an abort), the stream does not end as if the listing
/// were complete: it yields [`ErrorKind::TaskFailed`] with the cursor of the first page not
/// delivered.
fn prefetched<T: PageItem>(
    receiver: tokio::sync::mpsc::Receiver<Fetched<T>>,
    start_cursor: Option<String>,
) -> impl Stream<Item = Result<Page<T>, Error>> + Send + 'static {
    /// Where the consumer stands: the cursor to resume from, or `None` once the stream is over.
    struct Consumer<T> {
        receiver: tokio::sync::mpsc::Receiver<Fetched<T>>,
        resume: Option<String>,
    }
    let consumer = Consumer {
        receiver,
        resume: start_cursor,
    };
    stream::unfold(Some(consumer), |state| async move {
        let mut consumer = state?;
        match consumer.receiver.recv().await {
            Some(Fetched::Page(Ok(page))) => {
                consumer.resume = page.next_cursor().map(str::to_owned);
                Some((Ok(page), Some(consumer)))
            }
            Some(Fetched::Page(Err(error))) => Some((Err(error), None)),
            Some(Fetched::End) => None,
            None => {
                tracing::error!("the page-fetching task ended before the listing did");
                let error = Error::from(ErrorKind::TaskFailed {
                    task: "page fetching",
                })
                .with_resume_cursor(consumer.resume.as_deref());
                Some((Err(error), None))
            }
        }
    })
}

impl<T: PageItem> Pages<T> {
    /// Every user of every page.
    pub fn items(self) -> Items<T> {
        Items {
            stream: self
                .map_ok(|page| stream::iter(page.into_users().into_iter().map(Ok)))
                .try_flatten()
                .boxed(),
        }
    }
}

/// The pages of a listing, fetched one after another on demand.
fn follow_cursors<T: PageItem>(
    client: Client,
    request: PageRequest,
) -> impl Stream<Item = Result<Page<T>, Error>> + Send + 'static {
    let start = Cursor::Next(Box::new(Progress::new(request.cursor.clone())));
    stream::unfold(start, move |state| {
        let client = client.clone();
        let mut request = request.clone();
        async move {
            let Cursor::Next(mut progress) = state else {
                return None;
            };
            let page = loop {
                request.cursor = progress.cursor.clone();
                match fetch_page::<T>(&client.inner, &request).await {
                    Ok(mut page) => {
                        if let Some(error) = progress.take(&page) {
                            let error = error.with_resume_cursor(progress.cursor.as_deref());
                            return Some((Err(error), Cursor::Done));
                        }
                        let had_users = !page.users().is_empty();
                        progress.deliver_once(&mut page);
                        // After a restart, a page of users all delivered before is not handed
                        // on: the next one is fetched at once.
                        if let Some(next) = page.next_cursor().filter(|_| {
                            had_users && page.users().is_empty() && progress.restarts > 0
                        }) {
                            progress.cursor = Some(next.to_owned());
                            continue;
                        }
                        break page;
                    }
                    Err(error) => match progress.restart(&error) {
                        Some(restart) => {
                            let delivered = progress.received;
                            tracing::warn!(
                                restart,
                                delivered,
                                "Gong says the listing's cursor has expired; starting again from \
                                 the first page, leaving out the users already delivered"
                            );
                            client
                                .inner
                                .emit(&Event::ListingRestarted { restart, delivered });
                        }
                        None => return Some((Err(error), Cursor::Done)),
                    },
                }
            };
            progress.received += page.users().len() as u64;
            match page.next_cursor().map(str::to_owned) {
                None => {
                    progress.check_complete(&client);
                    Some((Ok(page), Cursor::Done))
                }
                Some(next) => {
                    progress.cursor = Some(next);
                    Some((Ok(page), Cursor::Next(progress)))
                }
            }
        }
    })
}

impl<T: PageItem> Stream for Pages<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(start) = self.start.take() {
            self.running = Some(start());
        }
        match &mut self.running {
            Some(running) => running.stream.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }
}

impl<T> Drop for Pages<T> {
    fn drop(&mut self) {
        if let Some(prefetcher) = self.running.as_mut().and_then(|r| r.prefetcher.take()) {
            prefetcher.abort();
        }
    }
}

impl<T: Send + 'static> Stream for Items<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.poll_next_unpin(cx)
    }
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.running {
            None => "not started",
            Some(Running {
                prefetcher: Some(_),
                ..
            }) => "running, prefetching",
            Some(_) => "running",
        };
        f.debug_struct("Pages").field("state", &state).finish()
    }
}

impl<T> std::fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod delivered_tests {
    use super::*;

    #[test]
    fn delivered_ids_survive_compression_and_restarts() {
        let mut delivered = Delivered::default();
        let keys: Vec<u64> = (0..10_000u64)
            .map(|n| n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        delivered.extend(keys.iter().copied());
        delivered.restart();
        assert!(keys.iter().all(|&k| !delivered.insert_since_restart(k)));
        assert!(delivered.insert_since_restart(42));
        assert!(!delivered.insert_since_restart(42));
        delivered.restart();
        assert!(!delivered.insert_since_restart(42));
        let close: Vec<u64> = (0..8192u64)
            .map(|n| 234_599_484_848_423 + n * 7_919)
            .collect();
        let mut compact = Delivered::default();
        compact.extend(close.iter().copied());
        assert!(
            compact.blocks.len() < 8192 * 3,
            "{} bytes",
            compact.blocks.len()
        );
        let mut bytes = Vec::new();
        for value in [0, 127, 128, u64::MAX] {
            push_varint(&mut bytes, value);
        }
        let mut read = &bytes[..];
        let values: Vec<u64> = std::iter::from_fn(|| read_varint(&mut read)).collect();
        assert_eq!(values, [0, 127, 128, u64::MAX]);
    }
}
