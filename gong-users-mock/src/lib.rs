//! FakeGong: a stateful, in-process stand-in for Gong's `GET /v2/users` on 127.0.0.1.
//!
//! It serves synthetic users (names in many scripts, `null`s, missing and unknown fields, ids
//! past 2^53) 100 a page with opaque cursors that expire, shows avatars only with
//! `includeAvatars=true`, checks Basic and Bearer credentials, answers 404 with Gong's body when
//! there is nothing to list, and, when asked, rate-limits with 429 and `Retry-After`, injects
//! faults (500, HTML 502, 503, bodies cut short, reset connections, slow answers) and repeats
//! its cursor. Every request is logged for assertions.
//!
//! Test your own code against it:
//!
//! ```
//! use futures::TryStreamExt as _;
//! use gong_users::{RateLimit, User};
//! use gong_users_mock::FakeGong;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeGong::builder().users(120).avatars(2).start().await?;
//! let client = fake.client_builder().rate_limit(RateLimit::Off).build()?;
//!
//! let users: Vec<User> = client.list_users().include_avatars(true).items().try_collect().await?;
//! assert_eq!(users.len(), 122);
//! assert_eq!(fake.requests().len(), 2); // two pages of up to 100
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod body;
mod bucket;
mod config;
mod cursor;
mod faults;
mod handler;
mod history;
mod http;
#[cfg(feature = "httpmock")]
pub mod httpmock_helpers;
mod log;
mod oauth;
mod server;
mod state;
mod users;

pub use bucket::JITTER;
pub use config::{FakeGongBuilder, PAGE_SIZE};
pub use faults::{Fault, Faults};
pub use log::{Outcome, RecordedRequest};
pub use oauth::{TOKEN_PATH, TokenFault};
pub use server::FakeGong;

/// The synthetic users FakeGong serves for `seed`: `count` regular users and `avatars`
/// avatars, as JSON exactly as served. For benchmarks and fixtures that need realistic records
/// without a server.
pub fn synthetic_users(
    count: usize,
    avatars: usize,
    seed: u64,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    users::generate(count, avatars, seed)
}
