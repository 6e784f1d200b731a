-- The last text of a document removed for good on this device (an emptied trash), kept for
-- sync: if another device edited it meanwhile, the document comes back (an edit beats a
-- delete) and this text must come back with it, as a conflict version — nothing is lost. It
-- travels with the removal (pylib/sync/outbox.py) and goes after KEPT_DAYS (pylib/sync/kept.py).
-- Local to this device: never synced itself. Only a workspace that syncs keeps them (one
-- that never synced has no other device to bring a document back), so emptying the trash of
-- a workspace that does not sync frees the space at once.
CREATE TABLE sync_kept (
  row_id TEXT PRIMARY KEY,
  hash TEXT,
  content BLOB NOT NULL,
  kept_at INTEGER NOT NULL
);

CREATE TRIGGER sync_kept_on_purge AFTER DELETE ON artifacts
WHEN (SELECT applying FROM sync_clock) = 0 AND old.content IS NOT NULL
  AND length(old.content) <= 1048576
  AND EXISTS (SELECT 1 FROM sync_meta WHERE key = 'counter')
BEGIN
  INSERT OR REPLACE INTO sync_kept (row_id, hash, content, kept_at)
  VALUES (old.id, old.hash, old.content, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
