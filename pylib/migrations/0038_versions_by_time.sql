-- History lists a document's versions by when each was saved, on whichever device, then by
-- id (pylib/versions.py): a version synced from another device may have been saved before
-- the ones this device recorded ahead of it. This index serves that order, and the look-up
-- of the version holding the current text, without a sort.
CREATE INDEX idx_versions_artifact_time ON artifact_versions(artifact_id, created_at, id);
