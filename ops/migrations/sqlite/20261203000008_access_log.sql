-- Who read what, when: every read by a donor or auditor token (the readers of
-- donor-confidential and personal events besides the Secretariat). Append-only.
CREATE TABLE access_log (
    id integer PRIMARY KEY AUTOINCREMENT,
    at text NOT NULL,
    token_id text NOT NULL,
    subject text NOT NULL,
    role text NOT NULL,
    scope text,
    method text NOT NULL,
    target text NOT NULL,
    status integer NOT NULL
);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on access_log is refused'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on access_log is refused'); END;
