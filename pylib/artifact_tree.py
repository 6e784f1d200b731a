"""The workspace tree as one JSON text built by SQLite: the listing the page reads most.

Split out of :mod:`pylib.artifacts` (which re-exports :func:`tree_json` and :func:`list_tree`).
"""

from __future__ import annotations

from typing import Any

from pylib.db import Workspace
from pylib.jsontext import JSONText

# The parent folder, exactly as ``path[:path.rfind("/")] or "/"``, from the columns of the
# listing subquery below (``cut`` is where the name starts). Fast path: ``name`` is the last
# segment, as the engine always writes it. Rows from old files may disagree; for them the
# slow path finds the last "/" (rtrim strips every character of the path but "/").
_FOLDER = """CASE
  WHEN substr(path, cut) = '/' || name AND instr(name, '/') = 0
    THEN iif(cut > 1, substr(path, 1, cut - 1), '/')
  ELSE coalesce(nullif(CASE
    WHEN instr(path, '/') = 0 THEN substr(path, 1, length(path) - 1)
    ELSE substr(rtrim(path, replace(path, '/', '')), 1,
                length(rtrim(path, replace(path, '/', ''))) - 1)
  END, ''), '/')
END"""

# ``{folders, artifacts}`` as one JSON text. An ORDER BY subquery under an aggregate is not
# flattened or dropped, so json_group_array sees rows in path order (tests/pylib checks the
# order, and that the plan has no sort). Values computed in the subquery are computed once.
def kept_locally(table: str = "") -> str:
    """SQL that is true when the artifact row's bytes are kept on this device under a local
    name (``local_files``, :mod:`pylib.blobs.local`); ``table``: the alias of ``artifacts``.
    The ``IN`` set is built once per statement, not per row (the tree reads every row)."""
    col = f"{table}." if table else ""
    return f"({col}hash, {col}size_bytes) IN (SELECT sha256, size_bytes FROM local_files)"


def waiting_here(table: str = "") -> str:
    """SQL that is true when the artifact row's current bytes wait to upload inside the SQLite
    file (``pending_uploads`` with the row's hash and size: bytes a pull has made a version of
    are that version's, not the file's). Built once per statement, like :func:`kept_locally`."""
    col = f"{table}." if table else ""
    return f"({col}id, {col}hash, {col}size_bytes) IN (SELECT artifact_id, hash, size_bytes FROM pending_uploads)"


_TREE_JSON = f"""SELECT '{{"folders":' || (
  SELECT json_group_array(path) FROM (
    SELECT path FROM folders WHERE deleted_at IS NULL ORDER BY path)
) || ',"artifacts":' || (
  SELECT json_group_array(json_object(
    'id', id, 'path', path, 'name', name, 'folder', {_FOLDER}, 'mime_type', mime_type,
    'kind', kind, 'size_bytes', coalesce(size_bytes, 0), 'hash', hash,
    'created_at', created_at, 'updated_at', updated_at,
    'pending_upload', CASE WHEN pending THEN json('true') ELSE json('false') END))
  FROM (SELECT id, path, name, mime_type, kind, size_bytes, hash, created_at, updated_at,
               length(path) - length(name) AS cut,
               ({waiting_here()} OR {kept_locally()}) AS pending
        FROM artifacts INDEXED BY idx_artifacts_listing
        WHERE deleted_at IS NULL ORDER BY path)
) || '}}'"""


def tree_json(ws: Workspace) -> JSONText:
    """``{folders: [path...], artifacts: [ArtifactSummary...]}`` of live items, sorted by
    path, as JSON text built by SQLite (the hottest read of the engine: no Python objects
    per row, and no content is read)."""
    return JSONText(ws.conn.execute(_TREE_JSON).fetchone()[0])


def list_tree(ws: Workspace) -> dict[str, Any]:
    """:func:`tree_json` as Python data."""
    return tree_json(ws).parse()
