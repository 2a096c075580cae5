-- The first layout.
CREATE TABLE gong_users (
    id text PRIMARY KEY,
    email_address text,
    active boolean,
    record jsonb NOT NULL,
    record_hash text NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE TABLE gong_user_versions (
    user_id text NOT NULL REFERENCES gong_users (id),
    valid_from timestamptz NOT NULL,
    valid_to timestamptz,
    change text NOT NULL CHECK (change IN ('created', 'updated', 'deactivated', 'reactivated')),
    active boolean,
    record jsonb NOT NULL,
    record_hash text NOT NULL,
    PRIMARY KEY (user_id, valid_from)
);
CREATE UNIQUE INDEX gong_user_versions_current ON gong_user_versions (user_id)
    WHERE valid_to IS NULL;
CREATE TABLE gong_sync_runs (
    id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'interrupted')),
    users_seen bigint NOT NULL DEFAULT 0,
    created bigint NOT NULL DEFAULT 0,
    updated bigint NOT NULL DEFAULT 0,
    deactivated bigint NOT NULL DEFAULT 0,
    reactivated bigint NOT NULL DEFAULT 0,
    deleted bigint NOT NULL DEFAULT 0,
    unchanged bigint NOT NULL DEFAULT 0,
    error text
);
