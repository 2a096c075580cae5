//! Shared state for a fleet (the `redis` feature): every process of one company paces itself
//! by one GCRA key and counts against one daily budget in Redis (or Valkey), each updated by one
//! atomic Lua script on Redis's own clock, so no two processes race and no process's clock
//! matters. The OAuth token store in Redis (`auth/oauth/redis_store.rs`) uses the same
//! connection.
//!
//! Key names derive from non-secret identifiers, hashed (see [`company_key`]): no secret ever
//! appears in a key name, a log line or an error. The URL's password is never shown either.

use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

use crate::Error;
use crate::error::{ConfigError, ErrorKind};
use crate::events::{Event, EventHandler, WaitReason};
use crate::http::budget::WINDOW;
use crate::http::rate_limit::RateLimit;

/// The default namespace of the keys.
pub const DEFAULT_REDIS_PREFIX: &str = "gong-users";

/// How long connecting to Redis, and any one command, may take.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Where the shared state lives: a `redis://` or `rediss://` URL (user and password allowed)
/// and the prefix of the keys. `Debug` shows the server, never the password.
#[derive(Clone)]
pub struct RedisConfig {
    url: SecretString,
    server: String,
    prefix: String,
}

impl RedisConfig {
    /// Parses `url` (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS). Fails
    /// for anything else, naming the server when it can, never the password.
    pub fn new(url: &str) -> Result<Self, Error> {
        let invalid = |server: String, reason: &str| -> Error {
            ConfigError::SharedState {
                server,
                reason: reason.to_owned(),
            }
            .into()
        };
        let parsed =
            url::Url::parse(url).map_err(|_| invalid("(the URL given)".into(), "not a URL"))?;
        let server = match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => format!("{host}:6379"),
            _ => "(no host)".to_owned(),
        };
        if !matches!(parsed.scheme(), "redis" | "rediss") {
            return Err(invalid(
                server,
                "the URL must start with redis:// or rediss://",
            ));
        }
        redis::Client::open(url).map_err(|_| invalid(server.clone(), "not a Redis URL"))?;
        Ok(Self {
            url: SecretString::from(url.to_owned()),
            server,
            prefix: DEFAULT_REDIS_PREFIX.to_owned(),
        })
    }

    /// The namespace of the keys (default [`DEFAULT_REDIS_PREFIX`]).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// `host:port` of the server.
    pub fn server(&self) -> &str {
        &self.server
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("server", &self.server)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// The company's shared state, as it stands: for `gong-users quota` and dashboards.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuotaState {
    /// The shared pace, requests a second (0: none).
    pub pace_per_second: u32,
    /// Requests counted in the last 24 hours, by every process.
    pub used: u64,
    /// The daily budget.
    pub budget: u32,
    /// Requests left in the budget now.
    pub left: u64,
    /// How long until the next request may go at the pace (zero: now).
    pub next_slot_in: Duration,
    /// How long until the oldest request of the window leaves it, freeing one (`None`: the
    /// window is empty).
    pub oldest_frees_in: Option<Duration>,
}

/// One company's keys on one Redis.
pub(crate) struct SharedState {
    client: redis::Client,
    connection: tokio::sync::OnceCell<ConnectionManager>,
    server: String,
    pace_key: String,
    /// When the last request of the fleet left.
    last_key: String,
    budget_key: String,
    tokens_key: String,
    interval_us: u64,
    budget: u32,
}

/// Reserves a slot at the pace and counts it against the budget, atomically, on Redis's clock.
/// Returns `{0, wait µs}`, or `{-1, µs until the budget frees}`.
const ADMIT: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local budget = tonumber(ARGV[2])
local window = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
if redis.call('ZCARD', KEYS[2]) >= budget then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  local frees = window
  if oldest[2] then frees = tonumber(oldest[2]) + window - now end
  return {-1, frees}
end
local slot = now
if interval > 0 then
  local due = tonumber(redis.call('GET', KEYS[1]) or '0')
  if due > slot then slot = due end
  redis.call('SET', KEYS[1], string.format('%.0f', slot + interval), 'PX', math.floor(interval / 1000) + 60000)
end
redis.call('ZADD', KEYS[2], slot, ARGV[3])
redis.call('PEXPIRE', KEYS[2], math.floor(window / 1000) + 60000)
return {0, slot - now}
";

/// Called when the reserved slot has come, just before the request leaves: lateness is not
/// credited. When another process left less than an interval ago (it woke late), returns the
/// µs still to wait; else records this departure, pushes the next slot to an interval after it
/// when the schedule was behind, and returns 0. So requests of the whole fleet leave at least an
/// interval apart on Redis's clock, however late a process wakes.
const DEPART: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < last + interval then
  return last + interval - now
end
local keep = math.floor(interval / 1000) + 60000
redis.call('SET', KEYS[2], string.format('%.0f', now), 'PX', keep)
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
if due < now + interval then
  redis.call('SET', KEYS[1], string.format('%.0f', now + interval), 'PX', keep)
end
return 0
";

/// The state as it stands: `{used, oldest µs or -1, due µs or 0, now µs}`.
const SNAPSHOT: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]))
local used = redis.call('ZCARD', KEYS[2])
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
local first = -1
if oldest[2] then first = tonumber(oldest[2]) end
return {used, first, due, now}
";

impl SharedState {
    /// The state of the company `company` (see [`company_key`]) on the server `config` names.
    /// Connects at the first use.
    pub(crate) fn new(
        config: &RedisConfig,
        company: &str,
        pace: RateLimit,
        budget: u32,
    ) -> Result<Self, Error> {
        let client = redis::Client::open(config.url.expose_secret()).map_err(|_| {
            ConfigError::SharedState {
                server: config.server.clone(),
                reason: "not a Redis URL".into(),
            }
        })?;
        let key = |name: &str| format!("{}:{company}:{name}", config.prefix);
        Ok(Self {
            client,
            connection: tokio::sync::OnceCell::new(),
            server: config.server.clone(),
            pace_key: key("pace"),
            last_key: key("left"),
            budget_key: key("budget"),
            tokens_key: key("oauth"),
            interval_us: match pace {
                RateLimit::Off => 0,
                RateLimit::PerSecond(n) => 1_000_000 / u64::from(n.get()),
            },
            budget,
        })
    }

    /// The connection, made at the first call (within [`TIMEOUT`]).
    pub(crate) async fn connection(&self) -> Result<ConnectionManager, Error> {
        let connect = || async {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(TIMEOUT))
                .set_response_timeout(Some(TIMEOUT))
                .set_number_of_retries(2);
            ConnectionManager::new_with_config(self.client.clone(), config)
                .await
                .map_err(|err| self.failure(&err))
        };
        self.connection.get_or_try_init(connect).await.cloned()
    }

    /// Connects and asks the server for a PONG: a configuration error naming the server (never
    /// its password) when it does not answer.
    pub(crate) async fn check(&self) -> Result<(), Error> {
        let as_config = |error: Error| -> Error {
            ConfigError::SharedState {
                server: self.server.clone(),
                reason: error.to_string(),
            }
            .into()
        };
        let mut connection = self.connection().await.map_err(as_config)?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .map_err(|err| as_config(self.failure(&err)))?;
        Ok(())
    }

    /// Counts a request against the budget and waits for its slot at the pace.
    pub(crate) async fn admit(
        &self,
        attempt: u32,
        events: Option<&EventHandler>,
    ) -> Result<(), Error> {
        let mut connection = self.connection().await?;
        let member = format!("{}-{}", std::process::id(), fastrand::u64(..));
        let (status, micros): (i64, i64) = redis::Script::new(ADMIT)
            .key(&self.pace_key)
            .key(&self.budget_key)
            .arg(self.interval_us)
            .arg(self.budget)
            .arg(member)
            .arg(WINDOW.as_micros() as u64)
            .invoke_async(&mut connection)
            .await
            .map_err(|err| self.failure(&err))?;
        let wait = Duration::from_micros(u64::try_from(micros).unwrap_or(0));
        if status < 0 {
            return Err(ErrorKind::QuotaExhausted {
                budget: self.budget,
                frees_in: wait,
            }
            .into());
        }
        if wait > Duration::from_millis(1) {
            tracing::info!(
                wait_ms = wait.as_millis() as u64,
                "waiting for the company's shared pace"
            );
            if let Some(events) = events {
                events(&Event::Waiting {
                    reason: WaitReason::RateLimit,
                    wait,
                    attempt,
                });
            }
        }
        tokio::time::sleep(wait).await;
        if self.interval_us == 0 {
            return Ok(());
        }
        loop {
            let still: i64 = redis::Script::new(DEPART)
                .key(&self.pace_key)
                .key(&self.last_key)
                .arg(self.interval_us)
                .invoke_async(&mut connection)
                .await
                .map_err(|err| self.failure(&err))?;
            if still <= 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_micros(u64::try_from(still).unwrap_or(0))).await;
        }
    }

    /// The state as it stands.
    pub(crate) async fn snapshot(&self) -> Result<QuotaState, Error> {
        let mut connection = self.connection().await?;
        let (used, oldest, due, now): (i64, i64, i64, i64) = redis::Script::new(SNAPSHOT)
            .key(&self.pace_key)
            .key(&self.budget_key)
            .arg(WINDOW.as_micros() as u64)
            .invoke_async(&mut connection)
            .await
            .map_err(|err| self.failure(&err))?;
        let micros = |value: i64| Duration::from_micros(u64::try_from(value).unwrap_or(0));
        let used = u64::try_from(used).unwrap_or(0);
        Ok(QuotaState {
            pace_per_second: match self.interval_us {
                0 => 0,
                interval => u32::try_from(1_000_000 / interval).unwrap_or(u32::MAX),
            },
            used,
            budget: self.budget,
            left: u64::from(self.budget).saturating_sub(used),
            next_slot_in: micros(due - now),
            oldest_frees_in: (oldest >= 0)
                .then(|| micros(oldest + WINDOW.as_micros() as i64 - now)),
        })
    }

    /// The key that holds the company's OAuth tokens (the lock is this key with `:lock`).
    pub(crate) fn tokens_key(&self) -> &str {
        &self.tokens_key
    }

    /// A Redis failure as the error a request meets: retried like a network error. Redis's own
    /// messages name no password.
    pub(crate) fn failure(&self, err: &redis::RedisError) -> Error {
        ErrorKind::SharedState(format!("{} ({})", describe(err), self.server)).into()
    }
}

/// What went wrong, in a few words: Redis's own detail is left out (it never holds the URL, but
/// a short kind reads better on one line).
fn describe(err: &redis::RedisError) -> String {
    if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connection_refusal() {
        "connection refused".to_owned()
    } else if err.is_io_error() || err.is_connection_dropped() {
        "connection lost".to_owned()
    } else {
        format!("{:?}", err.kind())
    }
}

/// The company's key: a hash of non-secret identifiers (the access key's id, or the OAuth
/// client id with the token endpoint; the base URL when given). Processes of one company
/// derive the same key; no secret is in it.
pub(crate) fn company_key(identifiers: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for identifier in identifiers {
        hasher.update(identifier.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
