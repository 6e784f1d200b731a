-- Files larger than the inline limit wait here until a later sync moves them to S3, so that
-- `artifacts.content` stays small. The artifact row keeps metadata.pending_upload = true.
CREATE TABLE pending_uploads (
  artifact_id TEXT PRIMARY KEY REFERENCES artifacts(id) ON DELETE CASCADE,
  data BLOB NOT NULL,
  size_bytes INTEGER NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
