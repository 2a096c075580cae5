//! One page of the listing, as Gong sent it.

use gong_users_sys::types::{Records, User, UsersMetadata};
use reqwest::StatusCode;

use crate::Error;
use crate::decode::decode_error;

/// One page of users (Gong sends up to 100 a page) with Gong's paging figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    metadata: UsersMetadata,
}

impl Page {
    /// The page for a listing that found nothing: Gong answers that with 404 rather than an
    /// empty page.
    pub(crate) fn empty(request_id: Option<String>) -> Self {
        Self {
            metadata: UsersMetadata {
                request_id,
                records: None,
                users: Some(Vec::new()),
                extra: Default::default(),
            },
        }
    }

    /// Gong's reference for the request that returned this page, for troubleshooting.
    pub fn request_id(&self) -> Option<&str> {
        self.metadata.request_id.as_deref()
    }

    /// How many records the whole listing has, as Gong counts them.
    pub fn total_records(&self) -> Option<i64> {
        self.records().and_then(|r| r.total_records)
    }

    /// How many records this page has, as Gong counts them.
    pub fn page_size(&self) -> Option<i64> {
        self.records().and_then(|r| r.current_page_size)
    }

    /// This page's number, from 0.
    pub fn page_number(&self) -> Option<i64> {
        self.records().and_then(|r| r.current_page_number)
    }

    /// The cursor of the next page; `None` on the last page.
    pub fn next_cursor(&self) -> Option<&str> {
        self.records().and_then(|r| r.cursor.as_deref())
    }

    /// Decodes a page from the JSON of a `GET /v2/users` response body, as the client does: a
    /// value of the wrong type fails with [`Error::Decode`] naming its JSON path; `null`s,
    /// missing fields and unknown fields never fail.
    ///
    /// ```
    /// let page = gong_users::Page::from_slice(br#"{"users":[{"id":"1","newField":true}]}"#)?;
    /// assert_eq!(page.users()[0].extra["newField"], true);
    /// # Ok::<(), gong_users::Error>(())
    /// ```
    pub fn from_slice(body: &[u8]) -> Result<Self, Error> {
        Self::decode(StatusCode::OK, body)
    }

    /// Decodes the body of a response with `status`.
    pub(crate) fn decode(status: StatusCode, body: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice::<UsersMetadata>(body)
            .map(Page::from)
            .map_err(|_| decode_error(status, body))
    }

    /// The users on this page.
    pub fn users(&self) -> &[User] {
        self.metadata.users.as_deref().unwrap_or_default()
    }

    /// The users on this page, owned.
    pub fn into_users(self) -> Vec<User> {
        self.metadata.users.unwrap_or_default()
    }

    /// The whole decoded response, fields the spec does not know included.
    pub fn metadata(&self) -> &UsersMetadata {
        &self.metadata
    }

    /// The whole decoded response, owned.
    pub fn into_metadata(self) -> UsersMetadata {
        self.metadata
    }

    fn records(&self) -> Option<&Records> {
        self.metadata.records.as_ref()
    }
}

impl From<UsersMetadata> for Page {
    fn from(metadata: UsersMetadata) -> Self {
        Self { metadata }
    }
}
