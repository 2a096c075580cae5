//! Following cursors: the stream of pages and the stream of users.
//!
//! With prefetch on, a background task fetches the next page while the caller works on this one,
//! through a bounded channel, so at most `prefetch` pages wait in memory. The task ends when the
//! listing ends, fails, or the stream is dropped.

use std::collections::HashSet;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt as _, TryStreamExt as _};
use gong_users_sys::types::User;

use crate::fetch::{PageRequest, fetch_page};
use crate::listing_page::ListingPage;
use crate::{Client, Error, Page, RawPage};

/// A stream of pages, from [`ListUsers::pages`](crate::ListUsers::pages) (typed [`Page`]s) or
/// [`ListUsers::raw_pages`](crate::ListUsers::raw_pages) ([`RawPage`]s).
#[must_use = "streams do nothing unless polled"]
pub struct Pages<P: ListingPage = Page> {
    stream: BoxStream<'static, Result<P, Error>>,
    prefetcher: Option<tokio::task::JoinHandle<()>>,
}

/// A stream of [`RawPage`]s.
pub type RawPages = Pages<RawPage>;

/// A stream of users, from [`ListUsers::items`](crate::ListUsers::items).
#[must_use = "streams do nothing unless polled"]
pub struct Items {
    stream: BoxStream<'static, Result<User, Error>>,
}

/// Where the listing stands between pages.
enum Cursor {
    /// Fetch the page at this cursor (`None`: the first page).
    Next(Progress),
    /// The last page came, or an error did.
    Done,
}

/// What the listing remembers to notice a loop: every cursor Gong returned, and a fingerprint of
/// every page's users (8 bytes a page), so a cycle of fresh cursors over the same pages is
/// caught too.
struct Progress {
    cursor: Option<String>,
    seen_cursors: HashSet<String>,
    seen_pages: HashSet<u64>,
}

impl Progress {
    /// The error for `page` if it shows the listing going round in circles.
    fn loop_error<P: ListingPage>(&mut self, page: &P) -> Option<Error> {
        let request_id = page.listing_request_id().map(str::to_owned);
        if let Some(next) = page.listing_next_cursor()
            && (self.cursor.as_deref() == Some(next) || !self.seen_cursors.insert(next.to_owned()))
        {
            return Some(Error::RepeatedCursor {
                cursor: next.to_owned(),
                request_id,
                resume_cursor: self.cursor.clone(),
            });
        }
        if let Some(fingerprint) = page.users_fingerprint()
            && !self.seen_pages.insert(fingerprint)
        {
            return Some(Error::RepeatedPage {
                users: page.user_count(),
                request_id,
                resume_cursor: self.cursor.clone(),
            });
        }
        None
    }
}

impl<P: ListingPage> Pages<P> {
    pub(crate) fn new(client: Client, request: PageRequest, prefetch: usize) -> Self {
        let pages = follow_cursors::<P>(client, request);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) if prefetch > 0 => {
                let (sender, mut receiver) = tokio::sync::mpsc::channel(prefetch);
                let prefetcher = runtime.spawn(async move {
                    let mut pages = std::pin::pin!(pages);
                    while let Some(page) = pages.next().await {
                        if sender.send(page).await.is_err() {
                            break; // the caller dropped the stream
                        }
                    }
                });
                Self {
                    stream: stream::poll_fn(move |cx| receiver.poll_recv(cx)).boxed(),
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

impl Pages<Page> {
    /// Every user of every page.
    pub fn items(self) -> Items {
        Items {
            stream: self
                .map_ok(|page| stream::iter(page.into_users().into_iter().map(Ok)))
                .try_flatten()
                .boxed(),
        }
    }
}

/// The pages of a listing, fetched one after another on demand.
fn follow_cursors<P: ListingPage>(
    client: Client,
    request: PageRequest,
) -> impl Stream<Item = Result<P, Error>> + Send + 'static {
    let start = Cursor::Next(Progress {
        cursor: request.cursor.clone(),
        seen_cursors: HashSet::new(),
        seen_pages: HashSet::new(),
    });
    stream::unfold(start, move |state| {
        let client = client.clone();
        let mut request = request.clone();
        async move {
            let Cursor::Next(mut progress) = state else {
                return None;
            };
            request.cursor = progress.cursor.clone();
            let page = match fetch_page::<P>(&client.inner, &request).await {
                Ok(page) => page,
                Err(error) => {
                    let error = error.with_resume_cursor(progress.cursor.as_deref());
                    return Some((Err(error), Cursor::Done));
                }
            };
            if let Some(error) = progress.loop_error(&page) {
                return Some((Err(error), Cursor::Done));
            }
            match page.listing_next_cursor().map(str::to_owned) {
                None => Some((Ok(page), Cursor::Done)),
                Some(next) => {
                    progress.cursor = Some(next);
                    Some((Ok(page), Cursor::Next(progress)))
                }
            }
        }
    })
}

impl<P: ListingPage> Stream for Pages<P> {
    type Item = Result<P, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.poll_next_unpin(cx)
    }
}

impl<P: ListingPage> Drop for Pages<P> {
    fn drop(&mut self) {
        if let Some(prefetcher) = self.prefetcher.take() {
            prefetcher.abort();
        }
    }
}

impl Stream for Items {
    type Item = Result<User, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.poll_next_unpin(cx)
    }
}

impl<P: ListingPage> std::fmt::Debug for Pages<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("prefetch", &self.prefetcher.is_some())
            .finish()
    }
}

impl std::fmt::Debug for Items {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}
