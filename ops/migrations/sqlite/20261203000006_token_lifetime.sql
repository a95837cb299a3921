-- Tokens expire, can be revoked, and say when they were last used. Tokens created before
-- this migration expire 90 days after their creation.
ALTER TABLE api_tokens ADD COLUMN expires_at text;
ALTER TABLE api_tokens ADD COLUMN last_used_at text;
ALTER TABLE api_tokens ADD COLUMN revoked_at text;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+90 days');
