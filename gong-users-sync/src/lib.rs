//! The database side of `gong-users sync`: a Gong company's users, with their whole history,
//! kept in SQLite or Postgres.
//!
//! Gong's API has no "changed since" filter, so every sync lists every user, inside one
//! transaction. As pages arrive, users the database does not hold are written at once (a state
//! row and a `created` version: there is nothing to compare them with), and every user is
//! staged in a temporary table, with its record only when its canonical hash differs from the
//! current version's (records compared as JSON values: key order, spacing and number spelling do
//! not matter; a user whose bytes are those seen last time is not even parsed). Set-based SQL
//! then classifies the staged changes, closes and opens versions (slowly changing dimension
//! type 2) at the run's start time, marks the users missing from a *complete* listing deleted,
//! and the run commits. A listing that fails or ends short, or a run that is interrupted,
//! changes nothing: the transaction is rolled back and the run recorded as `failed` or
//! `interrupted`. Two syncs into one database run one after the other.
//!
//! The tables (`gong_users`, `gong_user_versions`, `gong_sync_runs`) are described in
//! [`schema`]; the migrations that make them are embedded and applied in order.
#![warn(missing_docs)]

mod canonical;
mod database_url;
mod error;
mod postgres;
mod postgres_connect;
pub mod schema;
mod sqlite;
mod staged;
mod store;
mod sync;

pub use database_url::{DEFAULT_DATABASE_URL, DatabaseUrl, ENV_DATABASE_URL};
pub use error::SyncError;
pub use sync::{Counts, Options, Outcome, Summary, sync, sync_with};
