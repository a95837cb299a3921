-- Evidence documents (minutes, reports, roadmaps, agreements), OUTSIDE the append-only
-- tables: the ledger's events hold a document's SHA-256, and this table holds the document
-- itself by that hash, with its media type, size, original file name, who uploaded it and
-- when (ledger_store::documents). The bytes are re-hashed every time they are served. A
-- document is stored once per hash and never changed: the application role may only read
-- and insert.
CREATE TABLE documents
(
    sha256      text PRIMARY KEY CHECK (length(sha256) = 64),
    media_type  text NOT NULL,
    size        bigint NOT NULL CHECK (size > 0),
    file_name   text,
    uploaded_by text NOT NULL,
    uploaded_at text NOT NULL,
    content     bytea NOT NULL
);
DO $$
BEGIN
    GRANT SELECT, INSERT ON documents TO ledger_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE WARNING 'could not grant documents to ledger_app';
END $$;
