//! A page passed through as Gong's bytes: the fast, lossless path for tools that write users
//! out as JSON (the CLI's `ndjson` and `json` formats).
//!
//! Only the envelope (`requestId`, `records`) is decoded; each user is located in the body and
//! checked to be a JSON object, but not decoded. Its bytes are exactly what Gong sent: `null`s,
//! unknown fields, number formats and key order included. [`RawPage::decode`] turns it into a
//! typed [`Page`] when fields are needed.

use std::ops::Range;

use bytes::Bytes;
use gong_users_sys::types::Records;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::decode::decode_error;
use crate::{Error, Page};

/// One page of users as Gong's JSON bytes, from [`ListUsers::raw_pages`](crate::ListUsers::raw_pages).
#[derive(Clone, Debug)]
pub struct RawPage {
    body: Bytes,
    users: Vec<Range<usize>>,
    request_id: Option<String>,
    records: Option<Records>,
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

impl RawPage {
    /// Locates the users in the JSON of a `GET /v2/users` response body, as
    /// [`ListUsers::raw_pages`](crate::ListUsers::raw_pages) does.
    ///
    /// ```
    /// let page = gong_users::RawPage::from_bytes(r#"{"users":[{"id":"1","x":null}]}"#)?;
    /// assert_eq!(page.users_json().next(), Some(&br#"{"id":"1","x":null}"#[..]));
    /// # Ok::<(), gong_users::Error>(())
    /// ```
    pub fn from_bytes(body: impl Into<Bytes>) -> Result<Self, Error> {
        Self::decode(StatusCode::OK, body.into())
    }

    /// Locates the users in a 2xx body.
    pub(crate) fn decode(status: StatusCode, body: Bytes) -> Result<Self, Error> {
        let Ok(envelope) = serde_json::from_slice::<Envelope<'_>>(&body) else {
            return Err(decode_error(status, &body));
        };
        let start = body.as_ptr() as usize;
        let mut users = Vec::with_capacity(envelope.users.as_ref().map_or(0, Vec::len));
        for user in envelope.users.iter().flatten() {
            let json = user.get();
            if !json.starts_with('{') {
                // Not a user object: let the typed decoder name the path and the problem.
                return Err(decode_error(status, &body));
            }
            let offset = json.as_ptr() as usize - start;
            users.push(offset..offset + json.len());
        }
        let (request_id, records) = (envelope.request_id, envelope.records);
        Ok(Self {
            body,
            users,
            request_id,
            records,
        })
    }

    /// The page for Gong's 404 "No users found".
    pub(crate) fn empty(request_id: Option<String>) -> Self {
        Self {
            body: Bytes::new(),
            users: Vec::new(),
            request_id,
            records: None,
        }
    }

    /// Each user's JSON, exactly as Gong sent it.
    pub fn users_json(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.users.iter().map(|range| &self.body[range.clone()])
    }

    /// The whole response body (empty for a 404 "No users found").
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Decodes the page into typed users.
    pub fn decode_users(&self) -> Result<Page, Error> {
        if self.body.is_empty() {
            return Ok(Page::empty(self.request_id.clone()));
        }
        Page::decode(StatusCode::OK, &self.body)
    }

    /// Gong's reference for the request that returned this page.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many records the whole listing has, as Gong counts them.
    pub fn total_records(&self) -> Option<i64> {
        self.records.as_ref().and_then(|r| r.total_records)
    }

    /// This page's number, from 0.
    pub fn page_number(&self) -> Option<i64> {
        self.records.as_ref().and_then(|r| r.current_page_number)
    }

    /// The cursor of the next page; `None` on the last page.
    pub fn next_cursor(&self) -> Option<&str> {
        self.records.as_ref().and_then(|r| r.cursor.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_located_byte_for_byte() {
        let body = br#"{"requestId":"r","records":{"cursor":"c2","totalRecords":9},
            "users":[{"id":"1","title":null,"n":1.50},  {"id":"2"}]}"#;
        let page = RawPage::decode(StatusCode::OK, Bytes::from_static(body)).unwrap();
        let users: Vec<&[u8]> = page.users_json().collect();
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
        assert_eq!(page.decode_users().unwrap().users().len(), 2);
    }

    #[test]
    fn a_user_that_is_not_an_object_is_a_decode_error_with_its_path() {
        let body = br#"{"users":[{"id":"1"}, 42]}"#;
        let Err(Error::Decode(decode)) = RawPage::decode(StatusCode::OK, Bytes::from_static(body))
        else {
            panic!("expected a decode error");
        };
        assert_eq!(decode.path, "users[1]");
    }
}
