"""Links between notes and tags, indexed by the engine.

- :mod:`.markup`: which parts of a note are prose (code spans and fenced code are not) and
  the front matter;
- :mod:`.parse`: ``[[Note]]``, ``[[Note|label]]``, ``[[Note#Heading]]``, ``![[embed]]``,
  relative Markdown links and tags (``#tag``, ``#area/sub``, front-matter ``tags:``);
- :mod:`.index`: the derived tables of migrations 0013 and 0022, kept current in the transaction of
  every write, and their rebuild (after an import or a migration);
- :mod:`.sentences`: the sentence around a link, stored with it;
- :mod:`.queries`: backlinks (with the sentence around each link), unlinked mentions,
  outgoing links and ``[[`` completion;
- :mod:`.rewrite`: renaming or moving notes rewrites the links that point to them.

This package's ``__init__`` imports nothing: write paths import :mod:`.index` alone.
"""
