-- Evidence documents (minutes, reports, roadmaps, agreements), OUTSIDE the append-only
-- tables: the ledger's events hold a document's SHA-256, and this table says that the
-- document is stored, with its media type, size, original file name, who uploaded it and
-- when. On SQLite the bytes are files beside the database, at
-- documents/<first 2 hex digits>/<sha256> (ledger_store::documents); they are re-hashed
-- every time they are served. A document is stored once per hash and never changed.
CREATE TABLE documents
(
  sha256      text PRIMARY KEY CHECK (length(sha256) = 64),
  media_type  text NOT NULL,
  size        integer NOT NULL CHECK (size > 0),
  file_name   text,
  uploaded_by text NOT NULL,
  uploaded_at text NOT NULL
) STRICT;
