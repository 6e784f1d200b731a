"""Parameters and results of the workspace-care methods (``care.*`` in :mod:`pylib.api`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue

from pylib.care.settings import Retention
from pylib.models import _Reply, _Row
from pylib.params import Id, Params

Cursor = str


class RetentionChange(Params):
    """Fields of :class:`~pylib.care.settings.Retention` to change (others stay); for
    ``care.preview`` a policy to preview without saving it. ``null`` for ``trash_days`` /
    ``activity_days`` means never / forever."""

    versions: Literal["all", "last", "days"] | None = None
    keep_last: int | None = None
    keep_days: int | None = None
    trash_days: int | None = None
    activity_days: int | None = None


class CleanupParams(Params):
    """One step of a cleanup: pass back the returned ``cursor`` until ``done``. ``folder``
    (with ``keep_last``, else the stored policy): prune only that folder's versions."""

    cursor: str = Field("", max_length=300)
    folder: str | None = Field(None, max_length=4096)
    keep_last: int | None = Field(None, ge=1, le=100_000)


class CompactParams(Params):
    pages: int = Field(1024, ge=1, le=1_000_000)


class ConflictSeen(Params):
    artifact_id: Id


class RetentionSettings(_Row):
    retention: Retention
    description: str


class CareStatus(_Row):
    """The policy and what the upkeep last did; ``due``: what the idle scheduler should run
    (``check``, ``cleanup``, ``compact``, ``dictionary``)."""

    retention: Retention
    description: str
    last_check: dict[str, JsonValue] | None
    last_cleanup: dict[str, JsonValue] | None
    last_compact: dict[str, JsonValue] | None
    free_share: float
    due: list[str]


class CleanupPreview(_Row):
    frees_bytes: int
    versions: int
    documents: int
    version_bytes: int
    trash_items: int
    trash_bytes: int
    activity: int
    activity_bytes: int
    policy: str
    message: str


class CleanupStep(_Row):
    done: bool
    cursor: str
    progress: float
    removed: dict[str, int]
    skipped: list[dict[str, str]]


class CheckResult(_Row):
    ok: bool
    at: int
    ms: float
    problems: list[dict[str, JsonValue]]
    problem_count: int
    checks: list[str]
    recorded: bool = True


class RepairResult(_Row):
    tables: dict[str, dict[str, int]]
    versions_dropped: int
    rows_lost: int
    # This device's sync state carried over (``none``: it never synced), or begun again.
    sync: Literal["kept", "none", "restarted"]
    backup: bytes
    backup_name: str


class DictionaryResult(_Reply):
    """What training the short texts' zstd dictionary did (``trained`` false: not worth it)."""

    trained: bool
    dict_id: int | None
    samples: int
    dict_bytes: int
    repacked: int
    saved_bytes: int


class CompactStep(_Reply):
    done: bool
    before_bytes: int
    after_bytes: int
    freed_bytes: int
    free_bytes: int
    vacuumed: bool
    ms: float


class PartUsage(_Reply):
    part: str
    count: int | None
    bytes: int


class FolderUsage(_Reply):
    folder: str
    items: int
    documents: int
    files: int
    versions: int
    version_bytes: int


class StorageBreakdown(_Row):
    file_bytes: int
    free_bytes: int
    parts: list[PartUsage]
    folders: list[FolderUsage]


class Seen(_Reply):
    seen: bool
