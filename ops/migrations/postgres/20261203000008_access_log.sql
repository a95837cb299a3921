-- Who read what, when: every read by a donor or auditor token (the readers of
-- donor-confidential and personal events besides the Secretariat). Append-only.
CREATE TABLE access_log (
    id bigserial PRIMARY KEY,
    at text NOT NULL,
    token_id text NOT NULL,
    subject text NOT NULL,
    role text NOT NULL,
    scope text,
    method text NOT NULL,
    target text NOT NULL,
    status integer NOT NULL
);
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
DO $$
BEGIN
    GRANT SELECT, INSERT ON access_log TO ledger_app;
    GRANT USAGE, SELECT ON SEQUENCE access_log_id_seq TO ledger_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE WARNING 'could not grant access_log to ledger_app';
END $$;
