-- Tasks as SwarmKit keeps them: each carries a version (every write bumps it, so a
-- scheduling decision made on a stale read loses instead of overwriting), the spec it
-- was made with and its service's name (a task outlives its service until its node has
-- shut it down and the task reaper deletes it). The cluster's task history retention
-- limit (TaskHistoryRetentionLimit, default 5), and nodes' generic resources.

ALTER TABLE task ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE task ADD COLUMN service_name TEXT NOT NULL DEFAULT '';
ALTER TABLE task ADD COLUMN spec JSONB;
UPDATE task t
   SET service_name = s.name, spec = s.spec
  FROM service s
 WHERE s.id = t.service_id;
UPDATE task SET spec = '{}' WHERE spec IS NULL;
ALTER TABLE task ALTER COLUMN spec SET NOT NULL;
ALTER TABLE task DROP CONSTRAINT task_service_id_fkey;
CREATE INDEX task_service_id_slot_idx ON task (service_id, slot);

ALTER TABLE cluster ADD COLUMN task_history_limit INTEGER NOT NULL DEFAULT 5;

ALTER TABLE node ADD COLUMN generic_resources JSONB NOT NULL DEFAULT '{}';
