//! OAuth for Gong apps: an app's client id and secret and a customer's refresh token, turned into
//! access tokens as they are needed.
//!
//! What Gong does, and what this module does about it:
//! - refresh tokens are single-use (a second refresh with one gets `invalid_grant`): one token
//!   state is shared by every clone of a client and every concurrent operation, behind one lock,
//!   so there is never a second refresh with the same refresh token;
//! - each refresh may hand out a new refresh token: it goes to the caller's [`TokenStore`] before
//!   the new access token is used, so a process that dies right after still has a valid one;
//! - access tokens expire (`expires_in`): one is refreshed shortly before it runs out, and a 401
//!   from the API triggers one refresh and one more try of that request;
//! - the API host is per customer (`api_base_url_for_customer`): requests go there unless the
//!   caller set a base URL explicitly.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use url::Url;

use crate::base_url::{parse_base_url, parse_secure_url};
use crate::client::ClientInner;
use crate::error::{DecodeError, ErrorKind};
use crate::send::{BuiltRequest, Operation, send};
use crate::{ConfigError, Error};

/// Gong's token endpoint, where apps refresh their tokens.
pub const DEFAULT_TOKEN_URL: &str = "https://app.gong.io/oauth2/generate-customer-token";

/// The environment variable naming the app's OAuth client id.
pub const ENV_OAUTH_CLIENT_ID: &str = "GONG_OAUTH_CLIENT_ID";
/// The environment variable naming the app's OAuth client secret.
pub const ENV_OAUTH_CLIENT_SECRET: &str = "GONG_OAUTH_CLIENT_SECRET";
/// The environment variable naming the customer's refresh token.
pub const ENV_OAUTH_REFRESH_TOKEN: &str = "GONG_OAUTH_REFRESH_TOKEN";
/// The environment variable that overrides [`DEFAULT_TOKEN_URL`].
pub const ENV_OAUTH_TOKEN_URL: &str = "GONG_OAUTH_TOKEN_URL";

/// Where each new refresh token goes, before the access token that came with it is used.
///
/// Refresh tokens are single-use: once a refresh has handed out a new one, the old one is spent.
/// A store that keeps the new one (a file, a database row, a secrets manager) lets the next run
/// start from it. A closure `Fn(&SecretString) -> Result<(), E>` is a store.
pub trait TokenStore: Send + Sync + 'static {
    /// Keeps `refresh_token`. An error is returned to the operation that caused the refresh
    /// (the new token stays in use in memory: it is the only valid one).
    fn save(&self, refresh_token: &SecretString) -> Result<(), String>;
}

impl<F, E> TokenStore for F
where
    F: Fn(&SecretString) -> Result<(), E> + Send + Sync + 'static,
    E: fmt::Display,
{
    fn save(&self, refresh_token: &SecretString) -> Result<(), String> {
        self(refresh_token).map_err(|err| err.to_string())
    }
}

/// A Gong app's OAuth credentials for one customer: client id, client secret, and the customer's
/// refresh token. Pass it to [`Credentials::oauth`](crate::Credentials::oauth).
///
/// ```
/// use gong_users::{Client, Credentials, OAuthApp};
/// # fn demo() -> Result<(), gong_users::Error> {
/// let app = OAuthApp::new("client-id", "client-secret", "refresh-token")
///     .token_store(|token: &secrecy::SecretString| -> Result<(), std::io::Error> {
///         // keep the rotated refresh token somewhere safe
///         # let _ = token;
///         Ok(())
///     });
/// let client = Client::builder().credentials(Credentials::oauth(app)).build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OAuthApp {
    client_id: String,
    client_secret: SecretString,
    refresh_token: SecretString,
    token_url: Url,
    store: Option<Arc<dyn TokenStore>>,
}

impl OAuthApp {
    /// The app's client id and secret, and the customer's refresh token.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            refresh_token: SecretString::from(refresh_token.into()),
            token_url: Url::parse(DEFAULT_TOKEN_URL).unwrap_or_else(|_| unreachable!()),
            store: None,
        }
    }

    /// The token endpoint (default [`DEFAULT_TOKEN_URL`]): for tests and proxies. Fails for
    /// anything but `https://`, except `http://` to a loopback host.
    pub fn token_url(mut self, url: impl AsRef<str>) -> Result<Self, Error> {
        self.token_url = parse_secure_url(url.as_ref())?;
        Ok(self)
    }

    /// Where each rotated refresh token goes (see [`TokenStore`]).
    pub fn token_store(mut self, store: impl TokenStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> &Url {
        &self.token_url
    }
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("refresh_token", &"[REDACTED]")
            .field("token_url", &self.token_url.as_str())
            .field("store", &self.store.as_ref().map(|_| "set"))
            .finish()
    }
}

/// The token state a client's clones share.
pub(crate) struct OAuthSession {
    client_id: String,
    token_url: Url,
    store: Option<Arc<dyn TokenStore>>,
    /// `Basic base64(client_id:client_secret)`, marked sensitive.
    app_authorization: HeaderValue,
    /// Held across a refresh: the lock is what makes refreshes single-flight.
    state: tokio::sync::Mutex<TokenState>,
    /// Whether the customer host / explicit base URL mismatch was logged already.
    mismatch_logged: AtomicBool,
}

struct TokenState {
    refresh_token: SecretString,
    access: Option<AccessToken>,
    /// `api_base_url_for_customer` of the last token response.
    api_base: Option<Url>,
}

struct AccessToken {
    /// `Bearer …`, marked sensitive.
    authorization: HeaderValue,
    /// When to refresh: shortly before the token expires.
    refresh_at: Instant,
}

/// The credentials for one request, and the customer's host when the token named one.
pub(crate) struct Authorization {
    pub(crate) header: HeaderValue,
    pub(crate) api_base: Option<Url>,
}

impl OAuthSession {
    pub(crate) fn new(app: OAuthApp) -> Result<Self, ConfigError> {
        let pair = format!("{}:{}", app.client_id, app.client_secret.expose_secret());
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        );
        let mut app_authorization =
            HeaderValue::from_str(&basic).map_err(|_| ConfigError::InvalidCredentials)?;
        app_authorization.set_sensitive(true);
        Ok(Self {
            client_id: app.client_id,
            token_url: app.token_url,
            store: app.store,
            app_authorization,
            state: tokio::sync::Mutex::new(TokenState {
                refresh_token: app.refresh_token,
                access: None,
                api_base: None,
            }),
            mismatch_logged: AtomicBool::new(false),
        })
    }

    /// A valid access token, refreshed first when it is missing or about to expire.
    pub(crate) async fn authorization(&self, client: &ClientInner) -> Result<Authorization, Error> {
        self.valid_or_refreshed(client, None).await
    }

    /// After the API answered 401 to `rejected`: a fresh token, unless another operation has
    /// refreshed since.
    pub(crate) async fn after_unauthorized(
        &self,
        client: &ClientInner,
        rejected: &HeaderValue,
    ) -> Result<(), Error> {
        self.valid_or_refreshed(client, Some(rejected))
            .await
            .map(drop)
    }

    /// The current access token when it is not about to expire (nor the one `rejected`), else a
    /// refreshed one. The lock is held throughout: refreshes are single-flight.
    async fn valid_or_refreshed(
        &self,
        client: &ClientInner,
        rejected: Option<&HeaderValue>,
    ) -> Result<Authorization, Error> {
        let mut state = self.state.lock().await;
        let usable = |access: &&AccessToken| {
            Instant::now() < access.refresh_at && Some(&access.authorization) != rejected
        };
        if let Some(access) = state.access.as_ref().filter(usable) {
            return Ok(Authorization {
                header: access.authorization.clone(),
                api_base: state.api_base.clone(),
            });
        }
        self.refresh(&mut state, client).await
    }

    /// Logs, once, that an explicit base URL is not the customer's host the token named.
    pub(crate) fn warn_on_host_mismatch(&self, explicit: &Url, api_base: &Url) {
        if explicit.host_str() != api_base.host_str()
            && !self.mismatch_logged.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                base_url = %explicit,
                api_base_url_for_customer = %api_base,
                "the base URL set explicitly is not the customer's host that Gong's token names; \
                 requests go to the base URL as set"
            );
        }
    }

    /// Refreshes with the current refresh token (the lock is held by the caller).
    ///
    /// Boxed, with `Send` stated: the send path asks this session for credentials, so the
    /// future would otherwise contain itself.
    fn refresh<'a>(
        &'a self,
        state: &'a mut TokenState,
        client: &'a ClientInner,
    ) -> Pin<Box<dyn Future<Output = Result<Authorization, Error>> + Send + 'a>> {
        Box::pin(async move {
            let request = TokenRefresh {
                http: client.http.clone(),
                url: &self.token_url,
                app_authorization: &self.app_authorization,
                refresh_token: &state.refresh_token,
            };
            tracing::info!(client_id = %self.client_id, "refreshing the OAuth access token");
            let response = send(client, &request).await.map_err(refused_refresh)?;
            let rotated = response.refresh_token.is_some();
            if let Some(new) = response.refresh_token {
                state.refresh_token = new;
            }
            let api_base = match response.api_base_url_for_customer.as_deref() {
                Some(text) => Some(parse_base_url(text)?),
                None => state.api_base.take(),
            };
            let lifetime = Duration::from_secs(response.expires_in.unwrap_or(3600));
            let mut authorization =
                HeaderValue::from_str(&format!("Bearer {}", response.access_token.expose_secret()))
                    .map_err(|_| {
                        ErrorKind::InvalidRequest("the access token is not a valid header".into())
                    })?;
            authorization.set_sensitive(true);
            // Refresh a fifth of the lifetime early (at most a minute): never with a token about to
            // expire in flight.
            let margin = (lifetime / 5).min(Duration::from_secs(60));
            state.access = Some(AccessToken {
                authorization: authorization.clone(),
                refresh_at: Instant::now() + lifetime - margin,
            });
            state.api_base = api_base.clone();
            tracing::info!(
                expires_in_s = lifetime.as_secs(),
                rotated,
                "OAuth access token refreshed"
            );
            if rotated && let Some(store) = &self.store {
                store
                    .save(&state.refresh_token)
                    .map_err(ErrorKind::TokenStore)?;
            }
            Ok(Authorization {
                header: authorization,
                api_base,
            })
        })
    }
}

/// A refresh the token endpoint refused (400 or 401, `invalid_grant` and the like) means the
/// refresh token is spent or revoked: only re-authorizing the app helps.
fn refused_refresh(error: Error) -> Error {
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
    ErrorKind::ReauthorizationRequired {
        status: api.status,
        reason,
        description,
    }
    .into()
}

/// `POST {token_url}` with `grant_type=refresh_token`: not an operation of Gong's API (another
/// host, outside the API's quota), so it is built here, not by the generated client, and carries
/// the app's credentials rather than a customer's.
struct TokenRefresh<'a> {
    http: reqwest::Client,
    url: &'a Url,
    app_authorization: &'a HeaderValue,
    refresh_token: &'a SecretString,
}

/// Gong's token response. No `Debug`: it holds tokens.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    expires_in: Option<u64>,
    api_base_url_for_customer: Option<String>,
}

impl Operation for TokenRefresh<'_> {
    type Output = TokenResponse;
    const NAME: &'static str = "oauth_refresh";
    const API: bool = false;

    async fn build(&self, _raw: &gong_users_sys::Client) -> BuiltRequest {
        // A form body, not the query string: a URL ends up in logs.
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", self.refresh_token.expose_secret())
            .finish();
        Ok(self
            .http
            .post(self.url.clone())
            .header(AUTHORIZATION, self.app_authorization.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .build()?)
    }

    /// A body that does not decode is reported without its text: it may hold tokens.
    fn decode(&self, status: StatusCode, body: Bytes) -> Result<TokenResponse, Error> {
        serde_json::from_slice(&body).map_err(|err| {
            DecodeError {
                status,
                request_id: None,
                path: "(token response)".into(),
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
        })
    }
}
