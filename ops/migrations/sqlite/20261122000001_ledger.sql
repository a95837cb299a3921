-- The ledger schema on SQLite. Immutable once applied: change it with a new file.

-- Events, exactly as sqlite-es writes them (its table layout), one row per event.
-- metadata holds the envelope plus {"ledger": {prev_hash, hash, signature}}.
CREATE TABLE events
(
  aggregate_type text                          NOT NULL,
  aggregate_id   text                          NOT NULL,
  sequence       integer CHECK (sequence >= 0) NOT NULL,
  event_type     text                          NOT NULL,
  event_version  text                          NOT NULL,
  payload        text                          NOT NULL,
  metadata       text                          NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id, sequence)
) STRICT;
CREATE UNIQUE INDEX events_idempotency_key ON events (json_extract(metadata, '$.idempotency_key'))
  WHERE json_extract(metadata, '$.idempotency_key') IS NOT NULL;

CREATE TABLE ledger_inbox
(
  id             integer PRIMARY KEY AUTOINCREMENT,
  aggregate_type text    NOT NULL,
  aggregate_id   text    NOT NULL,
  sequence       integer NOT NULL
) STRICT;

CREATE TABLE ledger
(
  position       integer PRIMARY KEY CHECK (position >= 0),
  aggregate_type text    NOT NULL,
  aggregate_id   text    NOT NULL,
  sequence       integer NOT NULL,
  event_hash     text    NOT NULL,
  sealed_at      text    NOT NULL,
  UNIQUE (aggregate_type, aggregate_id, sequence)
) STRICT;

CREATE TABLE merkle_hashes
(
  idx  integer PRIMARY KEY CHECK (idx >= 0),
  hash blob    NOT NULL
) STRICT;

CREATE TABLE checkpoints
(
  tree_size  integer PRIMARY KEY CHECK (tree_size >= 0),
  root_hash  text NOT NULL,
  note       text NOT NULL,
  created_at text NOT NULL
) STRICT;

CREATE TRIGGER events_enqueue AFTER INSERT ON events
BEGIN
  INSERT INTO ledger_inbox (aggregate_type, aggregate_id, sequence)
  VALUES (NEW.aggregate_type, NEW.aggregate_id, NEW.sequence);
END;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on events is refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on events is refused'); END;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on ledger is refused'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on ledger is refused'); END;
CREATE TRIGGER merkle_no_update BEFORE UPDATE ON merkle_hashes
BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on merkle_hashes is refused'); END;
CREATE TRIGGER merkle_no_delete BEFORE DELETE ON merkle_hashes
BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on merkle_hashes is refused'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on checkpoints is refused'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on checkpoints is refused'); END;

CREATE TABLE projection_cursors
(
  projector     text PRIMARY KEY,
  next_position integer NOT NULL
) STRICT;
CREATE TABLE view_documents
(
  view     text    NOT NULL,
  id       text    NOT NULL,
  body     text    NOT NULL,
  position integer NOT NULL,
  PRIMARY KEY (view, id)
) STRICT;
CREATE TABLE audit_history
(
  position       integer PRIMARY KEY,
  aggregate_type text    NOT NULL,
  aggregate_id   text    NOT NULL,
  sequence       integer NOT NULL,
  event_type     text    NOT NULL,
  actor          text    NOT NULL,
  role           text    NOT NULL,
  authority      text,
  occurred_at    text,
  recorded_at    text    NOT NULL,
  request_id     text,
  hash           text    NOT NULL
) STRICT;
CREATE INDEX audit_history_aggregate ON audit_history (aggregate_type, aggregate_id, sequence);

CREATE TABLE api_tokens
(
  token_hash text PRIMARY KEY,
  role       text NOT NULL,
  subject    text NOT NULL,
  created_at text NOT NULL
) STRICT;
