-- The chunker leaves out spans that are not prose (pasted base64, hashes, minified data:
-- pylib/semantic/chunks.py). Documents chunked before kept those chunks until they changed.
-- Chunks are derived: every document is marked to be chunked again (a hash no document has).
-- The indexer does it in bounded steps; a chunk that is unchanged keeps its vector (vectors
-- are keyed by chunk identity), so only the chunks that go are gone and nothing is embedded
-- twice.
UPDATE embedding_docs SET hash = 'rechunk';
