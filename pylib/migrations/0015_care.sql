-- Workspace care: settings that travel with the workspace (retention policy) and what the
-- background upkeep last did (integrity check, cleanup, compaction). One JSON value per key
-- (pylib/care/settings.py); the file's own copy is kept by replace, ours by merge.
CREATE TABLE care_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL                    -- JSON
);
