-- Links between notes and tags: derived tables, rebuilt from the notes' text (pylib/links).
-- They are kept current in the transaction of every write, are never copied from an
-- imported file (the import rebuilds them), and a later step that wants them rebuilt
-- empties link_names (the engine rebuilds an empty index when it opens the workspace).

-- Every live artifact by the keys links use to find it (case-folded, NFC, no ".md").
CREATE TABLE link_names (
  artifact_id TEXT PRIMARY KEY,
  name_key TEXT NOT NULL,
  path_key TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX idx_link_names_key ON link_names(name_key, path_key);

-- One row per distinct link of a live note; target_id is the note it resolves to (NULL
-- while unresolved: it resolves once such a note exists).
CREATE TABLE links (
  source_id TEXT NOT NULL,
  kind TEXT NOT NULL,                    -- wiki | embed | markdown
  target TEXT NOT NULL,                  -- as written, without #heading and |label
  heading TEXT NOT NULL,
  mode TEXT NOT NULL,                    -- name | suffix | exact
  name_key TEXT NOT NULL,
  path_key TEXT,
  target_id TEXT,
  PRIMARY KEY (source_id, kind, target, heading)
) WITHOUT ROWID;
CREATE INDEX idx_links_target ON links(target_id, source_id);
CREATE INDEX idx_links_name ON links(name_key);

-- Tags of live notes; a nested tag also files its note under each parent (direct = 0).
CREATE TABLE note_tags (
  artifact_id TEXT NOT NULL,
  tag_key TEXT NOT NULL,
  tag TEXT NOT NULL,
  direct INTEGER NOT NULL,
  PRIMARY KEY (artifact_id, tag_key)
) WITHOUT ROWID;
CREATE INDEX idx_note_tags_key ON note_tags(tag_key, direct, tag);

-- Per tag: its spelling (the least, for a stable choice), notes with it or a tag below it,
-- and notes with exactly it. Recounted for the tags a save adds or drops.
CREATE TABLE tag_counts (
  tag_key TEXT PRIMARY KEY,
  tag TEXT NOT NULL,
  notes INTEGER NOT NULL,
  direct INTEGER NOT NULL
) WITHOUT ROWID;
