-- Secrets: Swarm's rules, the payload sealed and bound to its row; an index for the
-- services that reference a secret; and a context for audit events (the service a
-- secret is granted to, the node it is delivered to).

CREATE TABLE secret (
    id         TEXT PRIMARY KEY CHECK (id ~ '^[0-9a-z]{25}$'),
    name       TEXT NOT NULL CHECK (char_length(name) <= 64 AND name ~ '^[a-zA-Z0-9]+([a-zA-Z0-9_.-]*[a-zA-Z0-9])?$'),
    labels     JSONB NOT NULL DEFAULT '{}',
    size       INTEGER NOT NULL CHECK (size > 0 AND size < 512000),
    payload    BYTEA NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX secret_name_key ON secret (name);

-- `spec -> 'secrets' @> '[{"secretId": …}]'`: which services reference a secret.
CREATE INDEX service_spec_secrets_idx ON service USING GIN ((spec -> 'secrets') jsonb_path_ops);

ALTER TABLE audit_event
    ADD COLUMN context_type TEXT,
    ADD COLUMN context_id   TEXT,
    ADD COLUMN context_name TEXT;
