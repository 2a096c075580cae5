//! The tables, made by migrations embedded in the binary and applied in order. A database made
//! by an earlier version is migrated forward; one made by a newer version is refused untouched.
//!
//! - `gong_users`: one row a user ever seen: `id`, `email_address`, `active`, `record` (the user
//!   as Gong sent it, JSON text), `first_seen_at`, `last_seen_at`, `deleted_at` (null unless the
//!   user is gone from Gong's listing). A view: `gong_user_state` joined to the record of the
//!   user's latest version, so each record is stored once. A current user's `last_seen_at` is
//!   the start of the last run that succeeded (each such run saw the user or marked it
//!   deleted), so a re-sync need not rewrite every user to move it.
//! - `gong_user_state`: `gong_users` without the record (`id` its primary key), with
//!   `version_valid_from` (the latest version's `valid_from`), `last_seen_before_deletion` (a
//!   deleted user's `last_seen_at`) and the hashes the diff compares: `record_hash` (of the
//!   canonical form) and `raw_hash` (of the bytes last seen).
//! - `gong_user_versions`: one row a version of a user: `user_id`, `valid_from`, `valid_to`
//!   (null for the current version), `change` (`created`, `updated`, `deactivated`,
//!   `reactivated`), `active`, `record`.
//! - `gong_sync_runs`: one row a run: `id`, `started_at`, `finished_at`, `status`
//!   (`succeeded`, `failed`, `interrupted`), `users_seen` and the counts of each change,
//!   `deleted`, `unchanged`, `error`.
//!
//! Times are UTC, ISO-8601 text with milliseconds and a `Z`. Every version a run opens or
//! closes takes the run's `started_at`, so a closed version's `valid_to` is its successor's
//! `valid_from`.
//!
//! Version 1 kept each record twice (in `gong_users` and in `gong_user_versions`); version 2
//! moves it to the versions alone, keeping every row, and drops the index of open versions
//! (the primary key finds a user's versions; that index cost a tenth of a first sync).

/// The migrations, in order: the schema version after each is its position plus one.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/001_first_layout.sql"),
    include_str!("../migrations/sqlite/002_records_once.sql"),
];
