-- Tasks run as containers (docs/decisions/0019-tasks-run-as-containers.md).

-- What runs each node's tasks. Nodes from before said nothing, and their agents only
-- reported tasks: they are simulated until they describe themselves again.
ALTER TABLE node ADD COLUMN runtime_kind TEXT NOT NULL DEFAULT 'simulated';
ALTER TABLE node ADD COLUMN runtime_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE node ADD COLUMN security_options JSONB NOT NULL DEFAULT '[]';

-- A task's container, as its node reports it.
ALTER TABLE task ADD COLUMN container_id TEXT;
ALTER TABLE task ADD COLUMN exit_code INTEGER;

-- What an administrator allows beyond the defaults: host paths, host networking,
-- privileged containers. Nothing, at first.
ALTER TABLE cluster ADD COLUMN runtime_policy JSONB NOT NULL
  DEFAULT '{"allowedHostPaths":[],"allowHostNetwork":false,"allowPrivileged":false}';

-- Custom seccomp profiles, shared by name between services. A profile never changes:
-- a new one is added under a new name, as with secrets.
CREATE TABLE seccomp_profile (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  -- The profile's JSON as given (the engine's format), checked on the way in.
  content TEXT NOT NULL,
  -- SHA-256 of the content, hex: what nodes check what they fetched against.
  digest TEXT NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
