-- Cluster identity: the swarm (root CA, join tokens, settings), its nodes, and the deny
-- list of removed nodes.

CREATE TABLE cluster (
    id                  TEXT PRIMARY KEY CHECK (id ~ '^[0-9a-z]{25}$'),
    created_at          TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version             INTEGER NOT NULL DEFAULT 1,
    cert_expiry_seconds INTEGER NOT NULL CHECK (cert_expiry_seconds >= 3600),
    heartbeat_period_ms INTEGER NOT NULL CHECK (heartbeat_period_ms BETWEEN 1000 AND 60000),
    root_ca_cert        TEXT NOT NULL,
    root_ca_key         BYTEA NOT NULL,
    worker_token        BYTEA NOT NULL,
    manager_token       BYTEA NOT NULL,
    force_rotate        INTEGER NOT NULL DEFAULT 0
);
-- One swarm per store.
CREATE UNIQUE INDEX cluster_singleton ON cluster ((true));

CREATE TABLE node (
    id                TEXT PRIMARY KEY CHECK (id ~ '^[0-9a-z]{25}$'),
    hostname          TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('manager', 'worker')),
    availability      TEXT NOT NULL DEFAULT 'active' CHECK (availability IN ('active', 'pause', 'drain')),
    labels            JSONB NOT NULL DEFAULT '{}',
    engine_labels     JSONB NOT NULL DEFAULT '{}',
    os                TEXT NOT NULL,
    arch              TEXT NOT NULL,
    nano_cpus         BIGINT NOT NULL,
    memory_bytes      BIGINT NOT NULL,
    engine_version    TEXT NOT NULL,
    addr              TEXT,
    is_leader         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version           INTEGER NOT NULL DEFAULT 1,
    last_heartbeat_at TIMESTAMPTZ(3),
    cert_serial       TEXT,
    cert_pem          TEXT,
    cert_role         TEXT CHECK (cert_role IN ('swarm-manager', 'swarm-worker')),
    cert_not_before   TIMESTAMPTZ(3),
    cert_not_after    TIMESTAMPTZ(3)
);
CREATE INDEX node_hostname_idx ON node (hostname);

CREATE TABLE removed_node (
    node_id         TEXT PRIMARY KEY,
    hostname        TEXT NOT NULL,
    cert_expires_at TIMESTAMPTZ(3) NOT NULL,
    removed_at      TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
