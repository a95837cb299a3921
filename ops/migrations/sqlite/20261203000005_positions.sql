-- The table of gap-free global positions was called `ledger`, a name that also means the
-- binary and the whole record. It is `positions` from now on; its append-only triggers
-- are made anew so that their refusals name it.
DROP TRIGGER ledger_no_update;
DROP TRIGGER ledger_no_delete;
ALTER TABLE ledger RENAME TO positions;
CREATE TRIGGER positions_no_update BEFORE UPDATE ON positions
BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on positions is refused'); END;
CREATE TRIGGER positions_no_delete BEFORE DELETE ON positions
BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on positions is refused'); END;
