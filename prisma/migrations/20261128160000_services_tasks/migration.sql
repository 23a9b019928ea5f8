-- Services and their tasks, for placement.

CREATE TABLE service (
    id           TEXT PRIMARY KEY CHECK (id ~ '^[0-9a-z]{25}$'),
    name         TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    spec_version INTEGER NOT NULL DEFAULT 1,
    spec         JSONB NOT NULL,
    created_at   TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX service_name_key ON service (name);

CREATE TABLE task (
    id            TEXT PRIMARY KEY CHECK (id ~ '^[0-9a-z]{25}$'),
    service_id    TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE ON UPDATE CASCADE,
    slot          INTEGER,
    node_id       TEXT,
    spec_version  INTEGER NOT NULL,
    desired_state TEXT NOT NULL,
    state         TEXT NOT NULL,
    message       TEXT,
    err           TEXT,
    created_at    TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (state IN ('new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running',
                     'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned')),
    CHECK (desired_state IN ('new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running',
                             'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'))
);
CREATE INDEX task_service_id_idx ON task (service_id);
CREATE INDEX task_node_id_idx ON task (node_id);
