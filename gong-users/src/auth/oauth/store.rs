//! Token stores: where a refresh's result goes, so that the next run (or another process
//! sharing the store) starts from tokens that still work.
//!
//! Refresh tokens are single-use: once a refresh has handed out a new one, the old one is spent.
//! A store keeps the new one the moment it arrives. A store shared by several processes (a file
//! on one machine, Redis for a fleet) also keeps the access token with its expiry, so that a
//! process reuses a token another one fetched instead of refreshing again, and offers a lock
//! held from reading the store, through a refresh, to writing its result: two processes then
//! never spend the same refresh token.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use secrecy::SecretString;

/// What a [`TokenStore`] fails with: anything that says why.
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// The boxed future the methods of [`TokenStore`] return.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The tokens of the last refresh, as a store keeps them. `Debug` shows no token.
#[derive(Clone)]
pub struct StoredTokens {
    /// The refresh token that works now.
    pub refresh_token: SecretString,
    /// The access token that came with it, when the store keeps one.
    pub access_token: Option<SecretString>,
    /// When the access token expires (wall-clock time: it is shared between processes).
    pub expires_at: Option<SystemTime>,
    /// The customer's API host that the token response named (`api_base_url_for_customer`).
    pub api_base_url: Option<String>,
}

impl StoredTokens {
    /// Only a refresh token: no access token to share.
    pub fn new(refresh_token: SecretString) -> Self {
        Self {
            refresh_token,
            access_token: None,
            expires_at: None,
            api_base_url: None,
        }
    }
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTokens")
            .field("refresh_token", &"[REDACTED]")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("expires_at", &self.expires_at)
            .field("api_base_url", &self.api_base_url)
            .finish()
    }
}

/// A store's lock for other processes, released when dropped. See [`TokenStore::lock`].
#[must_use = "the lock is released when this is dropped"]
pub struct TokenStoreLock {
    _guard: Option<Box<dyn Send + Sync>>,
}

impl TokenStoreLock {
    /// A lock held until `guard` is dropped (a locked file, a lease to give back…).
    pub fn new(guard: impl Send + Sync + 'static) -> Self {
        Self {
            _guard: Some(Box::new(guard)),
        }
    }

    /// No lock: for a store that only one process uses.
    pub fn none() -> Self {
        Self { _guard: None }
    }
}

impl fmt::Debug for TokenStoreLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenStoreLock")
            .field("held", &self._guard.is_some())
            .finish()
    }
}

/// Where the tokens of each refresh go, and where a refresh first looks for newer ones.
///
/// The client calls, holding its own lock so that one process refreshes once at a time:
/// [`lock`](TokenStore::lock) → [`load`](TokenStore::load) (another process may have refreshed
/// already: its access token is used, or its refresh token) → the refresh, only if still needed →
/// [`save`](TokenStore::save) as soon as Gong's answer is read → the lock dropped. A store that
/// fails does not fail the operation: the client goes on with the tokens in memory and reports
/// [`Event::TokenNotSaved`](crate::Event::TokenNotSaved) (or
/// [`Event::TokenStoreUnavailable`](crate::Event::TokenStoreUnavailable)).
///
/// A closure `Fn(&SecretString) -> Result<(), E>` is a store that keeps the refresh token only,
/// with no lock and nothing to load: enough for one process.
pub trait TokenStore: Send + Sync + 'static {
    /// Keeps the tokens of a refresh that has just succeeded.
    fn save<'a>(&'a self, tokens: &'a StoredTokens) -> StoreFuture<'a, ()>;

    /// The tokens the store holds now, when it can tell (default: nothing to load).
    fn load(&self) -> StoreFuture<'_, Option<StoredTokens>> {
        Box::pin(async { Ok(None) })
    }

    /// Takes the store's lock for other processes, waiting for it if another holds it (default:
    /// no lock). A lock must not be held forever by a process that died: a file lock is released
    /// by the kernel, a lease in Redis expires.
    fn lock(&self) -> StoreFuture<'_, TokenStoreLock> {
        Box::pin(async { Ok(TokenStoreLock::none()) })
    }
}

impl<F, E> TokenStore for F
where
    F: Fn(&SecretString) -> Result<(), E> + Send + Sync + 'static,
    E: fmt::Display,
{
    fn save<'a>(&'a self, tokens: &'a StoredTokens) -> StoreFuture<'a, ()> {
        let saved = self(&tokens.refresh_token).map_err(|err| err.to_string().into());
        Box::pin(async move { saved })
    }
}
