-- Delivery of secrets to nodes. Each task records the secret references it was made
-- with (a rotation changes the service's spec, but a task still running under the old
-- one keeps its old secret until it stops), and each node's current holdings are kept,
-- so delivery and withdrawal are audited once each.

ALTER TABLE task ADD COLUMN secrets JSONB NOT NULL DEFAULT '[]';
UPDATE task t
   SET secrets = s.spec -> 'secrets'
  FROM service s
 WHERE s.id = t.service_id AND jsonb_typeof(s.spec -> 'secrets') = 'array';
CREATE INDEX task_secrets_idx ON task USING GIN (secrets jsonb_path_ops);

CREATE TABLE secret_delivery (
    secret_id    TEXT NOT NULL REFERENCES secret (id) ON DELETE CASCADE,
    node_id      TEXT NOT NULL REFERENCES node (id) ON DELETE CASCADE,
    delivered_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (secret_id, node_id)
);
CREATE INDEX secret_delivery_node_idx ON secret_delivery (node_id);
