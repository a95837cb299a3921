-- Witness cosignatures of checkpoints (C2SP tlog-cosignature/v1), append-only.
CREATE TABLE cosignatures
(
    tree_size      bigint NOT NULL REFERENCES checkpoints (tree_size),
    witness        text   NOT NULL,
    signature_line text   NOT NULL,
    signed_at      bigint NOT NULL,
    received_at    text   NOT NULL,
    PRIMARY KEY (tree_size, witness)
);
CREATE TRIGGER cosignatures_append_only BEFORE UPDATE OR DELETE ON cosignatures
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER cosignatures_no_truncate BEFORE TRUNCATE ON cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
DO $$
BEGIN
    GRANT SELECT, INSERT ON cosignatures TO ledger_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE WARNING 'could not grant cosignatures to ledger_app';
END $$;
