//! The `listUsers` request builder: one page, a stream of pages, or a stream of users.

use crate::fetch::{PageRequest, fetch_page};
use crate::pagination::{Items, Pages, RawPages};
use crate::{Client, Error, Page};

/// A request to list the company's users, built by [`Client::list_users`].
///
/// Every page of a listing keeps the same `includeAvatars`; the cursor moves on by itself.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send(), .pages() or .items()"]
pub struct ListUsers {
    client: Client,
    request: PageRequest,
    prefetch: usize,
}

impl ListUsers {
    pub(crate) fn new(client: Client) -> Self {
        let prefetch = client.inner.prefetch;
        Self {
            client,
            request: PageRequest::default(),
            prefetch,
        }
    }

    /// Whether to include avatars, Gong's synthetic users for its own staff (left out unless
    /// asked for).
    pub fn include_avatars(mut self, include: bool) -> Self {
        self.request.include_avatars = Some(include);
        self
    }

    /// Start from this cursor: one from [`Page::next_cursor`], or [`Error::resume_cursor`] to
    /// continue a listing that failed.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.request.cursor = Some(cursor.into());
        self
    }

    /// How many pages to fetch ahead of the caller, for this listing (default: the client's).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages;
        self
    }

    /// Fetches one page. Gong's 404 "no users found" comes back as an empty page.
    pub async fn send(self) -> Result<Page, Error> {
        let cursor = self.request.cursor.clone();
        fetch_page::<Page>(&self.client.inner, &self.request)
            .await
            .map_err(|error| error.with_resume_cursor(cursor.as_deref()))
    }

    /// Every page, following cursors until the last. A cursor that comes back again ends the
    /// stream with [`Error::RepeatedCursor`] instead of looping; any error ends it, carrying
    /// the cursor to resume from.
    pub fn pages(self) -> Pages {
        Pages::new(self.client, self.request, self.prefetch)
    }

    /// Every page as Gong's bytes, for writing users out as JSON without decoding them: each
    /// user's JSON is passed through exactly as sent. Same cursors, retries and loop checks as
    /// [`ListUsers::pages`].
    pub fn raw_pages(self) -> RawPages {
        Pages::new(self.client, self.request, self.prefetch)
    }

    /// Every user of every page, in Gong's order.
    pub fn items(self) -> Items {
        self.pages().items()
    }
}
