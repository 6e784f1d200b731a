"""The rules every stored row satisfies, whoever wrote it.

One table of rules per column (:data:`RULES`) plus a few rules across columns of one row
(:data:`ROW_RULES`): types, required values, enums, sizes, ranges, strict bounded JSON and
path rules (:func:`pylib.paths.stored_path_problem`). Every way a row can enter a workspace
from outside — import (replace and merge), ``quire migrate``, ``quire check``, later sync —
checks rows here (:mod:`pylib.transfer.rowcheck` scans a whole file), and the engine's own
writes use the same limits (``tests/pylib/test_rows.py`` checks that every kind of row the
engine writes passes), so the two cannot drift apart.

A column a table lacks at an older schema version is simply not checked; the rules are the
latest schema's, and no column ever changed meaning between versions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable

from pylib import jsondata
from pylib.content import (
    DOCUMENT_KINDS, DOCUMENT_TEXT_LIMIT, FILE_INLINE_LIMIT, MAX_UPLOAD_BYTES, as_text,
)
from pylib.kinds import KINDS
from pylib.paths import name_of, stored_path_problem

# Timestamps, sizes and counters reach the page as JSON numbers: beyond 2**53 they lose digits.
MAX_SAFE_INT = 2**53 - 1
MAX_ID_CHARS = 200
MAX_MIME_CHARS = 255
MAX_S3_KEY_CHARS = 1024
MAX_TASK_TYPE_CHARS = 100
MAX_ACTION_TYPE_CHARS = 100
MAX_RUN_ID_CHARS = 200
MAX_REASON_CHARS = 10_000
MAX_ERROR_CHARS = 100_000
MAX_METADATA_BYTES = 64 * 1024
MAX_SYNC_VALUE_CHARS = 1024 * 1024
MAX_CARE_VALUE_BYTES = 64 * 1024
EMBEDDING_BYTES = 384
TASK_STATUSES = ("PENDING", "RUNNING", "COMPLETED", "FAILED")
TRASH_KINDS = ("artifact", "folder")
VERSION_REASONS = ("create", "update", "upload", "restore", "merge", "initial", "conflict")
VERSION_STORAGES = ("full", "zlib", "zstd", "delta")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobLength(int):
    """The length of a BLOB that was not loaded (a scanner measures content without reading)."""


@dataclass(frozen=True)
class Rule:
    """What one column may hold.

    ``kind``: ``text``, ``integer``, ``real``, ``bytes`` (a BLOB, or text stored as UTF-8),
    ``json`` (strict JSON text, see :mod:`pylib.jsondata`) or ``path`` (a stored path).
    ``limit``: most characters (text), bytes (bytes, json). For ``bytes`` a scanner may pass
    a :class:`BlobLength` instead of a BLOB it did not load.
    """

    kind: str
    required: bool = True
    limit: int | None = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    pattern: re.Pattern[str] | None = None
    plain: bool = False  # text without control characters
    json_object: bool = False
    empty: bool = False  # text may be ''

    def problem(self, value: Any) -> str | None:
        """Why ``value`` breaks this rule, or ``None`` when it is fine."""
        if value is None:
            return "a value is required" if self.required else None
        return _CHECKS[self.kind](self, value)


def _text(rule: Rule, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {_type_name(value)}"
    if rule.choices is not None:
        return None if value in rule.choices else (
            f"{value[:40]!r} is not one of {', '.join(rule.choices)}")
    if not value and not rule.empty:
        return "must not be empty"
    if rule.limit is not None and len(value) > rule.limit:
        return f"longer than {rule.limit:,} characters"
    if rule.plain and _CONTROL.search(value):
        return "contains control characters"
    if rule.pattern is not None and not rule.pattern.fullmatch(value):
        return f"{value[:40]!r} is not in the expected form"
    return None


def _integer(rule: Rule, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be an integer, not {_type_name(value)}"
    if not rule.low <= value <= rule.high:  # type: ignore[operator]
        return f"{value} is outside {rule.low:,}..{rule.high:,}"
    return None


def _real(rule: Rule, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, not {_type_name(value)}"
    if not math.isfinite(value) or not rule.low <= value <= rule.high:  # type: ignore[operator]
        return f"{value!r} is outside {rule.low}..{rule.high}"
    return None


def _bytes(rule: Rule, value: Any) -> str | None:
    if isinstance(value, str):
        size = len(value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        size = len(value)
    elif isinstance(value, BlobLength):
        size = int(value)
    else:
        return f"must be bytes or text, not {_type_name(value)}"
    if rule.limit is not None and size > rule.limit:
        return f"{size:,} bytes, more than the {rule.limit:,}-byte limit"
    return None


def _json(rule: Rule, value: Any) -> str | None:
    try:
        parsed = jsondata.parse(value, max_bytes=rule.limit or jsondata.MAX_BYTES)
    except jsondata.JSONProblem as exc:
        return str(exc)
    if rule.json_object and not isinstance(parsed, dict):
        return "must be a JSON object"
    return None


def _path(rule: Rule, value: Any) -> str | None:
    return stored_path_problem(value)


def _type_name(value: Any) -> str:
    return {str: "text", bytes: "a blob", int: "an integer", float: "a real number"}.get(
        type(value), type(value).__name__)


_CHECKS: dict[str, Callable[[Rule, Any], str | None]] = {
    "text": _text, "integer": _integer, "real": _real, "bytes": _bytes, "json": _json,
    "path": _path,
}

ID = Rule("text", limit=MAX_ID_CHARS, plain=True)
REF = ID
OPTIONAL_ID = Rule("text", required=False, limit=MAX_ID_CHARS, plain=True)
TIME = Rule("integer", low=0, high=MAX_SAFE_INT)
OPTIONAL_TIME = Rule("integer", required=False, low=0, high=MAX_SAFE_INT)
SIZE = Rule("integer", low=0, high=MAX_SAFE_INT)
HASH = Rule("text", pattern=_SHA256)
PATH = Rule("path")
NAME = Rule("text", limit=255)  # equal to the path's last segment: see ROW_RULES

RULES: dict[str, dict[str, Rule]] = {
    "artifacts": {
        "id": ID, "path": PATH, "name": NAME,
        "mime_type": Rule("text", required=False, limit=MAX_MIME_CHARS, plain=True),
        # Documents up to 16 MiB, files up to 1 MB: see _inline_content below.
        "content": Rule("bytes", required=False, limit=DOCUMENT_TEXT_LIMIT),
        # How content is kept (pylib.textstore): NULL as is, 0 zstd, n a dictionary's id.
        "content_codec": Rule("integer", required=False, low=0, high=2**32 - 1),
        "s3_key": Rule("text", required=False, limit=MAX_S3_KEY_CHARS, plain=True),
        "size_bytes": Rule("integer", required=False, low=0, high=MAX_SAFE_INT),
        "hash": Rule("text", required=False, pattern=_SHA256),
        "created_at": TIME, "updated_at": TIME,
        "metadata": Rule("json", required=False, limit=MAX_METADATA_BYTES, json_object=True),
        "deleted_at": OPTIONAL_TIME, "trash_id": OPTIONAL_ID,
        "kind": Rule("text", choices=KINDS),
    },
    "folders": {
        "id": ID, "path": PATH, "name": NAME, "created_at": TIME, "updated_at": TIME,
        "deleted_at": OPTIONAL_TIME, "trash_id": OPTIONAL_ID,
    },
    "trash": {
        "id": ID, "kind": Rule("text", choices=TRASH_KINDS), "path": PATH, "name": NAME,
        "deleted_at": TIME,
    },
    "artifact_versions": {
        "id": ID, "artifact_id": REF, "seq": Rule("integer", low=1, high=MAX_SAFE_INT),
        "size_bytes": SIZE, "hash": Rule("text", required=False, pattern=_SHA256),
        "created_at": TIME, "reason": Rule("text", choices=VERSION_REASONS),
        "restored_from": OPTIONAL_ID,
        "content": Rule("bytes", required=False, limit=DOCUMENT_TEXT_LIMIT),
        "storage": Rule("text", choices=VERSION_STORAGES), "base_id": OPTIONAL_ID,
    },
    "pending_uploads": {
        "artifact_id": REF, "data": Rule("bytes", limit=MAX_UPLOAD_BYTES), "size_bytes": SIZE,
        "hash": HASH, "created_at": TIME,
    },
    "action_log": {
        "id": ID, "timestamp": TIME,
        "action_type": Rule("text", limit=MAX_ACTION_TYPE_CHARS, plain=True),
        "payload": Rule("json"), "synced": Rule("integer", required=False, low=0, high=1),
    },
    "agent_tasks": {
        "id": ID, "status": Rule("text", choices=TASK_STATUSES),
        "task_type": Rule("text", limit=MAX_TASK_TYPE_CHARS),
        "input": Rule("json"), "output": Rule("json", required=False),
        "created_at": TIME, "started_at": OPTIONAL_TIME, "completed_at": OPTIONAL_TIME,
        "error": Rule("text", required=False, limit=MAX_ERROR_CHARS, empty=True),
    },
    "citations": {
        "id": ID, "source_artifact_id": REF,
        "citing_run_id": Rule("text", limit=MAX_RUN_ID_CHARS),
        "weight": Rule("real", low=0.0, high=1.0),
        "reason": Rule("text", required=False, limit=MAX_REASON_CHARS, empty=True),
        "created_at": TIME,
    },
    "sync_state": {
        "key": ID, "value": Rule("text", required=False, limit=MAX_SYNC_VALUE_CHARS, empty=True),
    },
    "care_settings": {"key": ID, "value": Rule("json", limit=MAX_CARE_VALUE_BYTES)},
    # Trained zstd dictionaries (pylib.textstore), by zstd's own id of each.
    "text_dicts": {
        "id": Rule("integer", low=1, high=2**32 - 1), "dict": Rule("bytes", limit=1024 * 1024),
        "samples": Rule("integer", low=0, high=MAX_SAFE_INT), "created_at": TIME,
    },
    # Chunk vectors (pylib.semantic): numbers only, keyed by a hash of model and chunk text.
    "embedding_vectors": {
        "chunk_id": HASH, "model": Rule("text", limit=100, plain=True),
        "vector": Rule("bytes", limit=EMBEDDING_BYTES), "scale": Rule("real", low=0.0, high=1.0),
    },
}

# Tables with no rules on purpose: the keyword index (pylib.search) and the link and tag
# index (pylib.links) are derived from the rows above, so no row of them ever enters from
# outside — the import never reads or copies the file's indexes and rebuilds them from the
# artifacts (pylib.transfer.copy). ``search`` is FTS5's virtual table, the next four its
# shadow tables; ``search_source`` is its view.
SEARCH_TABLES = frozenset(
    {"search_map", "search", "search_data", "search_idx", "search_docsize", "search_config"})
LINK_TABLES = frozenset({"link_names", "links", "note_tags", "tag_counts"})
# Sync's bookkeeping (pylib.sync, migration 0018) belongs to one device: its outbox, clock
# and per-field clocks (and the last texts of documents it removed, migration 0027) are
# never copied into another file (an imported file starts its own).
SYNC_TABLES = frozenset({"sync_clock", "sync_changes", "sync_meta", "sync_rows", "sync_kept"})
# What this device knows of the encrypted objects in S3 (pylib.blobs): device state, never
# taken from a file; a workspace without it uploads its large files again (create-only).
BLOB_TABLES = frozenset({"blobs", "local_files"})
# The chunks of each document (pylib.semantic): rebuilt lazily; their vectors are imported.
EMBEDDING_TABLES = frozenset({"embedding_docs", "embedding_chunks", "remote_vectors"})
DERIVED_TABLES = SEARCH_TABLES | LINK_TABLES | SYNC_TABLES | BLOB_TABLES | EMBEDDING_TABLES
DERIVED_VIEWS = frozenset({"search_source"})

# The column that names a row in messages.
ROW_ID = {table: ("artifact_id" if table == "pending_uploads" else
                  "key" if table in ("sync_state", "care_settings") else
                  "chunk_id" if table == "embedding_vectors" else "id") for table in RULES}


def _name_matches_path(row: dict[str, Any]) -> tuple[str, str] | None:
    path, name = row.get("path"), row.get("name")
    if isinstance(path, str) and "/" in path and name != name_of(path):
        return "name", f"{str(name)[:40]!r} is not the last segment of the path"
    return None


def _inline_content(row: dict[str, Any]) -> tuple[str, str] | None:
    """Inline content over the 1 MB file limit must be a document: text of a text kind
    (pylib.content.keeps_inline). A length alone (a BLOB not loaded) is checked by kind."""
    content, kind = row.get("content"), row.get("kind")
    if content is None or "kind" not in row:
        return None  # no kind before schema 7: the upgraded rows are checked again
    size = int(content) if isinstance(content, BlobLength) else len(content)
    if size <= FILE_INLINE_LIMIT:
        return None
    if kind in DOCUMENT_KINDS and (isinstance(content, BlobLength) or as_text(content)):
        return None
    return "content", (f"{size:,} bytes inline, but only documents (text of kind markdown, "
                       f"text or code) may exceed the {FILE_INLINE_LIMIT:,}-byte file limit")


def _vector_length(row: dict[str, Any]) -> tuple[str, str] | None:
    vector = row.get("vector")
    size = int(vector) if isinstance(vector, BlobLength) else len(vector) if isinstance(
        vector, (bytes, bytearray)) else EMBEDDING_BYTES
    if size != EMBEDDING_BYTES:
        return "vector", f"{size} bytes, not the {EMBEDDING_BYTES} of one int8 vector"
    return None


def _delta_has_base(row: dict[str, Any]) -> tuple[str, str] | None:
    if row.get("storage") == "delta" and row.get("base_id") is None:
        return "base_id", "a delta needs the version it is taken against"
    return None


# table -> rules over one whole row: (row) -> (column, problem) or None
ROW_RULES: dict[str, tuple[Callable[[dict[str, Any]], tuple[str, str] | None], ...]] = {
    "artifacts": (_name_matches_path, _inline_content), "folders": (_name_matches_path,),
    "trash": (_name_matches_path,), "artifact_versions": (_delta_has_base,),
    "embedding_vectors": (_vector_length,),
}


RowCheck = Callable[[tuple[Any, ...]], "tuple[str, str] | None"]


def row_checker(table: str, columns: tuple[str, ...]) -> RowCheck:
    """A function from one row's values (in ``columns`` order) to its first
    ``(column, problem)``, or ``None``. Columns without a rule (of another version) are not
    checked. Planned once per table, so a scan of many rows spends its time on the values."""
    if table in DERIVED_TABLES:
        raise ValueError(f"{table!r} is derived: it is rebuilt, never checked or copied")
    rules = RULES[table]
    plan = [(i, c, rules[c], _CHECKS[rules[c].kind]) for i, c in enumerate(columns)
            if c in rules]
    across = ROW_RULES.get(table, ())

    def check(values: tuple[Any, ...]) -> tuple[str, str] | None:
        for i, column, rule, check_value in plan:
            value = values[i]
            if value is None:
                if rule.required:
                    return column, "a value is required"
                continue
            problem = check_value(rule, value)
            if problem is not None:
                return column, problem
        if across:
            row = dict(zip(columns, values))
            for rule_of_row in across:
                found = rule_of_row(row)
                if found is not None:
                    return found
        return None

    return check


def row_problem(table: str, row: dict[str, Any]) -> tuple[str, str] | None:
    """The first ``(column, problem)`` of one row of ``table`` (columns it lacks are not
    checked), or ``None``. ``table`` must be one of :data:`RULES`."""
    return row_checker(table, tuple(row))(tuple(row.values()))
