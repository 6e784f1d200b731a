"""Export, validate and import whole workspaces.

Public API (what :mod:`pylib.api` wires as ``transfer.*``):

* :func:`export_workspace` (workspace or connection) → ``bytes`` of a standalone, consistent,
  rollback-journal ``.sqlite`` file; :func:`export_filename` → ``workspace-YYYY-MM-DD.sqlite``.
* :func:`validate_import` (data, max_bytes=1 GiB) → :class:`ImportSummary`, or raises
  :class:`~pylib.errors.InvalidImport` / :class:`~pylib.errors.SchemaTooNew`.
* :func:`import_workspace` (workspace or connection, data, mode "replace" | "merge")
  → :class:`ImportResult`.

Modules: ``header`` (raw byte checks), ``schema`` (our schema per version, compared with the
file's), ``validate`` (private read-only opening), ``rowcheck`` (every row against
:mod:`pylib.rows`, the folder tree), ``copy`` (rebuild rows in a database we created),
``export``, ``importer`` (replace), ``merge`` and ``merge_artifacts``.
"""

from pylib.transfer.export import export_filename, export_workspace
from pylib.transfer.importer import describe, import_workspace, validate_import
from pylib.transfer.models import ImportResult, ImportSummary, MergeConflict, MergeCounts
from pylib.transfer.validate import DEFAULT_MAX_BYTES

__all__ = [
    "DEFAULT_MAX_BYTES", "ImportResult", "ImportSummary", "MergeConflict", "MergeCounts",
    "describe", "export_filename", "export_workspace", "import_workspace", "validate_import",
]
