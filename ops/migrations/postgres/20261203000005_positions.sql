-- The table of gap-free global positions was called `ledger`, a name that also means the
-- binary and the whole record. It is `positions` from now on. Its rows, grants and
-- append-only triggers move with it (they belong to the table, not to its name).
ALTER TABLE ledger RENAME TO positions;
ALTER TRIGGER ledger_append_only ON positions RENAME TO positions_append_only;
ALTER TRIGGER ledger_no_truncate ON positions RENAME TO positions_no_truncate;
