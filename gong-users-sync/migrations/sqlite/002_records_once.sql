-- Each record stored once, in gong_user_versions: gong_users becomes a view of gong_user_state
-- and the record of each user's latest version. A current user's last_seen_at is the start of
-- the last run that succeeded (every such run either saw a user or marked it deleted), so a
-- sync does not rewrite every user to move it; a deleted user's is kept in its state row. The
-- index of open versions goes (the primary key finds a user's versions).
CREATE TABLE gong_user_state (
    id TEXT PRIMARY KEY NOT NULL,
    email_address TEXT,
    active INTEGER,
    record_hash TEXT NOT NULL,
    raw_hash INTEGER,
    version_valid_from TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    last_seen_before_deletion TEXT
);
INSERT INTO gong_user_state (id, email_address, active, record_hash, raw_hash,
    version_valid_from, first_seen_at, deleted_at, last_seen_before_deletion)
SELECT u.id, u.email_address, u.active, u.record_hash, NULL,
    (SELECT max(v.valid_from) FROM gong_user_versions v WHERE v.user_id = u.id),
    u.first_seen_at, u.deleted_at, CASE WHEN u.deleted_at IS NOT NULL THEN u.last_seen_at END
FROM gong_users u;
CREATE TABLE gong_user_versions_2 (
    user_id TEXT NOT NULL REFERENCES gong_user_state (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    change TEXT NOT NULL CHECK (change IN ('created', 'updated', 'deactivated', 'reactivated')),
    active INTEGER,
    record TEXT NOT NULL,
    PRIMARY KEY (user_id, valid_from)
);
INSERT INTO gong_user_versions_2 (user_id, valid_from, valid_to, change, active, record)
SELECT user_id, valid_from, valid_to, change, active, record FROM gong_user_versions;
DROP TABLE gong_user_versions;
DROP TABLE gong_users;
ALTER TABLE gong_user_versions_2 RENAME TO gong_user_versions;
CREATE VIEW gong_users AS
SELECT s.id, s.email_address, s.active, v.record, s.first_seen_at,
    coalesce(s.last_seen_before_deletion, last_run.started_at) AS last_seen_at, s.deleted_at
FROM gong_user_state s
CROSS JOIN (SELECT max(started_at) AS started_at FROM gong_sync_runs
            WHERE status = 'succeeded') AS last_run
JOIN gong_user_versions v ON v.user_id = s.id AND v.valid_from = s.version_valid_from;
CREATE INDEX gong_sync_runs_succeeded ON gong_sync_runs (started_at) WHERE status = 'succeeded';
