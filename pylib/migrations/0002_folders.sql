-- Folders are rows of their own so that an empty folder exists. Every parent folder of a live
-- artifact has a live row here. `path` is absolute with no trailing slash: "/notes/2024".
-- `deleted_at`/`trash_id` mark a folder in the trash (see 0003_trash).
CREATE TABLE folders (
  id TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  trash_id TEXT
);

-- A path names at most one live folder; trashed copies may share it.
CREATE UNIQUE INDEX idx_folders_live_path ON folders(path) WHERE deleted_at IS NULL;
CREATE INDEX idx_folders_trash ON folders(trash_id) WHERE trash_id IS NOT NULL;
