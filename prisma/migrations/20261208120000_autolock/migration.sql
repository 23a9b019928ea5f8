-- Autolock (ADR 0022): the key-encryption key, wrapped under a key derived from the
-- unlock key (HKDF-SHA256) in the sealed envelope, bound to the cluster row and this
-- column. Null while autolock is off: the key-encryption key is then the file beside
-- the store. The unlock key itself stays in unlock_key, sealed under a data key.
ALTER TABLE cluster ADD COLUMN wrapped_kek BYTEA;
