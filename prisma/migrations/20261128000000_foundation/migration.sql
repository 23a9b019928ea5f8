-- Foundation: encryption keys, installation state, users, sessions, API tokens,
-- login throttling and the audit log.

CREATE TABLE data_key (
    id          TEXT PRIMARY KEY,
    wrapped     BYTEA NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    retired_at  TIMESTAMPTZ(3)
);
-- At most one active data key.
CREATE UNIQUE INDEX data_key_one_active ON data_key (active) WHERE active;

CREATE TABLE installation (
    id                   INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    setup_code_hash      BYTEA,
    setup_code_issued_at TIMESTAMPTZ(3),
    setup_completed_at   TIMESTAMPTZ(3)
);

CREATE TABLE app_user (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at    TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX app_user_username_key ON app_user (username);

CREATE TABLE session (
    id           TEXT PRIMARY KEY,
    token_hash   BYTEA NOT NULL,
    user_id      TEXT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at   TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_seen_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at   TIMESTAMPTZ(3) NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE UNIQUE INDEX session_token_hash_key ON session (token_hash);
CREATE INDEX session_user_id_idx ON session (user_id);

CREATE TABLE api_token (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE ON UPDATE CASCADE,
    name         TEXT NOT NULL,
    secret       BYTEA NOT NULL,
    created_at   TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at TIMESTAMPTZ(3),
    expires_at   TIMESTAMPTZ(3),
    revoked_at   TIMESTAMPTZ(3)
);
CREATE INDEX api_token_user_id_idx ON api_token (user_id);

CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    window_start TIMESTAMPTZ(3) NOT NULL,
    locked_until TIMESTAMPTZ(3)
);

CREATE TABLE audit_event (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT,
    target_name TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    reason      TEXT,
    ip          TEXT
);
CREATE INDEX audit_event_at_idx ON audit_event (at);
CREATE INDEX audit_event_action_at_idx ON audit_event (action, at);
