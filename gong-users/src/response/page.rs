//! One page of a listing, for both ways of reading it: typed ([`Page<User>`]) or as Gong's bytes
//! ([`Page<RawUser>`]). The envelope (`requestId`, `records`) and its accessors are the same for
//! both, written once.

use gong_users_sys::types::{Records, User, UsersMetadata};
use serde_json::{Map, Value};

use crate::Error;
use crate::response::raw::RawUser;

/// One page of users (Gong sends up to 100 a page) with Gong's paging figures.
///
/// `T` is [`User`] for decoded users ([`ListUsers::pages`](crate::ListUsers::pages)) or
/// [`RawUser`] for each user's JSON exactly as Gong sent it
/// ([`ListUsers::raw_pages`](crate::ListUsers::raw_pages)).
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T = User> {
    pub(crate) request_id: Option<String>,
    pub(crate) records: Option<Records>,
    pub(crate) users: Vec<T>,
    pub(crate) extra: Map<String, Value>,
}

impl<T> Page<T> {
    /// The page that stands for Gong's 404 "No users found" at the start of a listing.
    pub(crate) fn empty(request_id: Option<String>) -> Self {
        Self {
            request_id,
            records: None,
            users: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Gong's reference for the request that returned this page, for troubleshooting.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Gong's paging figures, as sent (fields Gong adds later in `extra`).
    pub fn records(&self) -> Option<&Records> {
        self.records.as_ref()
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

    /// The users on this page.
    pub fn users(&self) -> &[T] {
        &self.users
    }

    /// The users on this page, owned.
    pub fn into_users(self) -> Vec<T> {
        self.users
    }

    /// Top-level fields of the response the spec does not know (always empty for
    /// [`Page<RawUser>`], whose users keep everything Gong sent).
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

impl Page<User> {
    /// The whole response again, as the generated type: serializes to Gong's JSON with unknown
    /// fields kept (`null`s of known fields are left out).
    pub fn into_metadata(self) -> UsersMetadata {
        UsersMetadata {
            request_id: self.request_id,
            records: self.records,
            users: Some(self.users),
            extra: self.extra,
        }
    }
}

impl Page<RawUser> {
    /// Decodes every user of the page; a user that does not decode fails with the JSON path
    /// of the bad value (`users[3].settings.emailsImported`).
    pub fn decode(&self) -> Result<Page<User>, Error> {
        Ok(Page {
            request_id: self.request_id.clone(),
            records: self.records.clone(),
            users: RawUser::decode_list(&self.users, "users")?,
            extra: Map::new(),
        })
    }
}

impl From<UsersMetadata> for Page<User> {
    fn from(metadata: UsersMetadata) -> Self {
        Self {
            request_id: metadata.request_id,
            records: metadata.records,
            users: metadata.users.unwrap_or_default(),
            extra: metadata.extra,
        }
    }
}
