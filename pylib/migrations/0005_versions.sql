-- Version history. Each save that changes content adds a row with the next `seq` for that
-- artifact; the newest row always matches the artifact's current content. Content larger than
-- the inline limit is not versioned (`content` NULL keeps size and hash only).
CREATE TABLE artifact_versions (
  id TEXT PRIMARY KEY,
  artifact_id TEXT NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  content BLOB,
  size_bytes INTEGER NOT NULL,
  hash TEXT,
  created_at INTEGER NOT NULL,
  reason TEXT NOT NULL,                  -- create, update, upload, restore, merge, initial
  restored_from TEXT                     -- the version a restore copied
);

-- Serves "the newest N versions of one artifact" straight from the index.
CREATE UNIQUE INDEX idx_versions_artifact_seq ON artifact_versions(artifact_id, seq);

-- Existing content becomes version 1 so that history starts from what the file held.
INSERT INTO artifact_versions (id, artifact_id, seq, content, size_bytes, hash, created_at, reason)
SELECT lower(hex(randomblob(16))), id, 1, content, coalesce(size_bytes, length(content)), hash,
       updated_at, 'initial'
FROM artifacts
WHERE content IS NOT NULL;
