//! One user as Gong's bytes: the lossless, fast way to pass users on as JSON.

use std::fmt;

use bytes::Bytes;
use gong_users_sys::types::User;

use crate::Error;
use crate::decode::decode_json;

/// One user's JSON exactly as Gong sent it: `null`s, unknown fields, number text and key order
/// kept. A slice of the response body (reference-counted, no copy). Decode it with
/// [`RawUser::decode`] when you need the fields.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawUser(pub(crate) Bytes);

impl RawUser {
    /// The user's JSON object, as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The user's JSON object, as text (Gong's JSON is UTF-8, checked when the page was read).
    pub fn as_str(&self) -> &str {
        // The bytes were located by serde_json in a body it read as UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// Decodes the user; a value of the wrong type fails naming its JSON path.
    pub fn decode(&self) -> Result<User, Error> {
        decode_json(reqwest::StatusCode::OK, &self.0, "")
    }

    /// Decodes the user found at `index` of its page, naming paths from `users[index]`.
    pub(crate) fn decode_at(&self, index: usize) -> Result<User, Error> {
        decode_json(reqwest::StatusCode::OK, &self.0, &format!("users[{index}]"))
    }
}

impl fmt::Debug for RawUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawUser").field(&self.as_str()).finish()
    }
}
