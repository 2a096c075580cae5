//! Events a client reports while it works, for progress displays and metrics.
//!
//! `tracing` carries the same facts for logs; a callback is for code that must react to them,
//! such as the CLI's progress bar showing "waiting 7s (Retry-After)".

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

/// Why the client is waiting before its next request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// The client-side rate limiter has no permit yet.
    RateLimit,
    /// The server asked for this wait with `Retry-After`.
    RetryAfter,
    /// Backoff before retrying a failed request.
    Backoff,
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WaitReason::RateLimit => "rate limit",
            WaitReason::RetryAfter => "Retry-After",
            WaitReason::Backoff => "backoff",
        })
    }
}

/// Something a client did or is about to do.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Event {
    /// The client will wait this long before its next request.
    Waiting {
        /// Why.
        reason: WaitReason,
        /// How long.
        wait: Duration,
        /// The attempt that comes after the wait (1 for the first).
        attempt: u32,
    },
    /// An attempt failed and will be retried after a [`Event::Waiting`].
    Retrying {
        /// The attempt that failed (1 for the first).
        attempt: u32,
        /// The failure, as its `Display` text (no secrets: errors never carry them).
        error: String,
    },
    /// A response arrived.
    Response {
        /// Its HTTP status.
        status: StatusCode,
        /// Which attempt of the request it answered.
        attempt: u32,
        /// How long it took from sending to a complete body.
        elapsed: Duration,
    },
    /// A listing's first request was answered 404 with Gong's error body: Gong's way of saying
    /// the company (or the filter) has no users. The listing ends empty, without an error. A real
    /// company is never empty (the key's owner is a user), so for an unfiltered listing this is
    /// worth showing: a wrong base URL or host looks just like it. (Not sent for the batches of
    /// [`Client::get_users`](crate::Client::get_users), whose result names the ids not found.)
    NoUsers {
        /// The URL asked, without its query.
        url: String,
        /// Gong's messages.
        messages: Vec<String>,
        /// Gong's `requestId`.
        request_id: Option<String>,
        /// True when the listing had a filter (created from/to, user ids), which may well
        /// match nothing.
        filtered: bool,
    },
    /// A listing that started from the first page ended, without an error, having received
    /// fewer users than its first page's `totalRecords` announced.
    ListingShort {
        /// `totalRecords` of the first page.
        expected: u64,
        /// Users received over the whole listing.
        received: u64,
    },
    /// Gong refused a listing's cursor as expired, and the listing starts again from its first
    /// page; the users already delivered are left out when they come again.
    ListingRestarted {
        /// Which restart this is (1 for the first; at most three).
        restart: u32,
        /// How many users the listing had delivered when the cursor expired.
        delivered: u64,
    },
    /// A refresh handed out a new OAuth refresh token, and the [`TokenStore`](crate::TokenStore)
    /// could not keep it (nor the access token with it). The client goes on with the new token
    /// in memory, the only valid one, but a later run will not find it there: worth telling the
    /// user at once.
    TokenNotSaved {
        /// What the store said.
        error: String,
    },
    /// A token store that other processes share could not be read or locked; the client went on
    /// with what it holds in memory.
    TokenStoreUnavailable {
        /// What the store said.
        error: String,
    },
    /// An explicitly set base URL is not the customer's host that Gong's token response named
    /// (`api_base_url_for_customer`). Requests go to the base URL as set; Gong usually answers
    /// 401 there. Sent once per client.
    CustomerHostMismatch {
        /// The base URL as set.
        base_url: String,
        /// The host Gong named.
        api_base_url_for_customer: String,
    },
}

/// A shared callback receiving [`Event`]s; it must return quickly.
pub(crate) type EventHandler = Arc<dyn Fn(&Event) + Send + Sync>;
