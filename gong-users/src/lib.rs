//! A client for Gong's users API: [`Client::list_users`] (`GET /v2/users`, or
//! `POST /v2/users/extensive` once filtered by creation time or ids), [`Client::get_user`],
//! [`Client::get_users`] (many ids, 100 a request) and [`Client::user_settings_history`], with
//! access keys, a bearer token, or OAuth for Gong apps ([`OAuthApp`]).
//!
//! It lists every user of a Gong company: it follows cursors, keeps `includeAvatars` and the
//! filter on every page, stays under Gong's 3-calls-a-second quota, retries 429s (honouring
//! `Retry-After`) and flaky proxies, notices a cursor that repeats instead of looping, never
//! reads a response without bound, and keeps every field Gong sends, the ones this crate does
//! not know yet included. Every operation takes one send path: rate limit, credentials (OAuth
//! tokens refreshed as they expire), a bounded read, one classification of every status,
//! retries, then the operation's decode.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = httpmock::MockServer::start_async().await;
//! # server.mock_async(|when, then| {
//! #     when.path("/v2/users").query_param_missing("cursor");
//! #     then.status(200).header("content-type", "application/json").body(
//! #         r#"{"requestId":"r1","records":{"totalRecords":2,"currentPageSize":1,
//! #             "currentPageNumber":0,"cursor":"c2"},"users":[{"id":"1","firstName":"Jon"}]}"#);
//! # }).await;
//! # server.mock_async(|when, then| {
//! #     when.path("/v2/users").query_param("cursor", "c2");
//! #     then.status(200).header("content-type", "application/json").body(
//! #         r#"{"requestId":"r2","records":{"totalRecords":2,"currentPageSize":1,
//! #             "currentPageNumber":1},"users":[{"id":"2","firstName":"Arya"}]}"#);
//! # }).await;
//! # let base_url = server.base_url(); // in real use: "https://us-55616.api.gong.io"
//! # let (access_key, secret) = ("access-key", "access-key-secret");
//! use futures::TryStreamExt;
//! use gong_users::{Client, Credentials, User};
//!
//! let client = Client::builder()
//!     .base_url(&base_url)?                                  // default https://api.gong.io
//!     .credentials(Credentials::basic(access_key, secret))  // or Credentials::bearer(token)
//!     .build()?;
//! // Or: let client = Client::from_env()?;
//! // (GONG_BASE_URL; GONG_ACCESS_KEY + GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN)
//!
//! let page = client.list_users().include_avatars(true).send().await?; // one page
//! assert_eq!(page.users().len(), 1);
//!
//! let all: Vec<User> = client.list_users().items().try_collect().await?; // every user
//! assert_eq!(all.len(), 2);
//!
//! let saved_cursor = page.next_cursor().unwrap_or_default().to_owned();
//! let rest: Vec<User> = client.list_users().cursor(saved_cursor).items().try_collect().await?;
//! assert_eq!(rest[0].first_name.as_deref(), Some("Arya"));
//! # Ok(()) }
//! ```
//!
//! # Errors
//! One [`Error`] type: what happened is [`Error::kind`]. Ask it: [`Error::status`],
//! [`Error::request_id`] (quote it to Gong's support), [`Error::is_retryable`],
//! [`Error::is_not_found`], [`Error::retry_after`], and [`Error::resume_cursor`]: pass it to
//! [`ListUsers::cursor`] to continue a listing that failed.
//!
//! # Data as Gong sent it
//! [`User`] and the other types are generated from the OpenAPI spec by `gong-users-sys`. Every
//! field is optional because Gong sends `null`s and sometimes leaves fields out; `null` and absent
//! both decode to `None` and are left out when the value is serialized again. Fields Gong adds
//! later land in each type's `extra` map and survive serialization. Ids are strings (they exceed
//! 2^53 and u64), and `created` keeps Gong's text, offset and fraction included.
//!
//! To pass users on as JSON exactly as Gong sent them (`null`s, key order and number text
//! kept) without decoding them, use [`ListUsers::raw_pages`]: it is also the fastest way through
//! a large listing.
#![warn(missing_docs)]

// The layers, from the top down: every `use crate::` points down this list (checked by
// `cargo xtask layout --check`; see ARCHITECTURE.md).
mod auth; //         credentials, OAuth (app, session, token exchange, token stores)
mod client; //       Client and ClientBuilder
mod env; //          every GONG_* variable, and reading them
mod error;
mod events;
mod http; //         TLS, URL rules, transport, error responses, retries, rate limit
mod ops; //          one file an operation, each adding its `impl Client` entry point
mod pipeline; //     the one send path: limiter → auth → attempt → 401 refresh → retry → decode
mod response; //     decoding bodies: raw records, the one Page<T>

pub use auth::credentials::Credentials;
pub use auth::oauth::{
    DEFAULT_TOKEN_URL, OAuthApp, StoreError, StoreFuture, StoredTokens, TokenStore, TokenStoreLock,
};
pub use client::{Client, ClientBuilder, DEFAULT_MAX_BODY_BYTES, USER_AGENT};
pub use env::{
    ENV_ACCESS_KEY, ENV_ACCESS_KEY_SECRET, ENV_BASE_URL, ENV_BEARER_TOKEN, ENV_DAILY_QUOTA,
    ENV_OAUTH_CLIENT_ID, ENV_OAUTH_CLIENT_SECRET, ENV_OAUTH_REFRESH_TOKEN, ENV_OAUTH_TOKEN_URL,
};
#[cfg(feature = "redis")]
pub use env::{ENV_REDIS_PREFIX, ENV_REDIS_URL};
pub use error::{ApiError, ConfigError, DecodeError, Error, ErrorKind};
pub use events::{Event, WaitReason};
pub use gong_users_sys::Timestamp;
pub use gong_users_sys::types::{
    Records, SpokenLanguage, User, UserSettingChange, UserSettings, UsersMetadata,
};
pub use http::budget::DEFAULT_DAILY_QUOTA;
pub use http::rate_limit::RateLimit;
pub use http::retry::RetryPolicy;
#[cfg(feature = "redis")]
pub use http::shared::{DEFAULT_REDIS_PREFIX, QuotaState, RedisConfig};
pub use http::url::DEFAULT_BASE_URL;
pub use ops::get_user::GetUser;
pub use ops::get_users::{GetUsers, MAX_IDS_PER_REQUEST, UsersByIds};
pub use ops::list_users::ListUsers;
pub use ops::pagination::{Items, Pages};
pub use ops::settings_history::{GetSettingsHistory, SettingsHistory};
pub use ops::user_id::is_user_id;
pub use response::page::Page;
pub use response::raw::{Raw, RawSettingChange, RawUser};
