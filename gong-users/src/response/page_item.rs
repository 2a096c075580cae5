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

use crate::response::decode::{decode_error, decode_json};
use crate::response::raw::{RawUser, body_text, parse_envelope};
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

    /// The user's `id` as 8 bytes, for remembering which users a listing delivered: the id
    /// itself when it is digits that fit (Gong's ids are), a hash of it otherwise.
    fn id_key(&self) -> Option<u64>;
}

/// See [`PageItem::id_key`].
pub(crate) fn id_key(id: &str) -> u64 {
    match id.parse::<u64>() {
        Ok(number) if id.bytes().all(|b| b.is_ascii_digit()) => number,
        _ => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            id.hash(&mut hasher);
            hasher.finish()
        }
    }
}

/// The record's top-level `"id"` when it is a string without escapes, found by a scan that
/// tracks strings and nesting, without decoding the record (a profile put a full parse at a
/// third of the raw path's time). `None` sends the caller to a full parse.
fn scan_top_level_id(json: &str) -> Option<&str> {
    let bytes = json.as_bytes();
    let mut depth = 0usize;
    // The last structural byte outside strings: a string after `{` or `,` at depth 1 is a key.
    let mut last = 0u8;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                // Jump to the next quote or backslash (memchr: most of a record is strings).
                let mut end = start;
                loop {
                    match memchr::memchr2(b'"', b'\\', bytes.get(end..).unwrap_or_default()) {
                        Some(offset) if bytes[end + offset] == b'\\' => end += offset + 2,
                        Some(offset) => {
                            end += offset;
                            break;
                        }
                        None => {
                            end = bytes.len();
                            break;
                        }
                    }
                }
                let is_key = depth == 1 && matches!(last, b'{' | b',');
                if is_key && bytes.get(start..end) == Some(b"id") {
                    let rest = json.get(end + 1..)?.trim_start().strip_prefix(':')?;
                    let value = rest.trim_start().strip_prefix('"')?;
                    let close = value.find(['"', '\\'])?;
                    return (value.as_bytes()[close] == b'"').then(|| &value[..close]);
                }
                last = b'"';
                i = end + 1;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !bytes[i].is_ascii_whitespace() {
            last = bytes[i];
        }
        i += 1;
    }
    None
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

    fn id_key(&self) -> Option<u64> {
        self.id.as_deref().map(id_key)
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
        if let Some(id) = scan_top_level_id(self.as_str()) {
            return Some(id.to_owned());
        }
        #[derive(Deserialize)]
        struct IdOnly {
            id: Option<String>,
        }
        serde_json::from_slice::<IdOnly>(self.as_bytes()).ok()?.id
    }

    fn id_key(&self) -> Option<u64> {
        match scan_top_level_id(self.as_str()) {
            Some(id) => Some(id_key(id)),
            None => self.user_id().as_deref().map(id_key),
        }
    }
}

impl RawUser {
    /// The user's top-level `id`, read without decoding the record (a scan that skips through
    /// strings; a full parse only when the id has escapes). `None` when it has no string `id`.
    ///
    /// ```
    /// use gong_users::{Page, RawUser};
    /// let page = Page::<RawUser>::from_bytes(&br#"{"users":[{"settings":{"id":"x"},"id":"42"}]}"#[..])?;
    /// assert_eq!(page.users()[0].id().as_deref(), Some("42"));
    /// # Ok::<(), gong_users::Error>(())
    /// ```
    pub fn id(&self) -> Option<String> {
        self.user_id()
    }
}

/// Decoding a page is each page type's own: here, beside the trait that says how.
impl<T: PageItem> Page<T> {
    /// Decodes a page from the body of a listing response, as the client does. For
    /// [`Page<User>`] a value of the wrong type fails with a decode error naming its JSON path;
    /// `null`s, missing fields and unknown fields never fail. For [`Page<RawUser>`] only the
    /// envelope is decoded and each user is checked to be a JSON object.
    ///
    /// ```
    /// use gong_users::{Page, RawUser, User};
    /// let body = br#"{"users":[{"id":"1","newField":null}]}"#;
    /// let typed = Page::<User>::from_bytes(&body[..])?;
    /// assert!(typed.users()[0].extra.contains_key("newField"));
    /// let raw = Page::<RawUser>::from_bytes(&body[..])?;
    /// assert_eq!(raw.users()[0].as_bytes(), br#"{"id":"1","newField":null}"#);
    /// # Ok::<(), gong_users::Error>(())
    /// ```
    pub fn from_bytes(body: impl Into<Bytes>) -> Result<Self, Error> {
        T::decode_page(reqwest::StatusCode::OK, body.into())
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
    fn the_top_level_id_is_found_without_a_parse_and_never_a_nested_one() {
        for (json, id) in [
            (r#"{"id":"123","a":1}"#, Some("123")),
            (r#"{"active":true,"created":"x", "id" : "77" }"#, Some("77")),
            (r#"{"x":{"id":"nested"},"id":"top"}"#, Some("top")),
            (r#"{"x":[{"id":"nested"}],"note":"\"id\":\"no\""}"#, None),
            (r#"{"s":"{\"id\":\"9\"}","id":"5"}"#, Some("5")),
            (r#"{"id":"a\"b"}"#, None),
            (r#"{"id":12}"#, None),
        ] {
            assert_eq!(scan_top_level_id(json), id, "{json}");
        }
        let escaped: RawUser = Page::<RawUser>::from_bytes(&br#"{"users":[{"id":"a\"b"}]}"#[..])
            .unwrap()
            .into_users()
            .remove(0);
        assert_eq!(
            escaped.user_id().as_deref(),
            Some("a\"b"),
            "escapes: a full parse"
        );
        assert_eq!(id_key("234599484848423"), 234599484848423);
        assert_ne!(
            id_key("99999999999999999999"),
            id_key("9999999999999999999")
        );
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
