//! Credentials: an access key and its secret (Basic auth), an OAuth access token (Bearer), or a
//! Gong app's OAuth credentials that refresh their own access tokens ([`OAuthApp`]).
//!
//! Secrets live in `secrecy::SecretString`, so they are zeroed on drop and never printed: `Debug`
//! shows `[REDACTED]`, and the header built from them is marked sensitive so HTTP-level logging
//! leaves it out too.

use std::fmt;

use base64::Engine as _;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::{ConfigError, OAuthApp};

/// How the client proves who it is to Gong.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// An access key and its secret, from Gong's API settings page: `Authorization: Basic …`.
    Basic {
        /// The access key.
        access_key: SecretString,
        /// The access key's secret.
        secret: SecretString,
    },
    /// An OAuth access token with the scope `api:users:read`: `Authorization: Bearer …`.
    Bearer {
        /// The access token.
        token: SecretString,
    },
    /// A Gong app's client id and secret with a customer's refresh token: access tokens are
    /// refreshed as they expire, rotated refresh tokens handed to the app's store, and
    /// requests sent to the customer's own host.
    OAuth(OAuthApp),
}

impl Credentials {
    /// An access key and its secret.
    pub fn basic(access_key: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials::Basic {
            access_key: SecretString::from(access_key.into()),
            secret: SecretString::from(secret.into()),
        }
    }

    /// An OAuth access token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Credentials::Bearer {
            token: SecretString::from(token.into()),
        }
    }

    /// A Gong app's OAuth credentials; see [`OAuthApp`].
    pub fn oauth(app: OAuthApp) -> Self {
        Credentials::OAuth(app)
    }

    /// The `Authorization` header value, marked sensitive.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, ConfigError> {
        let text = match self {
            Credentials::Basic { access_key, secret } => {
                let pair = format!("{}:{}", access_key.expose_secret(), secret.expose_secret());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            Credentials::Bearer { token } => format!("Bearer {}", token.expose_secret()),
            Credentials::OAuth(_) => return Err(ConfigError::InvalidCredentials),
        };
        let mut value =
            HeaderValue::from_str(&text).map_err(|_| ConfigError::InvalidCredentials)?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// The identifiers that name the company these credentials are for, none secret: the
    /// access key (an id; its secret stays out), or the OAuth app's client id and token
    /// endpoint. Hashed into the shared state's key names.
    #[cfg(feature = "redis")]
    pub(crate) fn company_identifiers(&self) -> Vec<String> {
        match self {
            Credentials::Basic { access_key, .. } => {
                vec!["basic".into(), access_key.expose_secret().to_owned()]
            }
            Credentials::Bearer { .. } => vec!["bearer".into()],
            Credentials::OAuth(app) => vec![
                "oauth".into(),
                app.client_id().to_owned(),
                app.token_endpoint().to_string(),
            ],
        }
    }

    /// "Basic" or "Bearer", for logs and `Debug`.
    pub fn scheme(&self) -> &'static str {
        match self {
            Credentials::Basic { .. } => "Basic",
            Credentials::Bearer { .. } => "Bearer",
            Credentials::OAuth(_) => "OAuth",
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { .. } => f
                .debug_struct("Credentials::Basic")
                .field("access_key", &"[REDACTED]")
                .field("secret", &"[REDACTED]")
                .finish(),
            Credentials::Bearer { .. } => f
                .debug_struct("Credentials::Bearer")
                .field("token", &"[REDACTED]")
                .finish(),
            Credentials::OAuth(app) => f.debug_tuple("Credentials::OAuth").field(app).finish(),
        }
    }
}
