-- Semantic search (pylib/semantic): the chunks of each document and their embeddings.
-- embedding_docs and embedding_chunks are derived from the documents (rebuilt, never
-- imported; the engine fills them as it hands chunks to the embedder). embedding_vectors is
-- keyed by each chunk's identity (a hash of model and text), holds nothing but numbers, is
-- checked row by row and carried by export and import, so a device that imports a workspace
-- never embeds again what was already embedded.

-- What each document looked like when it was last chunked (its content hash).
CREATE TABLE embedding_docs (
  artifact_id TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  chunks INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per chunk of a document: its identity, its breadcrumb and where its text lies
-- (character offsets into the document's text).
CREATE TABLE embedding_chunks (
  artifact_id TEXT NOT NULL,
  chunk_no INTEGER NOT NULL,
  chunk_id TEXT NOT NULL,
  section TEXT NOT NULL,
  start INTEGER NOT NULL,
  end INTEGER NOT NULL,
  PRIMARY KEY (artifact_id, chunk_no)
) WITHOUT ROWID;
CREATE INDEX idx_embedding_chunks_id ON embedding_chunks(chunk_id);

-- A chunk's unit vector as 384 int8 components and their scale (vector = scale * int8).
CREATE TABLE embedding_vectors (
  chunk_id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  vector BLOB NOT NULL,
  scale REAL NOT NULL
);  -- a rowid table: the import copies rows in rowid order

-- What the server's vector index (Qdrant through the proxy) holds for this workspace, as
-- acknowledged by the server: the difference to the local chunks is the upload queue (it
-- survives reloads, and nothing is lost while offline). Local to this device, never imported.
CREATE TABLE remote_vectors (
  artifact_id TEXT NOT NULL,
  chunk_no INTEGER NOT NULL,
  chunk_id TEXT NOT NULL,
  PRIMARY KEY (artifact_id, chunk_no)
) WITHOUT ROWID;
