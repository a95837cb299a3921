-- Witness cosignatures of checkpoints (C2SP tlog-cosignature/v1), append-only.
CREATE TABLE cosignatures
(
  tree_size      integer NOT NULL REFERENCES checkpoints (tree_size),
  witness        text    NOT NULL,
  signature_line text    NOT NULL,
  signed_at      integer NOT NULL,
  received_at    text    NOT NULL,
  PRIMARY KEY (tree_size, witness)
) STRICT;
CREATE TRIGGER cosignatures_no_update BEFORE UPDATE ON cosignatures
BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on cosignatures is refused'); END;
CREATE TRIGGER cosignatures_no_delete BEFORE DELETE ON cosignatures
BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on cosignatures is refused'); END;
