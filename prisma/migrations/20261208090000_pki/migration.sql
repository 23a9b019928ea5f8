-- PKI operations (swarm-semantics.md §4.8, §4.9, §5): root rotation, external CAs,
-- autolock, and what each node's TLS identity is doing.

-- An external root has no key here: the external CA holds it.
ALTER TABLE cluster ALTER COLUMN root_ca_key DROP NOT NULL;
-- RootCA.LastForcedRotation: the ForceRotate value the current root (or rotation) answers.
ALTER TABLE cluster ADD COLUMN last_forced_rotation INTEGER NOT NULL DEFAULT 0;
-- Spec.CAConfig.ExternalCAs: [{protocol, url, caCert, options}] (public).
ALTER TABLE cluster ADD COLUMN external_cas JSONB NOT NULL DEFAULT '[]';
-- RootCA.RootRotation: the new root (PEM), its key (sealed; null when external) and the
-- new root cross-signed by the old one.
ALTER TABLE cluster ADD COLUMN root_rotation_cert TEXT;
ALTER TABLE cluster ADD COLUMN root_rotation_key BYTEA;
ALTER TABLE cluster ADD COLUMN root_rotation_cross_signed TEXT;
ALTER TABLE cluster ADD COLUMN root_rotation_started_at TIMESTAMPTZ(3);
-- When the last rotation finished; null for a root the swarm was created with.
ALTER TABLE cluster ADD COLUMN root_rotated_at TIMESTAMPTZ(3);
-- When each join token was last made, for the "long-unrotated" warning.
ALTER TABLE cluster ADD COLUMN worker_token_rotated_at TIMESTAMPTZ(3);
ALTER TABLE cluster ADD COLUMN manager_token_rotated_at TIMESTAMPTZ(3);
UPDATE cluster SET worker_token_rotated_at = created_at, manager_token_rotated_at = created_at;
ALTER TABLE cluster ALTER COLUMN worker_token_rotated_at SET NOT NULL;
ALTER TABLE cluster ALTER COLUMN manager_token_rotated_at SET NOT NULL;
ALTER TABLE cluster ALTER COLUMN worker_token_rotated_at SET DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE cluster ALTER COLUMN manager_token_rotated_at SET DEFAULT CURRENT_TIMESTAMP;
-- Spec.EncryptionConfig.AutoLockManagers, and the unlock key (sealed) with when it was made.
ALTER TABLE cluster ADD COLUMN autolock BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE cluster ADD COLUMN unlock_key BYTEA;
ALTER TABLE cluster ADD COLUMN unlock_key_rotated_at TIMESTAMPTZ(3);

-- Node.Certificate.Status: issued, renew, pending (an external CA has not signed yet),
-- rotate (asked to renew for a root rotation) or failed; and why, for pending and failed.
ALTER TABLE node ADD COLUMN cert_status TEXT NOT NULL DEFAULT 'issued';
ALTER TABLE node ADD COLUMN cert_status_reason TEXT;
-- The CSR of a join an external CA has not signed yet: the node fetches its certificate
-- with it once signed (NodeCertificateStatus compares the CSR too).
ALTER TABLE node ADD COLUMN cert_csr TEXT;
-- Node.Description.TLSInfo, as Rampart sees it: the authority key ID and serial of the
-- certificate the node last presented on its mutual-TLS connection, the digest of the
-- trust root the node says it holds, and when.
ALTER TABLE node ADD COLUMN tls_issuer_key_id TEXT;
ALTER TABLE node ADD COLUMN tls_serial TEXT;
ALTER TABLE node ADD COLUMN tls_trust_root_digest TEXT;
ALTER TABLE node ADD COLUMN tls_seen_at TIMESTAMPTZ(3);
