-- Large files' encrypted objects in S3 (pylib/blobs): one row per object this device knows.
-- `name` is the object's name (HMAC of the content under the names subkey), `sha256` the
-- plaintext's hash, which is how artifacts and versions refer to it (their `hash` column with
-- no inline content). A row is device state: an import never copies it (pylib/rows.py), and
-- an object found missing is uploaded again (create-only, so never twice).
CREATE TABLE blobs (
  name TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  state TEXT NOT NULL CHECK (state IN ('waiting', 'uploaded')),
  upload_id TEXT,                        -- the multipart upload a resumed attempt continues
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  uploaded_at INTEGER,
  unreferenced_since INTEGER,            -- first seen with no artifact or version using it
  on_device INTEGER NOT NULL DEFAULT 0 CHECK (on_device IN (0, 1)),  -- plaintext kept on this device
  last_used_at INTEGER                   -- for the device cache's least-recently-used eviction
) WITHOUT ROWID;
CREATE INDEX idx_blobs_sha256 ON blobs(sha256);
CREATE INDEX idx_blobs_queue ON blobs(state, next_attempt_at);
CREATE INDEX idx_blobs_cache ON blobs(on_device, last_used_at);
