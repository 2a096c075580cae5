//! One page of a listing: what a page request asks for (the filter fixed for the whole
//! listing, the cursor), the operation that sends it (`GET /v2/users`, or with a filter
//! `POST /v2/users/extensive`), and Gong's 404 for "no users" read as an empty first page.

use std::marker::PhantomData;

use bytes::Bytes;
use gong_users_sys::Timestamp;
use gong_users_sys::types::{UsersFilter, UsersRequest};
use reqwest::StatusCode;

use crate::client::ClientInner;
use crate::events::Event;
use crate::ops::user_id::check_user_ids;
use crate::pipeline::{BuiltRequest, Operation, send};
use crate::response::page_item::PageItem;
use crate::{Error, Page};

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
