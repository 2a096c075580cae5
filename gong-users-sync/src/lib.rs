//! The database side of `gong-users sync`: a Gong company's users, with their whole history,
//! kept in SQLite or Postgres.
//!
//! Gong's API has no "changed since" filter, so every sync lists every user, streams the users
//! into a staging table inside one transaction, diffs them against the open versions with
//! set-based SQL (records compared as JSON values: key order, spacing and number spelling do not
//! matter), closes and opens versions (slowly changing dimension type 2) with the run's start
//! time, marks the users missing from a *complete* listing deleted, and commits. A listing that
//! fails or ends short, or a run that is interrupted, changes nothing: the transaction is rolled
//! back and the run recorded as `failed` or `interrupted`. Two syncs into one database run one
//! after the other.
//!
//! The tables (`gong_users`, `gong_user_versions`, `gong_sync_runs`) are described in
//! [`schema`]; the migrations that make them are embedded and applied in order.
#![warn(missing_docs)]

mod canonical;
mod database_url;
mod error;
mod postgres;
pub mod schema;
mod sqlite;
mod store;
mod sync;

pub use database_url::{DEFAULT_DATABASE_URL, DatabaseUrl, ENV_DATABASE_URL};
pub use error::SyncError;
pub use sync::{Counts, Options, Outcome, Summary, sync, sync_with};
