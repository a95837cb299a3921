-- Sessions of the web pages: a browser signs in with an API token and gets a cookie whose
-- secret is stored here only as SHA-256, with the hash of the token it stands for (so
-- revoking or expiring the token ends the session) and the session's CSRF token. Rows are
-- deleted on sign-out and once expired; nothing here is part of the ledger.
CREATE TABLE web_sessions
(
  session_hash text PRIMARY KEY,
  token_hash   text NOT NULL,
  csrf_token   text NOT NULL,
  created_at   text NOT NULL,
  expires_at   text NOT NULL
) STRICT;
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
