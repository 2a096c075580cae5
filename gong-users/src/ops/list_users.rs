//! The `listUsers` request builder and the operation it sends: one page, a stream of pages, or
//! a stream of users.

use gong_users_sys::Timestamp;
use gong_users_sys::types::User;

use crate::ops::list_page::{Filter, PageRequest, fetch_page};
use crate::ops::pagination::{Items, Pages};
use crate::{Client, Error, Page, RawUser};

impl Client {
    /// Lists the company's users: `.send()` one page, `.pages()` or `.items()` all of them.
    pub fn list_users(&self) -> ListUsers {
        ListUsers::new(self.clone())
    }
}

/// A request to list the company's users, built by [`Client::list_users`].
///
/// Every page of a listing keeps the same `includeAvatars` and filter; the cursor moves on by
/// itself. Without a filter it is Gong's `GET /v2/users`; with one
/// ([`created_from`](ListUsers::created_from), [`created_to`](ListUsers::created_to),
/// [`user_ids`](ListUsers::user_ids)) it is `POST /v2/users/extensive`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send(), .pages(), .raw_pages() or .items()"]
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

    /// Only users created at or after `time` (Gong's `createdFromDateTime`, inclusive): a
    /// `chrono::DateTime` of any time zone, or a [`Timestamp`]; sent as ISO-8601 with its
    /// offset. Setting any filter switches the listing to `POST /v2/users/extensive`.
    ///
    /// The filter is sent, unchanged, with every page (Gong binds its cursors to it). To resume a
    /// filtered listing, build the same filter again and add [`ListUsers::cursor`].
    pub fn created_from(mut self, time: impl Into<Timestamp>) -> Self {
        self.filter().created_from = Some(time.into());
        self
    }

    /// Only users created before `time` (Gong's `createdToDateTime`, exclusive). See
    /// [`ListUsers::created_from`].
    pub fn created_to(mut self, time: impl Into<Timestamp>) -> Self {
        self.filter().created_to = Some(time.into());
        self
    }

    /// Only the users with these ids (each 1 to 20 digits; anything else fails the request
    /// before it is sent). See [`ListUsers::created_from`]; for many ids with the ones not
    /// found named, use [`Client::get_users`].
    pub fn user_ids<I: Into<String>>(mut self, ids: impl IntoIterator<Item = I>) -> Self {
        self.filter().user_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    fn filter(&mut self) -> &mut Filter {
        self.request.filter.get_or_insert_with(Filter::default)
    }

    /// How many pages to fetch ahead of the caller, for this listing (default: the client's).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages;
        self
    }

    /// Fetches one page. Gong's 404 "no users found" on a listing's first page comes back as an
    /// empty page; on a page asked for by cursor it is an error ([`Error::is_not_found`]).
    pub async fn send(self) -> Result<Page, Error> {
        fetch_page::<User>(&self.client.inner, &self.request).await
    }

    /// Every page, following cursors until the last. A cursor or page that comes back again
    /// ends the stream with an error instead of looping; any error ends it, carrying the cursor
    /// to resume from. Nothing is fetched until the stream is first polled.
    ///
    /// Gong's cursors expire. A listing that started from the first page and meets an expired
    /// cursor starts again from the first page, leaving out the users it delivered already (by
    /// id), so every user still comes once; it says so with [`Event::ListingRestarted`](crate::Event::ListingRestarted), and
    /// gives up with the error after three restarts. A listing started from a
    /// [`cursor`](ListUsers::cursor) cannot do that: it fails with
    /// [`Error::is_cursor_expired`].
    pub fn pages(self) -> Pages<User> {
        Pages::new(self.client, self.request, self.prefetch)
    }

    /// Every page, each user as Gong's bytes, for writing users out as JSON without decoding
    /// them. Same cursors, retries and loop checks as [`ListUsers::pages`].
    pub fn raw_pages(self) -> Pages<RawUser> {
        Pages::new(self.client, self.request, self.prefetch)
    }

    /// Every user of every page, in Gong's order.
    pub fn items(self) -> Items<User> {
        self.pages().items()
    }
}
