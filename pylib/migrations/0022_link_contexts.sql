-- The sentence around each occurrence of a link, stored with the link (a JSON list of
-- {text, line, column, start, end, kind, heading}), so backlinks read rows instead of parsing every linking note
-- again. Emptying link_names makes the engine rebuild the index (with the sentences) when
-- it next opens the workspace.
ALTER TABLE links ADD COLUMN contexts TEXT NOT NULL DEFAULT '[]';
-- The note's path as written, so backlinks name and order the linking notes from this small
-- table without reading their rows in artifacts.
ALTER TABLE link_names ADD COLUMN path TEXT NOT NULL DEFAULT '';
-- Backlinks read a note's links with their sentences from this index alone: the rows of one
-- target sit together (a range read) instead of one table lookup per linking note.
DROP INDEX idx_links_target;
CREATE INDEX idx_links_target ON links(target_id, source_id, contexts);
DELETE FROM link_names;
DELETE FROM links;
DELETE FROM note_tags;
DELETE FROM tag_counts;
