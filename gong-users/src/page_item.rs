//! What a listing needs of the users on its pages, whichever way they are read: decoded
//! ([`User`]) or as Gong's bytes ([`RawUser`]). Private: callers pick one through
//! [`ListUsers::pages`](crate::ListUsers::pages) or
//! [`ListUsers::raw_pages`](crate::ListUsers::raw_pages).

use std::hash::{Hash as _, Hasher as _};

use bytes::Bytes;
use gong_users_sys::types::{Records, User, UsersMetadata};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::decode::{decode_error, decode_json};
use crate::raw::{RawUser, body_text, parse_envelope};
use crate::{Error, Page};

/// A user as a page holds it. Sealed by being crate-private.
pub trait PageItem: Sized + Send + 'static {
    /// Decodes a 2xx listing body.
    fn decode_page(status: StatusCode, body: Bytes) -> Result<Page<Self>, Error>;

    /// A hash of a page's users, to notice a page sent twice under a new cursor; `None` when it
    /// has nothing to tell pages apart by.
    fn fingerprint(users: &[Self]) -> Option<u64>;

    /// The user's `id`, when it has one.
    fn user_id(&self) -> Option<String>;
}

impl PageItem for User {
    fn decode_page(status: StatusCode, body: Bytes) -> Result<Page<Self>, Error> {
        decode_json::<UsersMetadata>(status, &body, "").map(Page::from)
    }

    /// The users' ids: a page of the same users under a new cursor is a page sent twice.
    fn fingerprint(users: &[Self]) -> Option<u64> {
        if !users.iter().any(|user| user.id.is_some()) {
            return None;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for user in users {
            user.id.hash(&mut hasher);
        }
        Some(hasher.finish())
    }

    fn user_id(&self) -> Option<String> {
        self.id.clone()
    }
}

/// The parts of a page body decoded for a raw page; users stay bytes.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    records: Option<Records>,
    #[serde(borrow)]
    users: Option<Vec<&'a RawValue>>,
}

impl PageItem for RawUser {
    fn decode_page(status: StatusCode, body: Bytes) -> Result<Page<Self>, Error> {
        let typed_error = || decode_error::<UsersMetadata>(status, &body, "");
        let text = body_text(&body).ok_or_else(typed_error)?;
        let envelope = parse_envelope::<Envelope<'_>>(&text).ok_or_else(typed_error)?;
        let users = envelope.users.as_deref().unwrap_or_default();
        // A user that is not an object: let the typed decoder name the path and the problem.
        let users = RawUser::locate(&text, users).map_err(|_| typed_error())?;
        Ok(Page {
            request_id: envelope.request_id,
            records: envelope.records,
            users,
            extra: Default::default(),
        })
    }

    /// How many users, and the first and last user's bytes: a page sent twice under a new cursor
    /// repeats them all, while two different pages of a listing never start and end with the same
    /// users. (Hashing every user's bytes cost a tenth of the raw path's time, per a profile.)
    fn fingerprint(users: &[Self]) -> Option<u64> {
        let (first, last) = (users.first()?, users.last()?);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        users.len().hash(&mut hasher);
        first.as_bytes().hash(&mut hasher);
        last.as_bytes().hash(&mut hasher);
        Some(hasher.finish())
    }

    fn user_id(&self) -> Option<String> {
        // Gong writes `id` first: read it there without parsing the record, when it holds no
        // escape.
        if let Some(rest) = self.as_str().strip_prefix(r#"{"id":""#)
            && let Some(id) = rest.split_once('"').map(|(id, _)| id)
            && !id.contains('\\')
        {
            return Some(id.to_owned());
        }
        #[derive(Deserialize)]
        struct IdOnly {
            id: Option<String>,
        }
        serde_json::from_slice::<IdOnly>(self.as_bytes()).ok()?.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn raw_users_are_located_byte_for_byte() {
        let body = br#"{"requestId":"r","records":{"cursor":"c2","totalRecords":9},
            "users":[{"id":"1","title":null,"n":1.50},  {"id":"2"}]}"#;
        let page = Page::<RawUser>::from_bytes(&body[..]).unwrap();
        let users: Vec<&[u8]> = page.users().iter().map(RawUser::as_bytes).collect();
        assert_eq!(
            users,
            [
                &br#"{"id":"1","title":null,"n":1.50}"#[..],
                br#"{"id":"2"}"#
            ]
        );
        assert_eq!(page.next_cursor(), Some("c2"));
        assert_eq!(page.request_id(), Some("r"));
        assert_eq!(page.total_records(), Some(9));
        assert_eq!(page.decode().unwrap().users().len(), 2);
    }

    #[test]
    fn a_user_that_is_not_an_object_is_a_decode_error_with_its_path() {
        let error = Page::<RawUser>::from_bytes(&br#"{"users":[{"id":"1"}, 42]}"#[..]).unwrap_err();
        let ErrorKind::Decode(decode) = error.kind() else {
            panic!("expected a decode error, got {error:?}");
        };
        assert_eq!(decode.path, "users[1]");
    }
}
