-- User's local database schema
-- File: workspace.sqlite

-- Artifacts (files, documents, notes)
CREATE TABLE artifacts (
  id TEXT PRIMARY KEY,
  path TEXT NOT NULL,                    -- Virtual path: /docs/notes.md
  name TEXT NOT NULL,
  mime_type TEXT,
  content BLOB,                          -- For small files < 1MB
  s3_key TEXT,                           -- For large files, pointer to S3
  size_bytes INTEGER,
  hash TEXT,                             -- SHA-256 for change detection
  created_at INTEGER NOT NULL,           -- Unix timestamp ms
  updated_at INTEGER NOT NULL,
  metadata JSON                          -- Extensible metadata
);

CREATE INDEX idx_artifacts_path ON artifacts(path);
CREATE INDEX idx_artifacts_updated ON artifacts(updated_at);

-- Action log (what happened, when)
CREATE TABLE action_log (
  id TEXT PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  action_type TEXT NOT NULL,             -- ARTIFACT_CREATE, COMMAND, etc.
  payload JSON NOT NULL,
  synced INTEGER DEFAULT 0               -- Has this been pushed to NATS?
);

CREATE INDEX idx_action_log_timestamp ON action_log(timestamp);
CREATE INDEX idx_action_log_synced ON action_log(synced);

-- Agent tasks (pending, running, completed)
CREATE TABLE agent_tasks (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,                  -- PENDING, RUNNING, COMPLETED, FAILED
  task_type TEXT NOT NULL,
  input JSON NOT NULL,
  output JSON,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER,
  error TEXT
);

CREATE INDEX idx_agent_tasks_status ON agent_tasks(status);

-- Citations (the economic record)
CREATE TABLE citations (
  id TEXT PRIMARY KEY,
  source_artifact_id TEXT NOT NULL,      -- What artifact was cited
  citing_run_id TEXT NOT NULL,           -- Which agent run cited it
  weight REAL NOT NULL,                  -- 0.0 - 1.0
  reason TEXT,
  created_at INTEGER NOT NULL,
  FOREIGN KEY (source_artifact_id) REFERENCES artifacts(id)
);

CREATE INDEX idx_citations_source ON citations(source_artifact_id);

-- Sync state
CREATE TABLE sync_state (
  key TEXT PRIMARY KEY,
  value TEXT
);

-- Track database version for migrations
PRAGMA user_version = 1;
