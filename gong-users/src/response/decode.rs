//! Decoding a body, and saying exactly where and why one did not decode.
//!
//! The happy path is one `serde_json::from_slice`. Only when it fails is the body decoded again
//! with path tracking, so the error can name the JSON path of the bad value
//! (`users[3].settings.emailsImported`) without slowing every page down.

use reqwest::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::error::{DecodeError, body_snippet};

/// Decodes `body` as a `T`; on failure, names the JSON path (after `prefix`) of the bad value.
pub(crate) fn decode_json<T: DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
    prefix: &str,
) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|_| decode_error::<T>(status, body, prefix))
}

/// Decodes `body` again as a `T` with path tracking, to say where and why it failed.
pub(crate) fn decode_error<T: DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
    prefix: &str,
) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let (path, message, truncated) =
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(error) => (
                join_path(prefix, &error.path().to_string()),
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
    DecodeError {
        status,
        request_id: request_id_of(body),
        path,
        message,
        body_snippet: body_snippet(body),
        truncated,
    }
    .into()
}

fn join_path(prefix: &str, path: &str) -> String {
    match (prefix, path) {
        ("", path) => path.to_owned(),
        (prefix, ".") => prefix.to_owned(),
        (prefix, path) if path.starts_with('[') => format!("{prefix}{path}"),
        (prefix, path) => format!("{prefix}.{path}"),
    }
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
    use crate::{ErrorKind, Page, RawUser, User};

    #[test]
    fn trailing_characters_are_named_after_the_json_value() {
        let error = Page::<User>::from_bytes(&br#"{"users":[]} trailing"#[..]).unwrap_err();
        let ErrorKind::Decode(decode) = error.kind() else {
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

    #[test]
    fn a_raw_user_that_does_not_decode_names_its_place_on_the_page() {
        let page = Page::<RawUser>::from_bytes(
            &br#"{"users":[{"id":"1"},{"id":"2","active":"yes"}]}"#[..],
        )
        .unwrap();
        let error = page.decode().unwrap_err();
        let ErrorKind::Decode(decode) = error.kind() else {
            panic!("expected a decode error, got {error:?}");
        };
        assert_eq!(decode.path, "users[1].active");
    }
}
