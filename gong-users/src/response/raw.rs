//! One record as Gong's bytes: the lossless, fast way to pass records on as JSON.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use bytes::Bytes;
use bytestring::ByteString;
use gong_users_sys::types::{User, UserSettingChange};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::Error;
use crate::response::decode::decode_json;

/// One record's JSON exactly as Gong sent it: `null`s, unknown fields, number text and key order
/// kept. A slice of the response body (reference-counted, no copy), whose UTF-8 was checked once
/// for the whole body. `T` is what it decodes to, with [`Raw::decode`], when you need the fields.
pub struct Raw<T> {
    json: ByteString,
    record: PhantomData<fn() -> T>,
}

/// A user as Gong's bytes.
pub type RawUser = Raw<User>;

/// A change of a user's settings as Gong's bytes.
pub type RawSettingChange = Raw<UserSettingChange>;

impl<T> Raw<T> {
    /// The record's JSON, as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.json.as_bytes()
    }

    /// The record's JSON, as text (Gong's JSON is UTF-8, checked when the body was read).
    pub fn as_str(&self) -> &str {
        &self.json
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        self.json.into_bytes()
    }

    /// The records `values` of `body` (which `values` were parsed from, see [`parse_envelope`])
    /// as slices of it, each checked to be a JSON object; `Err(index)` names the first that is
    /// not.
    pub(crate) fn locate(body: &ByteString, values: &[&RawValue]) -> Result<Vec<Self>, usize> {
        values
            .iter()
            .enumerate()
            .map(|(index, value)| {
                let json = value.get();
                if !json.starts_with('{') {
                    return Err(index);
                }
                Ok(Self {
                    json: body.slice_ref(json),
                    record: PhantomData,
                })
            })
            .collect()
    }
}

/// A response body as text, when it is UTF-8.
///
/// The body's UTF-8 is checked once, here, and parsed as text: serde_json then checks no string
/// again, where from_slice would check each record and each string (a twelfth of the time of a
/// raw listing, per a profile), and the records sliced from it need no check either.
pub(crate) fn body_text(body: &Bytes) -> Option<ByteString> {
    ByteString::try_from(body.clone()).ok()
}

/// Decodes the envelope `E` of a response whose records stay raw (`&RawValue`s borrowed from
/// `body`), or `None` when it does not decode. It must be a JSON object: serde's derived
/// decoders also accept a struct as an array of its fields, which the typed decoders (keeping
/// unknown fields) refuse.
pub(crate) fn parse_envelope<'a, E: serde::Deserialize<'a>>(body: &'a str) -> Option<E> {
    if !body.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str(body).ok()
}

impl<T: DeserializeOwned> Raw<T> {
    /// Decodes the record; a value of the wrong type fails naming its JSON path.
    pub fn decode(&self) -> Result<T, Error> {
        decode_json(reqwest::StatusCode::OK, self.as_bytes(), "")
    }

    /// Decodes the records of a response's list `list`; one that does not decode fails naming
    /// its path from `list[index]`.
    pub(crate) fn decode_list(records: &[Self], list: &str) -> Result<Vec<T>, Error> {
        records
            .iter()
            .enumerate()
            .map(|(index, record)| {
                let prefix = format!("{list}[{index}]");
                decode_json(reqwest::StatusCode::OK, record.as_bytes(), &prefix)
            })
            .collect()
    }
}

impl<T> Clone for Raw<T> {
    fn clone(&self) -> Self {
        Self {
            json: self.json.clone(),
            record: PhantomData,
        }
    }
}

impl<T> PartialEq for Raw<T> {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json
    }
}

impl<T> Eq for Raw<T> {}

impl<T> Hash for Raw<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.json.hash(state);
    }
}

impl<T> fmt::Debug for Raw<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Raw").field(&self.as_str()).finish()
    }
}
