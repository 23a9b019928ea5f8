-- Environments (docs/decisions/0020-environments.md): existing Docker Swarms this server
-- administers through a manager's Engine API, beside its own cluster (which has no row).

CREATE TABLE environment (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL DEFAULT 'docker',
  -- unix:///path or tcp://host:port
  docker_host TEXT NOT NULL,
  -- The engine's CA and this server's client certificate, PEM (public).
  tls_ca TEXT,
  tls_cert TEXT,
  -- The client key: sealed, bound to this row and column; never returned.
  tls_key BYTEA,
  -- tcp:// without TLS, allowed only when asked for, and shown as a warning.
  insecure BOOLEAN NOT NULL DEFAULT false,
  -- The swarm's own ID: one swarm is connected once.
  cluster_id TEXT NOT NULL UNIQUE,
  -- The time of the last Docker event recorded (unix nanoseconds, decimal), where the
  -- event stream resumes.
  events_since TEXT,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  created_by TEXT NOT NULL
);

-- The environment an event happened in; null for Rampart's own cluster.
ALTER TABLE audit_event ADD COLUMN env_id TEXT;
ALTER TABLE audit_event ADD COLUMN env_name TEXT;
CREATE INDEX audit_event_env_id_at_idx ON audit_event (env_id, at);
