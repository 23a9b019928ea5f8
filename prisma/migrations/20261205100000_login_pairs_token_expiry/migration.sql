-- Sign-in throttling by (account, address) pair, and API tokens that always expire
-- (docs/decisions/0014-login-lockout-and-api-tokens.md).

-- An account is no longer locked, only slowed: `next_attempt_at` is when the next
-- attempt from an address that has failed against it may be checked. Any account lock
-- in force from before is lifted.
ALTER TABLE login_throttle ADD COLUMN next_attempt_at TIMESTAMPTZ(3);
UPDATE login_throttle SET locked_until = NULL WHERE key LIKE 'user:%';

-- Every token expires, a year from its making at most: a token made without an expiry
-- (or with a longer one) now expires 90 days from this migration.
UPDATE api_token SET expires_at = CURRENT_TIMESTAMP + INTERVAL '90 days' WHERE expires_at IS NULL;
UPDATE api_token SET expires_at = CURRENT_TIMESTAMP + INTERVAL '90 days'
 WHERE expires_at > CURRENT_TIMESTAMP + INTERVAL '365 days';
ALTER TABLE api_token ALTER COLUMN expires_at SET NOT NULL;
