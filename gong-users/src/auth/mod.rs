//! The credentials each request carries: a fixed header (access key, bearer token), or an OAuth
//! session that refreshes its access token as needed.

pub(crate) mod credentials;
pub(crate) mod oauth;

use std::sync::Arc;

use reqwest::header::HeaderValue;

use crate::auth::oauth::{Authorization, OAuthSession, SessionContext};
use crate::{ConfigError, Credentials, Error};

pub(crate) enum Auth {
    /// The same header on every request.
    Fixed {
        scheme: &'static str,
        header: HeaderValue,
    },
    /// A Gong app's token state, shared by the client's clones (and by its refresh tasks).
    OAuth(Arc<OAuthSession>),
}

impl Auth {
    pub(crate) fn new(
        credentials: Credentials,
        context: SessionContext,
    ) -> Result<Self, ConfigError> {
        match credentials {
            Credentials::OAuth(app) => Ok(Auth::OAuth(Arc::new(app.into_session(context)?))),
            fixed => Ok(Auth::Fixed {
                scheme: fixed.scheme(),
                header: fixed.header_value()?,
            }),
        }
    }

    /// The scheme, for `Debug`.
    pub(crate) fn scheme(&self) -> &'static str {
        match self {
            Auth::Fixed { scheme, .. } => scheme,
            Auth::OAuth(_) => "OAuth",
        }
    }

    /// The credentials for the next request.
    pub(crate) async fn authorization(&self) -> Result<Authorization, Error> {
        match self {
            Auth::Fixed { header, .. } => Ok(Authorization {
                header: header.clone(),
                api_base: None,
            }),
            Auth::OAuth(session) => session.authorization(None).await,
        }
    }

    /// After a 401 to `rejected`: new credentials to try once more, when there can be new ones
    /// (`None`: fixed credentials).
    pub(crate) async fn after_unauthorized(
        &self,
        rejected: &HeaderValue,
    ) -> Option<Result<Authorization, Error>> {
        match self {
            Auth::Fixed { .. } => None,
            Auth::OAuth(session) => Some(session.authorization(Some(rejected.clone())).await),
        }
    }

    /// The OAuth session, when there is one.
    pub(crate) fn oauth(&self) -> Option<&OAuthSession> {
        match self {
            Auth::OAuth(session) => Some(session),
            Auth::Fixed { .. } => None,
        }
    }
}
