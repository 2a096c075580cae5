//! OAuth for Gong apps: an app's client id and secret and a customer's refresh token, turned into
//! access tokens as they are needed.
//!
//! What Gong does, and what this module does about it:
//! - refresh tokens are single-use (a second refresh with one gets `invalid_grant`): one token
//!   state is shared by every clone of a client and every concurrent operation, behind one lock,
//!   and a [`TokenStore`] shared by processes adds its own lock, so no refresh token is spent
//!   twice ([`session`]);
//! - each refresh may hand out a new refresh token: it goes to the store the moment Gong's
//!   answer is read, so a process that dies right after still has a valid one;
//! - access tokens expire (`expires_in`): one is refreshed shortly before it runs out, and a 401
//!   from the API triggers one refresh and one more try of that request;
//! - the API host is per customer (`api_base_url_for_customer`): requests go there unless the
//!   caller set a base URL explicitly;
//! - the token request itself ([`exchange`]) is Gong's documented shape, below the send
//!   pipeline.

pub(crate) mod exchange;
#[cfg(feature = "redis")]
pub(crate) mod redis_store;
pub(crate) mod session;
pub(crate) mod store;

pub(crate) use session::{Authorization, OAuthSession};
pub use store::{StoreError, StoreFuture, StoredTokens, TokenStore, TokenStoreLock};

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret as _, SecretString};
use url::Url;

use crate::events::EventHandler;
use crate::http::url::parse_secure_url;
use crate::{ConfigError, Error, RetryPolicy};

/// Gong's token endpoint, where apps refresh their tokens.
pub const DEFAULT_TOKEN_URL: &str = "https://app.gong.io/oauth2/generate-customer-token";

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

    /// Where the tokens of each refresh go, and where a refresh looks first for tokens another
    /// process fetched (see [`TokenStore`]).
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

    /// Whether a token store was set.
    #[cfg(feature = "redis")]
    pub(crate) fn has_store(&self) -> bool {
        self.store.is_some()
    }

    /// The refresh token given, for a store that starts a chain from it.
    #[cfg(feature = "redis")]
    pub(crate) fn refresh_token(&self) -> &SecretString {
        &self.refresh_token
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

/// What an OAuth session needs of the client being built.
pub(crate) struct SessionContext {
    pub(crate) http: reqwest::Client,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_body_bytes: u64,
    pub(crate) events: Option<EventHandler>,
}

impl OAuthApp {
    /// The session of a client built with this app.
    pub(crate) fn into_session(self, context: SessionContext) -> Result<OAuthSession, ConfigError> {
        let pair = format!("{}:{}", self.client_id, self.client_secret.expose_secret());
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        );
        let mut app_authorization =
            HeaderValue::from_str(&basic).map_err(|_| ConfigError::InvalidCredentials)?;
        app_authorization.set_sensitive(true);
        let exchange = exchange::TokenExchange {
            http: context.http,
            url: self.token_url,
            app_authorization,
            retry: context.retry,
            max_body_bytes: context.max_body_bytes,
        };
        Ok(OAuthSession::new(
            self.client_id,
            self.refresh_token,
            exchange,
            self.store,
            context.events,
        ))
    }
}
