-- The inbox is filled once per INSERT statement instead of once per row: group commit
-- (ledger_store::commit) writes the events of many commands in one statement, and one
-- INSERT ... SELECT from the statement's new rows costs far less than a trigger call per
-- row. The rows enter the inbox in the order they were inserted, exactly as before.
DROP TRIGGER events_enqueue ON events;
CREATE FUNCTION ledger_enqueue_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_inbox (aggregate_type, aggregate_id, sequence)
    SELECT aggregate_type, aggregate_id, sequence FROM inserted_events;
    RETURN NULL;
END $$;
CREATE TRIGGER events_enqueue AFTER INSERT ON events REFERENCING NEW TABLE AS inserted_events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_enqueue_statement();
