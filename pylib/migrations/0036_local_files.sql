-- Large files kept on this device whose encrypted object cannot be named yet: the workspace
-- key was locked, or never set up, when they were added (pylib/blobs/local.py). Their bytes are
-- in the device store (outside this file) under "local-<sha256>"; the artifact refers to them by
-- its hash and size as any large file does. When the key is unlocked the queue names each one
-- (keyed hash), moves its bytes to that name, gives its artifacts their s3_key and queues the
-- upload (a `blobs` row), then drops the row here. Device state: never synced or imported.
CREATE TABLE local_files (
  sha256 TEXT PRIMARY KEY,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
