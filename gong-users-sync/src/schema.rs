//! The tables, made by migrations embedded in the binary and applied in order. A database made
//! by an earlier version is migrated forward; one made by a newer version is refused untouched.
//!
//! - `gong_users`: one row a user ever seen: `id` (primary key), `email_address`, `active`,
//!   `record` (the user as Gong sent it, JSON text), `first_seen_at`, `last_seen_at`,
//!   `deleted_at` (null unless the user is gone from Gong's listing); `record_hash` for the diff.
//! - `gong_user_versions`: one row a version of a user: `user_id`, `valid_from`, `valid_to`
//!   (null for the current version), `change` (`created`, `updated`, `deactivated`,
//!   `reactivated`), `active`, `record`; `record_hash`.
//! - `gong_sync_runs`: one row a run: `id`, `started_at`, `finished_at`, `status`
//!   (`succeeded`, `failed`, `interrupted`), `users_seen` and the counts of each change,
//!   `deleted`, `unchanged`, `error`.
//!
//! Times are UTC, ISO-8601 text with milliseconds and a `Z`. Every version a run opens or
//! closes takes the run's `started_at`, so a closed version's `valid_to` is its successor's
//! `valid_from`.

/// The migrations, in order: the schema version after each is its position plus one.
pub(crate) const MIGRATIONS: &[&str] = &[r"
CREATE TABLE gong_users (
    id TEXT PRIMARY KEY NOT NULL,
    email_address TEXT,
    active INTEGER,
    record TEXT NOT NULL,
    record_hash TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE gong_user_versions (
    user_id TEXT NOT NULL REFERENCES gong_users (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    change TEXT NOT NULL CHECK (change IN ('created', 'updated', 'deactivated', 'reactivated')),
    active INTEGER,
    record TEXT NOT NULL,
    record_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, valid_from)
);
CREATE UNIQUE INDEX gong_user_versions_current ON gong_user_versions (user_id)
    WHERE valid_to IS NULL;
CREATE TABLE gong_sync_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'interrupted')),
    users_seen INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    deactivated INTEGER NOT NULL DEFAULT 0,
    reactivated INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
"];
