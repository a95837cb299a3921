-- The ledger schema on PostgreSQL. Immutable once applied: change it with a new file.

-- Events, exactly as postgres-es writes them (its table layout), one row per event.
-- metadata holds the envelope plus {"ledger": {prev_hash, hash, signature}}.
CREATE TABLE events
(
    aggregate_type text                         NOT NULL,
    aggregate_id   text                         NOT NULL,
    sequence       bigint CHECK (sequence >= 0) NOT NULL,
    event_type     text                         NOT NULL,
    event_version  text                         NOT NULL,
    payload        json                         NOT NULL,
    metadata       json                         NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);
-- A command carrying an Idempotency-Key is applied at most once.
CREATE UNIQUE INDEX events_idempotency_key ON events ((metadata ->> 'idempotency_key'))
    WHERE metadata ->> 'idempotency_key' IS NOT NULL;

-- Keys of committed events not yet given a ledger position. Filled by trigger, so a row
-- becomes visible exactly when its event's transaction commits; drained by the sealer.
CREATE TABLE ledger_inbox
(
    id             bigserial PRIMARY KEY,
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    sequence       bigint NOT NULL
);

-- Gap-free global positions, one event hash each.
CREATE TABLE ledger
(
    position       bigint PRIMARY KEY CHECK (position >= 0),
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    sequence       bigint NOT NULL,
    event_hash     text   NOT NULL,
    sealed_at      text   NOT NULL,
    UNIQUE (aggregate_type, aggregate_id, sequence)
);

-- RFC 6962 tree hashes in the tlog stored-hash layout (index = tlog stored hash index).
CREATE TABLE merkle_hashes
(
    idx  bigint PRIMARY KEY CHECK (idx >= 0),
    hash bytea  NOT NULL
);

-- Every signed checkpoint ever issued.
CREATE TABLE checkpoints
(
    tree_size  bigint PRIMARY KEY CHECK (tree_size >= 0),
    root_hash  text NOT NULL,
    note       text NOT NULL,
    created_at text NOT NULL
);

CREATE FUNCTION ledger_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_inbox (aggregate_type, aggregate_id, sequence)
    VALUES (NEW.aggregate_type, NEW.aggregate_id, NEW.sequence);
    RETURN NULL;
END $$;
CREATE TRIGGER events_enqueue AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION ledger_enqueue();

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER merkle_append_only BEFORE UPDATE OR DELETE ON merkle_hashes
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER merkle_no_truncate BEFORE TRUNCATE ON merkle_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- Projections: rebuildable from the ledger at any time.
CREATE TABLE projection_cursors
(
    projector     text PRIMARY KEY,
    next_position bigint NOT NULL
);
CREATE TABLE view_documents
(
    view     text   NOT NULL,
    id       text   NOT NULL,
    body     text   NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (view, id)
);
CREATE TABLE audit_history
(
    position       bigint PRIMARY KEY,
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    sequence       bigint NOT NULL,
    event_type     text   NOT NULL,
    actor          text   NOT NULL,
    role           text   NOT NULL,
    authority      text,
    occurred_at    text,
    recorded_at    text   NOT NULL,
    request_id     text,
    hash           text   NOT NULL
);
CREATE INDEX audit_history_aggregate ON audit_history (aggregate_type, aggregate_id, sequence);

-- Bearer tokens, stored as SHA-256 of the token only.
CREATE TABLE api_tokens
(
    token_hash text PRIMARY KEY,
    role       text NOT NULL,
    subject    text NOT NULL,
    created_at text NOT NULL
);

-- The application role: INSERT and SELECT only on the append-only tables, so even a
-- disabled trigger does not let the application rewrite history. The migration owner
-- (who connects) is a member and the server switches to it with SET ROLE.
DO $$
BEGIN
    BEGIN
        CREATE ROLE ledger_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
    END;
    GRANT SELECT, INSERT ON events, ledger, merkle_hashes, checkpoints TO ledger_app;
    GRANT SELECT, INSERT, DELETE ON ledger_inbox TO ledger_app;
    GRANT USAGE, SELECT ON SEQUENCE ledger_inbox_id_seq TO ledger_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON projection_cursors, view_documents, audit_history, api_tokens
        TO ledger_app;
    EXECUTE format('GRANT ledger_app TO %I', current_user);
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'could not set up the ledger_app role: the server will run as the migration owner';
END $$;
