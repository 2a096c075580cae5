//! The `listUsers` request builder and the operation it sends: one page, a stream of pages, or
//! a stream of users.

use std::marker::PhantomData;

use bytes::Bytes;
use gong_users_sys::Timestamp;
use gong_users_sys::types::{User, UsersFilter, UsersRequest};
use reqwest::StatusCode;

use crate::client::ClientInner;
use crate::events::Event;
use crate::page_item::PageItem;
use crate::pagination::{Items, Pages};
use crate::send::{BuiltRequest, Operation, send};
use crate::user_id::check_user_ids;
use crate::{Client, Error, Page, RawUser};

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

/// What a page request asks for.
#[derive(Clone, Debug, Default)]
pub(crate) struct PageRequest {
    pub(crate) cursor: Option<String>,
    pub(crate) include_avatars: Option<bool>,
    /// Set: `POST /v2/users/extensive` with this filter on every page.
    pub(crate) filter: Option<Filter>,
    /// A batch of [`Client::get_users`]: a 404 means none of these ids, which the batch's
    /// caller reports itself, so no [`Event::NoUsers`].
    pub(crate) by_ids: bool,
}

/// A filter of `POST /v2/users/extensive`, fixed for a whole listing.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Filter {
    pub(crate) created_from: Option<Timestamp>,
    pub(crate) created_to: Option<Timestamp>,
    pub(crate) user_ids: Vec<String>,
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
    /// id), so every user still comes once; it says so with [`Event::ListingRestarted`], and
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

/// One page of a listing, its users read as `T`: `GET /v2/users`, or with a filter
/// `POST /v2/users/extensive` (the cursor in the body, beside the same filter).
struct ListPage<'a, T> {
    request: &'a PageRequest,
    users: PhantomData<fn() -> T>,
}

impl<T: PageItem> Operation for ListPage<'_, T> {
    type Output = Page<T>;
    const NAME: &'static str = "list_users";

    async fn build(&self, raw: &gong_users_sys::Client) -> BuiltRequest {
        let request = self.request;
        if let Some(filter) = &request.filter {
            check_user_ids(&filter.user_ids).map_err(gong_users_sys::Error::InvalidRequest)?;
            let body = UsersRequest {
                cursor: request.cursor.clone(),
                filter: UsersFilter {
                    created_from_date_time: filter.created_from.clone(),
                    created_to_date_time: filter.created_to.clone(),
                    include_avatars: request.include_avatars,
                    user_ids: filter.user_ids.clone(),
                },
            };
            return gong_users_sys::build_request(raw.list_multiple_users().body(body).send())
                .await;
        }
        let mut call = raw.list_users();
        if let Some(cursor) = &request.cursor {
            call = call.cursor(cursor.as_str());
        }
        if let Some(include_avatars) = request.include_avatars {
            call = call.include_avatars(include_avatars);
        }
        gong_users_sys::build_request(call.send()).await
    }

    fn decode(&self, status: StatusCode, body: Bytes) -> Result<Page<T>, Error> {
        T::decode_page(status, body)
    }
}

/// Fetches one page of a listing. Gong answers "no users" with a 404 and its error body rather
/// than an empty page, but only a listing's first request may mean that: a 404 for a cursor is
/// a failure (the listing would otherwise end short without a word).
pub(crate) async fn fetch_page<T: PageItem>(
    client: &ClientInner,
    request: &PageRequest,
) -> Result<Page<T>, Error> {
    let operation = ListPage {
        request,
        users: PhantomData,
    };
    match send(client, &operation).await {
        Ok(page) => Ok(page),
        Err(error) => match error.api() {
            Some(api) if request.cursor.is_none() && api.status == 404 && api.is_gong_error() => {
                if request.by_ids {
                    return Ok(Page::empty(api.request_id.clone()));
                }
                tracing::warn!(
                    url = %api.url,
                    messages = ?api.messages,
                    request_id = api.request_id.as_deref(),
                    "Gong answered 404 for the first page: no users to list"
                );
                client.emit(&Event::NoUsers {
                    url: api.url.clone(),
                    messages: api.messages.clone(),
                    request_id: api.request_id.clone(),
                    filtered: request.filter.is_some(),
                });
                Ok(Page::empty(api.request_id.clone()))
            }
            // An expired cursor is no place to resume from: the caller must start over.
            _ if error.is_cursor_expired() => Err(error.with_resume_cursor(None)),
            _ => Err(error.with_resume_cursor(request.cursor.as_deref())),
        },
    }
}
