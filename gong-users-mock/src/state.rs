//! What a running FakeGong holds: its users, cursors, rate-limit bucket, OAuth tokens, the
//! log of requests and the faults to act out. Handlers read and change it; `server.rs` only
//! accepts connections and hands each request to the handler with it.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use chrono::{DateTime, FixedOffset};
use rand::rngs::StdRng;
use serde_json::Value;

use crate::bucket::Bucket;
use crate::config::FakeGongBuilder;
use crate::cursor::Cursors;
use crate::log::RecordedRequest;
use crate::oauth::{OAuthState, TokenFault};

pub(crate) struct State {
    pub(crate) config: FakeGongBuilder,
    pub(crate) users: Vec<Value>,
    pub(crate) avatars: Vec<Value>,
    /// Every user as served, then every avatar.
    pub(crate) listing: Vec<Listed>,
    pub(crate) cursors: Cursors,
    pub(crate) limiter: Option<Bucket>,
    pub(crate) rng: Mutex<StdRng>,
    pub(crate) log: Mutex<Vec<RecordedRequest>>,
    pub(crate) request_count: AtomicU64,
    pub(crate) failing_page: Mutex<Option<usize>>,
    pub(crate) repeated_cursor: Mutex<Option<String>>,
    pub(crate) started: Instant,
    pub(crate) oauth: Option<Mutex<OAuthState>>,
    /// Faults queued for the next token requests.
    pub(crate) token_faults: Mutex<std::collections::VecDeque<TokenFault>>,
    /// Where the fake listens, for `api_base_url_for_customer`.
    pub(crate) address: SocketAddr,
}

/// One user as FakeGong serves it, with what its filters look at.
pub(crate) struct Listed {
    /// The user's JSON, exactly as served.
    pub(crate) json: String,
    pub(crate) id: Option<String>,
    /// `created`, when it is there and parses.
    pub(crate) created: Option<DateTime<FixedOffset>>,
}

impl Listed {
    pub(crate) fn new(user: &Value) -> Self {
        Self {
            json: user.to_string(),
            id: user["id"].as_str().map(str::to_owned),
            created: user["created"]
                .as_str()
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok()),
        }
    }
}

impl State {
    /// The users a listing serves: the regular users, then the avatars if asked.
    pub(crate) fn listing(&self, include_avatars: bool) -> &[Listed] {
        let avatars = if include_avatars {
            0
        } else {
            self.avatars.len()
        };
        &self.listing[..self.listing.len() - avatars]
    }

    /// The user or avatar with this id, as its JSON value.
    pub(crate) fn user(&self, id: &str) -> Option<&Value> {
        self.users
            .iter()
            .chain(&self.avatars)
            .find(|user| user["id"].as_str() == Some(id))
    }
}

/// A poisoned lock only means another connection task panicked; the data is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
