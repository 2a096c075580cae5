-- Each record stored once, in gong_user_versions; gong_users becomes a view over
-- gong_user_state; the index of open versions goes. Every sync updates every row of
-- gong_user_state (last_seen_at): room on each page keeps those updates in place (HOT).
CREATE TABLE gong_user_state (
    id text PRIMARY KEY,
    email_address text,
    active boolean,
    record_hash text NOT NULL,
    raw_hash bigint,
    version_valid_from timestamptz NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    deleted_at timestamptz
) WITH (fillfactor = 45);
INSERT INTO gong_user_state (id, email_address, active, record_hash, raw_hash,
    version_valid_from, first_seen_at, last_seen_at, deleted_at)
SELECT u.id, u.email_address, u.active, u.record_hash, NULL,
    (SELECT max(v.valid_from) FROM gong_user_versions v WHERE v.user_id = u.id),
    u.first_seen_at, u.last_seen_at, u.deleted_at
FROM gong_users u;
ALTER TABLE gong_user_versions DROP CONSTRAINT gong_user_versions_user_id_fkey;
ALTER TABLE gong_user_versions DROP COLUMN record_hash;
DROP INDEX gong_user_versions_current;
ALTER TABLE gong_user_versions ADD CONSTRAINT gong_user_versions_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES gong_user_state (id);
DROP TABLE gong_users;
CREATE VIEW gong_users AS
SELECT s.id, s.email_address, s.active, v.record, s.first_seen_at, s.last_seen_at, s.deleted_at
FROM gong_user_state s
JOIN gong_user_versions v ON v.user_id = s.id AND v.valid_from = s.version_valid_from;
