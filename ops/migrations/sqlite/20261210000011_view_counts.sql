-- How many documents each view holds, kept by the projector in the transaction that writes
-- them (projections::runner), so that counting a view (the home page's meetings and
-- decisions) reads one row instead of every document. Documents are only ever added, or
-- all removed by a rebuild, which empties this table with them.
CREATE TABLE view_counts
(
    view      TEXT PRIMARY KEY,
    documents INTEGER NOT NULL
);
INSERT INTO view_counts (view, documents)
SELECT view, COUNT(*) FROM view_documents GROUP BY view;
