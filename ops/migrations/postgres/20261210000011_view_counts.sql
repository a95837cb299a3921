-- How many documents each view holds, kept by the projector in the transaction that writes
-- them (projections::runner), so that counting a view (the home page's meetings and
-- decisions) reads one row instead of every document. Documents are only ever added, or
-- all removed by a rebuild, which empties this table with them.
CREATE TABLE view_counts
(
    view      text PRIMARY KEY,
    documents bigint NOT NULL
);
INSERT INTO view_counts (view, documents)
SELECT view, COUNT(*) FROM view_documents GROUP BY view;
DO $$
BEGIN
    GRANT SELECT, INSERT, UPDATE, DELETE ON view_counts TO ledger_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE WARNING 'could not grant view_counts to ledger_app';
END $$;
