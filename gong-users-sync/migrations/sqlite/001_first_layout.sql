-- The first layout.
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
