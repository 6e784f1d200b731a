-- Trash. Deleting sets `deleted_at` and `trash_id` instead of removing rows; one `trash` row is
-- one restorable unit (a single artifact, or a folder with everything that was inside it).
ALTER TABLE artifacts ADD COLUMN deleted_at INTEGER;
ALTER TABLE artifacts ADD COLUMN trash_id TEXT;

CREATE TABLE trash (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('artifact', 'folder')),
  path TEXT NOT NULL,                    -- where the unit lived when it was deleted
  name TEXT NOT NULL,
  deleted_at INTEGER NOT NULL
);

CREATE INDEX idx_trash_deleted ON trash(deleted_at);
CREATE INDEX idx_artifacts_trash ON artifacts(trash_id) WHERE trash_id IS NOT NULL;
