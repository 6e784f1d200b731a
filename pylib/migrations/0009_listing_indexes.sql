-- Listings must not read content. SQLite stores a row's columns in order, and a column after
-- a large BLOB can only be read by walking the BLOB's overflow pages. In `artifacts` the
-- listed columns follow `content` (and the ones added by ALTER TABLE sit at the very end),
-- so listings are served from a covering index instead. `artifact_versions` is ours alone
-- (nothing refers to it), so it is rebuilt with `content` as its last column.

-- `deleted_at` is listed too: SQLite counts a column the query's WHERE names as needed even
-- when the index's own WHERE already implies the term.
CREATE INDEX idx_artifacts_listing ON artifacts(
  path, id, name, mime_type, kind, size_bytes, hash, created_at, updated_at, deleted_at
) WHERE deleted_at IS NULL;

DROP INDEX idx_artifacts_trash;
CREATE INDEX idx_artifacts_trash ON artifacts(trash_id, size_bytes) WHERE trash_id IS NOT NULL;

CREATE TABLE artifact_versions_new (
  id TEXT PRIMARY KEY,
  artifact_id TEXT NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  hash TEXT,
  created_at INTEGER NOT NULL,
  reason TEXT NOT NULL,                  -- create, update, upload, restore, merge, initial
  restored_from TEXT,                    -- the version a restore copied
  content BLOB                           -- last, so summaries never touch it
);

INSERT INTO artifact_versions_new
  (id, artifact_id, seq, size_bytes, hash, created_at, reason, restored_from, content)
SELECT id, artifact_id, seq, size_bytes, hash, created_at, reason, restored_from, content
FROM artifact_versions;

DROP TABLE artifact_versions;
ALTER TABLE artifact_versions_new RENAME TO artifact_versions;
CREATE UNIQUE INDEX idx_versions_artifact_seq ON artifact_versions(artifact_id, seq);
