//! Configuration from the environment, in one place: every `GONG_*` variable the library reads,
//! and the reading of them. `Credentials::from_env`, `ClientBuilder::from_env` and
//! `Client::from_env` are defined here, so that no other module knows a variable's name, and a
//! missing credential is reported where the environment was read, naming every way to give one.

use crate::error::ConfigError;
use crate::{Client, ClientBuilder, Credentials, Error, OAuthApp};

/// The environment variable naming the access key (Basic auth).
pub const ENV_ACCESS_KEY: &str = "GONG_ACCESS_KEY";
/// The environment variable naming the access key's secret (Basic auth).
pub const ENV_ACCESS_KEY_SECRET: &str = "GONG_ACCESS_KEY_SECRET";
/// The environment variable naming an OAuth access token (Bearer auth).
pub const ENV_BEARER_TOKEN: &str = "GONG_BEARER_TOKEN";
/// The environment variable naming the app's OAuth client id.
pub const ENV_OAUTH_CLIENT_ID: &str = "GONG_OAUTH_CLIENT_ID";
/// The environment variable naming the app's OAuth client secret.
pub const ENV_OAUTH_CLIENT_SECRET: &str = "GONG_OAUTH_CLIENT_SECRET";
/// The environment variable naming the customer's refresh token.
pub const ENV_OAUTH_REFRESH_TOKEN: &str = "GONG_OAUTH_REFRESH_TOKEN";
/// The environment variable that overrides [`DEFAULT_TOKEN_URL`](crate::DEFAULT_TOKEN_URL).
pub const ENV_OAUTH_TOKEN_URL: &str = "GONG_OAUTH_TOKEN_URL";
/// The environment variable that overrides [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL).
pub const ENV_BASE_URL: &str = "GONG_BASE_URL";
/// The environment variable that overrides [`DEFAULT_DAILY_QUOTA`](crate::DEFAULT_DAILY_QUOTA):
/// requests a rolling 24 hours.
pub const ENV_DAILY_QUOTA: &str = "GONG_DAILY_QUOTA";

/// Every way to give credentials through the environment, for the error that finds none.
const WAYS_TO_GIVE_CREDENTIALS: &str = "GONG_OAUTH_CLIENT_ID, GONG_OAUTH_CLIENT_SECRET and \
     GONG_OAUTH_REFRESH_TOKEN (a Gong app's OAuth credentials), or GONG_ACCESS_KEY and \
     GONG_ACCESS_KEY_SECRET (an access key), or GONG_BEARER_TOKEN (an access token)";

impl Credentials {
    /// Reads the credentials from the environment. The first that is set wins:
    /// 1. `GONG_OAUTH_CLIENT_ID` with `GONG_OAUTH_CLIENT_SECRET` and `GONG_OAUTH_REFRESH_TOKEN`
    ///    (and `GONG_OAUTH_TOKEN_URL`, default Gong's): OAuth;
    /// 2. `GONG_ACCESS_KEY` with `GONG_ACCESS_KEY_SECRET`: an access key;
    /// 3. `GONG_BEARER_TOKEN`: a fixed access token.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Credentials::from_env`] with the variables read through `lookup`, for tests and for
    /// configuration that does not come from the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        if let Some(client_id) = read(ENV_OAUTH_CLIENT_ID) {
            let missing = |missing| ConfigError::IncompleteCredentials {
                set: ENV_OAUTH_CLIENT_ID,
                missing,
            };
            let secret = read(ENV_OAUTH_CLIENT_SECRET).ok_or(missing(ENV_OAUTH_CLIENT_SECRET))?;
            let refresh = read(ENV_OAUTH_REFRESH_TOKEN).ok_or(missing(ENV_OAUTH_REFRESH_TOKEN))?;
            let mut app = OAuthApp::new(client_id, secret, refresh);
            if let Some(url) = read(ENV_OAUTH_TOKEN_URL) {
                app = app.token_url(url)?;
            }
            return Ok(Credentials::OAuth(app));
        }
        match (
            read(ENV_ACCESS_KEY),
            read(ENV_ACCESS_KEY_SECRET),
            read(ENV_BEARER_TOKEN),
        ) {
            (Some(key), Some(secret), _) => Ok(Credentials::basic(key, secret)),
            (Some(_), None, _) => Err(ConfigError::IncompleteCredentials {
                set: ENV_ACCESS_KEY,
                missing: ENV_ACCESS_KEY_SECRET,
            }
            .into()),
            (None, Some(_), _) => Err(ConfigError::IncompleteCredentials {
                set: ENV_ACCESS_KEY_SECRET,
                missing: ENV_ACCESS_KEY,
            }
            .into()),
            (None, None, Some(token)) => Ok(Credentials::bearer(token)),
            (None, None, None) => Err(ConfigError::NoCredentialsInEnvironment {
                ways: WAYS_TO_GIVE_CREDENTIALS,
            }
            .into()),
        }
    }
}

impl ClientBuilder {
    /// A builder with the base URL and credentials read from the environment (see
    /// [`Client::from_env`]); other settings can still be changed before `build`.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`ClientBuilder::from_env`] with the variables read through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::default()
            .credentials(Credentials::from_lookup(&lookup)?)
            .settings_from_lookup(lookup)
    }

    /// This builder with the settings the environment gives besides credentials:
    /// `GONG_BASE_URL`, `GONG_DAILY_QUOTA`, and with the `redis` feature `GONG_REDIS_URL` and
    /// `GONG_REDIS_PREFIX`.
    pub fn settings_from_env(self) -> Result<Self, Error> {
        self.settings_from_lookup(|name| std::env::var(name).ok())
    }

    /// [`ClientBuilder::settings_from_env`] with the variables read through `lookup`.
    pub fn settings_from_lookup(
        self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let mut builder = self;
        #[cfg(feature = "redis")]
        if let Some(config) = crate::RedisConfig::from_lookup(&lookup)? {
            builder = builder.shared_state(config);
        }
        if let Some(base_url) = lookup(ENV_BASE_URL).filter(|url| !url.trim().is_empty()) {
            builder = builder.base_url(&base_url)?;
        }
        if let Some(text) = lookup(ENV_DAILY_QUOTA).filter(|text| !text.trim().is_empty()) {
            let quota = text
                .trim()
                .parse()
                .map_err(|_| ConfigError::InvalidSetting {
                    name: ENV_DAILY_QUOTA,
                    problem: format!("{text:?} is not a whole number of requests"),
                })?;
            builder = builder.daily_quota(quota);
        }
        Ok(builder)
    }
}

impl Client {
    /// A client configured from the environment: `GONG_BASE_URL` (optional), and the
    /// credentials [`Credentials::from_env`] reads (OAuth, an access key, or a bearer token).
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }
}

/// The environment variable naming the shared state's Redis (`redis://…` or `rediss://…`):
/// with it, every process of the company shares one pace, one daily budget and one OAuth token.
#[cfg(feature = "redis")]
pub const ENV_REDIS_URL: &str = "GONG_REDIS_URL";
/// The environment variable that overrides [`DEFAULT_REDIS_PREFIX`](crate::DEFAULT_REDIS_PREFIX),
/// the namespace of the shared state's keys.
#[cfg(feature = "redis")]
pub const ENV_REDIS_PREFIX: &str = "GONG_REDIS_PREFIX";

#[cfg(feature = "redis")]
impl crate::RedisConfig {
    /// The shared state the environment names (`GONG_REDIS_URL`, `GONG_REDIS_PREFIX`), if any.
    pub fn from_env() -> Result<Option<Self>, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`RedisConfig::from_env`](crate::RedisConfig::from_env) with the variables read through
    /// `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, Error> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let Some(url) = read(ENV_REDIS_URL) else {
            return Ok(None);
        };
        let mut config = Self::new(url.trim())?;
        if let Some(prefix) = read(ENV_REDIS_PREFIX) {
            config = config.prefix(prefix);
        }
        Ok(Some(config))
    }
}
