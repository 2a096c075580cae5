//! What pagination needs of a page, whichever way it was decoded: typed ([`Page`]) or passed
//! through as Gong's bytes ([`RawPage`]).

use std::hash::{Hash as _, Hasher as _};

use bytes::Bytes;
use reqwest::StatusCode;

use crate::{Error, Page, RawPage};

/// A page a listing can yield: [`Page`] or [`RawPage`]. Sealed: implemented only here.
pub trait ListingPage: private::Sealed + Sized + Send + 'static {
    /// Decodes a 2xx body.
    #[doc(hidden)]
    fn decode(status: StatusCode, body: Bytes) -> Result<Self, Error>;
    /// The page that stands for Gong's 404 "No users found".
    #[doc(hidden)]
    fn no_users(request_id: Option<String>) -> Self;
    /// Gong's `requestId` for the page.
    #[doc(hidden)]
    fn listing_request_id(&self) -> Option<&str>;
    /// The next page's cursor.
    #[doc(hidden)]
    fn listing_next_cursor(&self) -> Option<&str>;
    /// How many users the page holds.
    #[doc(hidden)]
    fn user_count(&self) -> usize;
    /// A hash of the page's users, to notice a page sent twice; `None` when it has none.
    #[doc(hidden)]
    fn users_fingerprint(&self) -> Option<u64>;
}

mod private {
    pub trait Sealed {}
    impl Sealed for crate::Page {}
    impl Sealed for crate::RawPage {}
}

impl ListingPage for Page {
    fn decode(status: StatusCode, body: Bytes) -> Result<Self, Error> {
        Page::decode(status, &body)
    }

    fn no_users(request_id: Option<String>) -> Self {
        Page::empty(request_id)
    }

    fn listing_request_id(&self) -> Option<&str> {
        self.request_id()
    }

    fn listing_next_cursor(&self) -> Option<&str> {
        self.next_cursor()
    }

    fn user_count(&self) -> usize {
        self.users().len()
    }

    /// The users' ids: a page of the same users under a new cursor is a page sent twice.
    fn users_fingerprint(&self) -> Option<u64> {
        let users = self.users();
        if !users.iter().any(|user| user.id.is_some()) {
            return None;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for user in users {
            user.id.hash(&mut hasher);
        }
        Some(hasher.finish())
    }
}

impl ListingPage for RawPage {
    fn decode(status: StatusCode, body: Bytes) -> Result<Self, Error> {
        RawPage::decode(status, body)
    }

    fn no_users(request_id: Option<String>) -> Self {
        RawPage::empty(request_id)
    }

    fn listing_request_id(&self) -> Option<&str> {
        self.request_id()
    }

    fn listing_next_cursor(&self) -> Option<&str> {
        self.next_cursor()
    }

    fn user_count(&self) -> usize {
        self.users_json().len()
    }

    /// The users' bytes: the same bytes under a new cursor are a page sent twice.
    fn users_fingerprint(&self) -> Option<u64> {
        if self.users_json().len() == 0 {
            return None;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for user in self.users_json() {
            user.hash(&mut hasher);
        }
        Some(hasher.finish())
    }
}
