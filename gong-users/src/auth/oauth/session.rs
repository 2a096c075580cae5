//! The token state a client's clones share, and the one way it is refreshed.
//!
//! - Single-flight: one lock in the process around read → refresh → write, and the store's lock
//!   around it for other processes ([`TokenStore::lock`]).
//! - Store first: the new refresh token goes to the store the moment Gong's answer is read,
//!   before the rest of the answer is checked; a store that fails is reported
//!   ([`Event::TokenNotSaved`]) and the run goes on with the token in memory.
//! - Cancellation-safe: a refresh runs in a task of its own, so a caller that is dropped (a
//!   listing stopped by Ctrl-C) does not abort a refresh already sent: it completes and is
//!   stored. [`Client::close`](crate::Client::close) waits for it.
//! - A refusal (`invalid_grant`) is checked against the store once: another process may have
//!   rotated the token, and its newer one is used.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret as _, SecretString};
use url::Url;

use super::exchange::{Granted, MAX_TOKEN_LIFETIME, TokenAnswer, TokenExchange, is_refused};
use super::store::{StoredTokens, TokenStore};
use crate::Error;
use crate::error::ErrorKind;
use crate::events::{Event, EventHandler};
use crate::http::url::parse_base_url;

/// The token state a client's clones share.
pub(crate) struct OAuthSession {
    pub(crate) client_id: String,
    exchange: TokenExchange,
    store: Option<Arc<dyn TokenStore>>,
    events: Option<EventHandler>,
    /// Held across a refresh: the lock is what makes refreshes single-flight in the process.
    state: tokio::sync::Mutex<TokenState>,
    /// Whether the customer host / explicit base URL mismatch was reported already.
    mismatch_reported: AtomicBool,
}

struct TokenState {
    refresh_token: SecretString,
    access: Option<AccessToken>,
    /// `api_base_url_for_customer` of the last token response.
    api_base: Option<Url>,
    /// The last rotated refresh token could not be stored: the store's is older than ours.
    unsaved: bool,
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

impl TokenState {
    /// The current access token, unless it is about to expire or is the one `rejected`.
    fn usable(&self, rejected: Option<&HeaderValue>) -> Option<Authorization> {
        let access = self.access.as_ref()?;
        (Instant::now() < access.refresh_at && Some(&access.authorization) != rejected).then(|| {
            Authorization {
                header: access.authorization.clone(),
                api_base: self.api_base.clone(),
            }
        })
    }
}

impl OAuthSession {
    pub(crate) fn new(
        client_id: String,
        refresh_token: SecretString,
        exchange: TokenExchange,
        store: Option<Arc<dyn TokenStore>>,
        events: Option<EventHandler>,
    ) -> Self {
        Self {
            client_id,
            exchange,
            store,
            events,
            state: tokio::sync::Mutex::new(TokenState {
                refresh_token,
                access: None,
                api_base: None,
                unsaved: false,
            }),
            mismatch_reported: AtomicBool::new(false),
        }
    }

    /// A valid access token (not `rejected`, the one a 401 just refused), refreshed first when
    /// needed. The refresh runs in a task of its own: dropping this future does not stop it.
    pub(crate) async fn authorization(
        self: &Arc<Self>,
        rejected: Option<HeaderValue>,
    ) -> Result<Authorization, Error> {
        if let Some(authorization) = self.state.lock().await.usable(rejected.as_ref()) {
            return Ok(authorization);
        }
        let session = Arc::clone(self);
        let refresh = async move { session.refreshed(rejected.as_ref()).await };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime.spawn(refresh).await.unwrap_or_else(|join_error| {
                tracing::error!(%join_error, "the OAuth token refresh task failed");
                Err(ErrorKind::TaskFailed {
                    task: "OAuth token refresh",
                }
                .into())
            }),
            Err(_) => refresh.await,
        }
    }

    /// Waits until no refresh is under way.
    pub(crate) async fn settle(&self) {
        drop(self.state.lock().await);
    }

    /// Under the locks: the store's tokens when they are usable, else a refresh.
    async fn refreshed(&self, rejected: Option<&HeaderValue>) -> Result<Authorization, Error> {
        let mut state = self.state.lock().await;
        if let Some(authorization) = state.usable(rejected) {
            return Ok(authorization);
        }
        let _store_lock = match &self.store {
            Some(store) => match store.lock().await {
                Ok(lock) => Some(lock),
                Err(error) => {
                    self.store_unavailable("could not be locked", &error.to_string());
                    None
                }
            },
            None => None,
        };
        let trust_store = !state.unsaved;
        self.adopt_stored(&mut state, trust_store).await;
        if let Some(authorization) = state.usable(rejected) {
            tracing::info!("using the OAuth access token another process stored");
            return Ok(authorization);
        }
        let mut checked_store = false;
        loop {
            let sent = state.refresh_token.clone();
            tracing::info!(client_id = %self.client_id, "refreshing the OAuth access token");
            match self.exchange.refresh(&sent).await {
                Ok(answer) => return self.accept(&mut state, answer).await,
                Err(error) if is_refused(&error) && !checked_store => {
                    checked_store = true;
                    // Another process may have rotated the token (and stored the new one).
                    self.adopt_stored(&mut state, true).await;
                    if state.refresh_token.expose_secret() == sent.expose_secret() {
                        return Err(error);
                    }
                    tracing::info!("the store holds a newer refresh token than the one refused");
                    if let Some(authorization) = state.usable(rejected) {
                        return Ok(authorization);
                    }
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Takes in a 200: the new refresh token into memory and the store before anything else,
    /// then the access token and the customer's host.
    async fn accept(
        &self,
        state: &mut TokenState,
        answer: TokenAnswer,
    ) -> Result<Authorization, Error> {
        let rotated = answer.refresh_token.is_some();
        if let Some(new) = answer.refresh_token {
            state.refresh_token = new;
        }
        let granted = answer.rest.as_ref().ok();
        if let Some(store) = &self.store {
            let stored = StoredTokens {
                refresh_token: state.refresh_token.clone(),
                access_token: granted.map(|granted| granted.access_token.clone()),
                expires_at: granted.and_then(|g| SystemTime::now().checked_add(g.lifetime)),
                api_base_url: granted.and_then(|g| g.api_base_url_for_customer.clone()),
            };
            match store.save(&stored).await {
                Ok(()) => state.unsaved = false,
                Err(error) => {
                    state.unsaved = rotated;
                    let error = error.to_string();
                    tracing::warn!(
                        %error,
                        "the OAuth tokens could not be stored; going on with them in memory"
                    );
                    self.emit(&Event::TokenNotSaved { error });
                }
            }
        }
        let Granted {
            access_token,
            lifetime,
            api_base_url_for_customer,
        } = answer.rest?;
        let api_base = match api_base_url_for_customer.as_deref() {
            Some(text) => Some(parse_base_url(text)?),
            None => state.api_base.take(),
        };
        let authorization = bearer(&access_token)?;
        state.access = Some(AccessToken {
            authorization: authorization.clone(),
            refresh_at: refresh_at(lifetime),
        });
        state.api_base = api_base.clone();
        tracing::info!(
            expires_in_s = lifetime.as_secs(),
            rotated,
            "OAuth access token refreshed"
        );
        Ok(Authorization {
            header: authorization,
            api_base,
        })
    }

    /// Takes what the store holds: its refresh token when it differs from ours (another process
    /// rotated it; skipped when `trust_store` is false because ours is the newer, unsaved), and
    /// its access token when it has not expired.
    async fn adopt_stored(&self, state: &mut TokenState, trust_store: bool) {
        let Some(store) = &self.store else { return };
        let stored = match store.load().await {
            Ok(Some(stored)) => stored,
            Ok(None) => return,
            Err(error) => {
                self.store_unavailable("could not be read", &error.to_string());
                return;
            }
        };
        if !trust_store {
            return;
        }
        if stored.refresh_token.expose_secret() != state.refresh_token.expose_secret() {
            state.refresh_token = stored.refresh_token;
            state.unsaved = false;
        }
        let (Some(access_token), Some(expires_at)) = (stored.access_token, stored.expires_at)
        else {
            return;
        };
        let Ok(remaining) = expires_at.duration_since(SystemTime::now()) else {
            return;
        };
        let Ok(authorization) = bearer(&access_token) else {
            return;
        };
        let api_base = stored
            .api_base_url
            .as_deref()
            .and_then(|text| parse_base_url(text).ok());
        state.access = Some(AccessToken {
            authorization,
            refresh_at: refresh_at(remaining.min(MAX_TOKEN_LIFETIME)),
        });
        if api_base.is_some() {
            state.api_base = api_base;
        }
    }

    /// Reports, once, that an explicit base URL is not the customer's host the token named.
    pub(crate) fn report_host_mismatch(&self, explicit: &Url, api_base: &Url) {
        if explicit.host_str() != api_base.host_str()
            && !self.mismatch_reported.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                base_url = %explicit,
                api_base_url_for_customer = %api_base,
                "the base URL set explicitly is not the customer's host that Gong's token names; \
                 requests go to the base URL as set"
            );
            self.emit(&Event::CustomerHostMismatch {
                base_url: explicit.to_string(),
                api_base_url_for_customer: api_base.to_string(),
            });
        }
    }

    fn store_unavailable(&self, what: &str, error: &str) {
        tracing::warn!(%error, "the OAuth token store {what}; going on with the tokens in memory");
        self.emit(&Event::TokenStoreUnavailable {
            error: format!("the token store {what}: {error}"),
        });
    }

    fn emit(&self, event: &Event) {
        if let Some(events) = &self.events {
            events(event);
        }
    }
}

/// `Bearer …`, marked sensitive.
fn bearer(access_token: &SecretString) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(&format!("Bearer {}", access_token.expose_secret()))
        .map_err(|_| ErrorKind::InvalidRequest("the access token is not a valid header".into()))?;
    header.set_sensitive(true);
    Ok(header)
}

/// When to refresh a token that lives `lifetime` from now: a fifth of the lifetime early (at
/// most a minute), so no request carries a token about to expire. Never overflows.
fn refresh_at(lifetime: Duration) -> Instant {
    let margin = (lifetime / 5).min(Duration::from_secs(60));
    let now = Instant::now();
    now.checked_add(lifetime.saturating_sub(margin))
        .unwrap_or(now)
}
