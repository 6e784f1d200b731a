-- A coarse type for the storage breakdown: markdown, text, code, image or other.
ALTER TABLE artifacts ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';

UPDATE artifacts SET kind = CASE
  WHEN mime_type = 'text/markdown' OR lower(name) LIKE '%.md' OR lower(name) LIKE '%.markdown'
    THEN 'markdown'
  WHEN mime_type LIKE 'image/%' THEN 'image'
  WHEN lower(name) LIKE '%.py' OR lower(name) LIKE '%.js' OR lower(name) LIKE '%.ts'
    OR lower(name) LIKE '%.json' OR lower(name) LIKE '%.html' OR lower(name) LIKE '%.css'
    OR lower(name) LIKE '%.sql' OR lower(name) LIKE '%.sh' OR lower(name) LIKE '%.toml'
    OR lower(name) LIKE '%.yaml' OR lower(name) LIKE '%.yml' OR lower(name) LIKE '%.rs'
    OR lower(name) LIKE '%.go' OR lower(name) LIKE '%.c' OR lower(name) LIKE '%.h'
    OR mime_type IN ('application/json', 'application/javascript', 'text/x-python',
                     'text/javascript', 'text/css', 'text/html')
    THEN 'code'
  WHEN mime_type LIKE 'text/%' OR lower(name) LIKE '%.txt' THEN 'text'
  ELSE 'other'
END;
