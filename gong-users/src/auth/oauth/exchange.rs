//! The token request: `POST {token_url}?grant_type=refresh_token&refresh_token=…`, with the
//! app's Basic credentials and no body, as Gong documents it.
//!
//! It is not an operation of Gong's API (another host, outside the API's quota, the app's
//! credentials rather than a customer's), so it does not take the send pipeline: it uses the
//! transport and the client's retry policy directly. Its URL holds the refresh token, so no URL
//! of it reaches a log line, an event or an error.

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use url::Url;

use crate::error::{DecodeError, ErrorKind};
use crate::http::error_response::api_error;
use crate::http::retry::Decision;
use crate::http::transport::send_bounded;
use crate::{Error, RetryPolicy};

/// The longest access-token lifetime believed, whatever `expires_in` says: a server's absurd
/// value must neither overflow a clock nor keep a token past any sensible life.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// The lifetime assumed when a token response names none.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Everything a token request needs, fixed for a client's life.
pub(crate) struct TokenExchange {
    pub(crate) http: reqwest::Client,
    pub(crate) url: Url,
    /// `Basic base64(client_id:client_secret)`, marked sensitive.
    pub(crate) app_authorization: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_body_bytes: u64,
}

/// A 200 from the token endpoint: the new refresh token, read before anything else so that it
/// can be stored even when the rest of the answer is unusable; then the rest. No `Debug`: it
/// holds tokens.
pub(crate) struct TokenAnswer {
    pub(crate) refresh_token: Option<SecretString>,
    pub(crate) rest: Result<Granted, Error>,
}

/// The rest of a token answer.
pub(crate) struct Granted {
    pub(crate) access_token: SecretString,
    /// `expires_in`, clamped to [`MAX_TOKEN_LIFETIME`].
    pub(crate) lifetime: Duration,
    pub(crate) api_base_url_for_customer: Option<String>,
}

impl TokenExchange {
    /// Exchanges `refresh_token` for new tokens, retrying per the client's policy. A refusal
    /// (400/401: `invalid_grant` and the like) is
    /// [`ReauthorizationRequired`](ErrorKind::ReauthorizationRequired), or
    /// [`RefreshAnswerLost`](ErrorKind::RefreshAnswerLost) when an earlier attempt may have
    /// reached Gong and rotated the token.
    pub(crate) async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenAnswer, Error> {
        let mut attempt: u32 = 1;
        // What happened to an earlier attempt that may have reached Gong.
        let mut reached_earlier: Option<String> = None;
        loop {
            let error = match self.attempt(refresh_token).await {
                Ok(answer) => return Ok(answer),
                Err(error) => refused(error, reached_earlier.as_deref()),
            };
            match self.retry.decide(&error, attempt - 1) {
                Decision::GiveUp => return Err(error.with_attempts(attempt)),
                Decision::Retry { wait, reason } => {
                    if may_have_reached_gong(&error) {
                        reached_earlier.get_or_insert_with(|| error.to_string());
                    }
                    tracing::warn!(
                        attempt,
                        %reason,
                        wait_ms = wait.as_millis() as u64,
                        error = %error,
                        "the OAuth token request failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(&self, refresh_token: &SecretString) -> Result<TokenAnswer, Error> {
        let mut url = self.url.clone();
        url.query_pairs_mut()
            .append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", refresh_token.expose_secret());
        let request = self
            .http
            .post(url)
            .header(AUTHORIZATION, self.app_authorization.clone())
            .build()
            .map_err(|err| Error::from_reqwest(err.without_url()))?;
        let response = send_bounded(&self.http, request, self.max_body_bytes)
            .await
            .map_err(Error::without_url)?;
        if !response.status.is_success() {
            let mut api = api_error(response, self.url.to_string());
            // A proxy's page could echo the request line: never keep the token.
            if let Some(snippet) = &mut api.body_snippet {
                *snippet = snippet.replace(refresh_token.expose_secret(), "[REDACTED]");
            }
            return Err(api.into());
        }
        decode(response.status, &response.body)
    }
}

/// Reads a 200: the refresh token first (a body that is JSON at all gives it up, whatever the
/// other fields hold), then the rest. A body that is not JSON is reported without its text: it
/// may hold tokens.
fn decode(status: StatusCode, body: &Bytes) -> Result<TokenAnswer, Error> {
    #[derive(Deserialize)]
    struct RefreshOnly {
        refresh_token: Option<serde_json::Value>,
    }
    #[derive(Deserialize)]
    struct Rest {
        access_token: Option<SecretString>,
        expires_in: Option<serde_json::Value>,
        api_base_url_for_customer: Option<String>,
    }
    let decode_error = |err: serde_json::Error, path: &str| -> Error {
        DecodeError {
            status,
            request_id: None,
            path: path.into(),
            message: format!(
                "{:?} error at line {} column {}",
                err.classify(),
                err.line(),
                err.column()
            ),
            body_snippet: format!("(not shown: {} bytes of a token response)", body.len()),
            truncated: err.is_eof(),
        }
        .into()
    };
    let first: RefreshOnly =
        serde_json::from_slice(body).map_err(|err| decode_error(err, "(token response)"))?;
    let refresh_token = match first.refresh_token {
        Some(serde_json::Value::String(token)) if !token.is_empty() => {
            Some(SecretString::from(token))
        }
        _ => None,
    };
    let rest = serde_json::from_slice::<Rest>(body)
        .map_err(|err| decode_error(err, "(token response)"))
        .and_then(|rest| {
            let access_token = rest.access_token.ok_or_else(|| -> Error {
                DecodeError {
                    status,
                    request_id: None,
                    path: "access_token".into(),
                    message: "missing".into(),
                    body_snippet: format!("(not shown: {} bytes of a token response)", body.len()),
                    truncated: false,
                }
                .into()
            })?;
            Ok(Granted {
                access_token,
                lifetime: lifetime(rest.expires_in.as_ref()),
                api_base_url_for_customer: rest.api_base_url_for_customer,
            })
        });
    Ok(TokenAnswer {
        refresh_token,
        rest,
    })
}

/// `expires_in` as a lifetime: whole or fractional seconds, clamped to
/// [`MAX_TOKEN_LIFETIME`]; anything else (missing, negative, text) is the default hour.
pub(crate) fn lifetime(expires_in: Option<&serde_json::Value>) -> Duration {
    let seconds = match expires_in {
        Some(value) => value.as_f64().filter(|s| s.is_finite() && *s >= 0.0),
        None => None,
    };
    match seconds {
        Some(seconds) if seconds >= MAX_TOKEN_LIFETIME.as_secs_f64() => MAX_TOKEN_LIFETIME,
        Some(seconds) => Duration::from_secs_f64(seconds),
        None => DEFAULT_TOKEN_LIFETIME,
    }
}

/// Whether a failed attempt may have reached Gong's token endpoint, so that it may have rotated
/// the token: a timeout, a connection cut after it was made, a body cut short, a 5xx. A
/// connection that was never made, or a 429, did not.
fn may_have_reached_gong(error: &Error) -> bool {
    match error.kind() {
        ErrorKind::Transport(source) | ErrorKind::Timeout(source) => !source.is_connect(),
        ErrorKind::Decode(decode) => decode.truncated,
        ErrorKind::Api(api) => api.status.is_server_error(),
        _ => false,
    }
}

/// A refresh the token endpoint refused (400 or 401, `invalid_grant` and the like) means the
/// refresh token is spent or revoked: only re-authorizing the app helps. When an earlier attempt
/// may have reached Gong, it is most likely that attempt that spent it.
fn refused(error: Error, reached_earlier: Option<&str>) -> Error {
    let Some(api) = error.api() else {
        return error;
    };
    if !matches!(api.status.as_u16(), 400 | 401) {
        return error;
    }
    #[derive(Deserialize)]
    struct OAuthError {
        error: Option<String>,
        error_description: Option<String>,
    }
    let parsed = api
        .body_snippet
        .as_deref()
        .and_then(|body| serde_json::from_str::<OAuthError>(body.trim_end_matches('…')).ok());
    let (reason, description) = match parsed {
        Some(parsed) => (parsed.error, parsed.error_description),
        None => (api.messages.first().cloned(), None),
    };
    let status = api.status;
    match reached_earlier {
        Some(earlier) => ErrorKind::RefreshAnswerLost {
            status,
            reason,
            description,
            earlier: earlier.to_owned(),
        },
        None => ErrorKind::ReauthorizationRequired {
            status,
            reason,
            description,
        },
    }
    .into()
}

/// True for the token endpoint's refusal of a refresh token.
pub(crate) fn is_refused(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ReauthorizationRequired { .. } | ErrorKind::RefreshAnswerLost { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_lifetimes_are_clamped() {
        let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        for (text, expected) in [
            ("10000000000000000000", MAX_TOKEN_LIFETIME),
            ("1e300", MAX_TOKEN_LIFETIME),
            ("-5", DEFAULT_TOKEN_LIFETIME),
            ("\"3600\"", DEFAULT_TOKEN_LIFETIME),
            ("0", Duration::ZERO),
            ("86400", Duration::from_secs(86400)),
            ("1.5", Duration::from_millis(1500)),
        ] {
            assert_eq!(lifetime(Some(&json(text))), expected, "{text}");
        }
        assert_eq!(lifetime(None), DEFAULT_TOKEN_LIFETIME);
    }

    #[test]
    fn the_refresh_token_is_read_even_when_the_rest_is_unusable() {
        let body = Bytes::from_static(br#"{"refresh_token":"r2","expires_in":"soon"}"#);
        let answer = decode(StatusCode::OK, &body).unwrap();
        assert_eq!(
            answer.refresh_token.as_ref().map(|t| t.expose_secret()),
            Some("r2")
        );
        let error = answer.rest.err().unwrap();
        assert!(!error.to_string().contains("r2"), "{error}");
    }
}
