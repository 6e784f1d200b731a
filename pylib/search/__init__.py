"""Search over the workspace: today keyword search with SQLite FTS5.

- :mod:`pylib.search.query`: the search box's syntax → a safe FTS5 expression.
- :mod:`pylib.search.indexer`: keeping the index current inside each write's transaction.
- :mod:`pylib.search.keyword`: ranked, per-document hits with escaped, highlighted snippets.
"""

from pylib.search.indexer import (
    DERIVED_TABLES, DERIVED_VIEWS, check, index, rebuild, reindexing, unindex,
)
from pylib.search.keyword import search

__all__ = ["DERIVED_TABLES", "DERIVED_VIEWS", "check", "index", "rebuild", "reindexing",
           "search", "unindex"]
