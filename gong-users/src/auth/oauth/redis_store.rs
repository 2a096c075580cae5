//! The OAuth token store of a fleet (the `redis` feature): the company's tokens in one Redis key,
//! refreshed under a lease lock (`SET NX PX`, released only by its holder), so every process
//! reuses the current access token, only one refreshes, and none spends a refresh token twice,
//! with no disk shared. A holder that crashes blocks no one for longer than the lease.
//!
//! Like the CLI's token file, the stored chain remembers (as a SHA-256) the refresh token it
//! started from: a new refresh token given to a process (the app re-authorized) starts a new
//! chain instead of being overridden by the spent one in Redis.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::store::{StoreFuture, StoredTokens, TokenStore, TokenStoreLock};
use crate::http::shared::SharedState;

/// How long a lock holds when its holder does not give it back (it crashed).
const LEASE: Duration = Duration::from_secs(60);
/// How long a process waits for the lock before it gives up.
const WAIT: Duration = Duration::from_secs(120);

/// Gives the lock back only when it is still ours.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// What the key holds (JSON).
#[derive(Serialize, Deserialize)]
struct Stored {
    client_id: String,
    started_from_sha256: String,
    refresh_token: String,
    access_token: Option<String>,
    /// Seconds since the Unix epoch.
    expires_at: Option<u64>,
    api_base_url: Option<String>,
}

/// The tokens of one app for one company, in Redis.
pub(crate) struct RedisTokenStore {
    shared: Arc<SharedState>,
    client_id: String,
    started_from_sha256: String,
}

impl RedisTokenStore {
    pub(crate) fn new(
        shared: Arc<SharedState>,
        client_id: &str,
        refresh_token: &SecretString,
    ) -> Self {
        Self {
            shared,
            client_id: client_id.to_owned(),
            started_from_sha256: sha256_hex(refresh_token.expose_secret()),
        }
    }

    fn lock_key(&self) -> String {
        format!("{}:lock", self.shared.tokens_key())
    }
}

/// A lease held in Redis; given back when dropped (or left to expire if the process ends).
struct Lease {
    shared: Arc<SharedState>,
    key: String,
    holder: String,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let (shared, key, holder) = (
            Arc::clone(&self.shared),
            std::mem::take(&mut self.key),
            std::mem::take(&mut self.holder),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Ok(mut connection) = shared.connection().await {
                    let released: Result<i64, _> = redis::Script::new(RELEASE)
                        .key(&key)
                        .arg(&holder)
                        .invoke_async(&mut connection)
                        .await;
                    if released.is_err() {
                        tracing::warn!("the OAuth token lock could not be given back; it expires with its lease");
                    }
                }
            });
        }
    }
}

impl TokenStore for RedisTokenStore {
    fn save<'a>(&'a self, tokens: &'a StoredTokens) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let stored = Stored {
                client_id: self.client_id.clone(),
                started_from_sha256: self.started_from_sha256.clone(),
                refresh_token: tokens.refresh_token.expose_secret().to_owned(),
                access_token: tokens
                    .access_token
                    .as_ref()
                    .map(|t| t.expose_secret().to_owned()),
                expires_at: tokens
                    .expires_at
                    .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
                    .map(|since| since.as_secs()),
                api_base_url: tokens.api_base_url.clone(),
            };
            let json = serde_json::to_string(&stored)?;
            let mut connection = self.shared.connection().await?;
            redis::cmd("SET")
                .arg(self.shared.tokens_key())
                .arg(json)
                .query_async::<()>(&mut connection)
                .await
                .map_err(|err| self.shared.failure(&err))?;
            Ok(())
        })
    }

    fn load(&self) -> StoreFuture<'_, Option<StoredTokens>> {
        Box::pin(async move {
            let mut connection = self.shared.connection().await?;
            let json: Option<String> = redis::cmd("GET")
                .arg(self.shared.tokens_key())
                .query_async(&mut connection)
                .await
                .map_err(|err| self.shared.failure(&err))?;
            let Some(json) = json else { return Ok(None) };
            let stored: Stored = serde_json::from_str(&json)?;
            if stored.client_id != self.client_id
                || stored.started_from_sha256 != self.started_from_sha256
            {
                return Ok(None);
            }
            Ok(Some(StoredTokens {
                refresh_token: SecretString::from(stored.refresh_token),
                access_token: stored.access_token.map(SecretString::from),
                expires_at: stored
                    .expires_at
                    .and_then(|seconds| UNIX_EPOCH.checked_add(Duration::from_secs(seconds))),
                api_base_url: stored.api_base_url,
            }))
        })
    }

    fn lock(&self) -> StoreFuture<'_, TokenStoreLock> {
        Box::pin(async move {
            let key = self.lock_key();
            let holder = format!("{}-{}", std::process::id(), fastrand::u64(..));
            let started = SystemTime::now();
            let mut connection = self.shared.connection().await?;
            loop {
                let taken: Option<String> = redis::cmd("SET")
                    .arg(&key)
                    .arg(&holder)
                    .arg("NX")
                    .arg("PX")
                    .arg(LEASE.as_millis() as u64)
                    .query_async(&mut connection)
                    .await
                    .map_err(|err| self.shared.failure(&err))?;
                if taken.is_some() {
                    return Ok(TokenStoreLock::new(Lease {
                        shared: Arc::clone(&self.shared),
                        key,
                        holder,
                    }));
                }
                if started.elapsed().unwrap_or_default() > WAIT {
                    return Err("another process has held the OAuth token lock too long".into());
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        })
    }
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
