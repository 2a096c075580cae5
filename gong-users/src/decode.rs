//! Decoding a page body, and saying exactly where and why one did not decode.
//!
//! The happy path is one `serde_json::from_slice`. Only when it fails is the body decoded again
//! with path tracking, so the error can name the JSON path of the bad value
//! (`users[3].settings.emailsImported`) without slowing every page down.

use gong_users_sys::types::UsersMetadata;
use reqwest::StatusCode;
use serde::Deserialize;

use crate::Error;
use crate::error::{DecodeError, body_snippet};

/// Decodes `body` again with path tracking, to say where and why it failed.
pub(crate) fn decode_error(status: StatusCode, body: &[u8]) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let (path, message, truncated) =
        match serde_path_to_error::deserialize::<_, UsersMetadata>(&mut deserializer) {
            Err(error) => (
                error.path().to_string(),
                error.inner().to_string(),
                error.inner().is_eof(),
            ),
            // The value decoded, so what failed is what follows it.
            Ok(_) => match deserializer.end() {
                Err(error) => (
                    "(after the JSON value)".to_owned(),
                    error.to_string(),
                    false,
                ),
                Ok(()) => (
                    "(unknown)".to_owned(),
                    "the body did not decode".to_owned(),
                    false,
                ),
            },
        };
    decode_failure(status, body, path, message, truncated)
}

fn decode_failure(
    status: StatusCode,
    body: &[u8],
    path: String,
    message: String,
    truncated: bool,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        status,
        request_id: request_id_of(body),
        path,
        message,
        body_snippet: body_snippet(body),
        truncated,
        resume_cursor: None,
    }))
}

/// Gong's `requestId` from a body that did not decode as a whole, when it can still be read.
fn request_id_of(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct RequestIdOnly {
        #[serde(rename = "requestId")]
        request_id: Option<String>,
    }
    serde_json::from_slice::<RequestIdOnly>(body)
        .ok()?
        .request_id
}

#[cfg(test)]
mod tests {
    use crate::{Error, Page};

    #[test]
    fn trailing_characters_are_named_after_the_json_value() {
        let Err(Error::Decode(decode)) = Page::from_slice(br#"{"users":[]} trailing"#) else {
            panic!("trailing characters must not decode");
        };
        assert_eq!(decode.path, "(after the JSON value)");
        assert!(
            decode.message.contains("trailing characters"),
            "{}",
            decode.message
        );
        assert!(!decode.truncated);
    }
}
