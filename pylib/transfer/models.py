"""What validation and import report back to the caller (pydantic, JSON-compatible)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ImportMode = Literal["replace", "merge"]


class ImportSummary(BaseModel):
    """A validated file: its schema version, row counts per table and size."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = Field(description="PRAGMA user_version of the file")
    latest_version: int = Field(description="the schema version this Quire writes")
    migrated: bool = Field(description="true when the file is older and will be upgraded")
    size_bytes: int
    page_size: int
    tables: dict[str, int] = Field(description="row count of every table in the file")


class MergeConflict(BaseModel):
    """An artifact both sides changed: both contents were kept, one of them is current."""

    model_config = ConfigDict(extra="forbid")

    artifact_id: str
    path: str
    kept_hash: str | None = Field(description="hash of the content that is now current")
    other_hash: str | None = Field(description="hash of the content recorded as a version")
    winner: Literal["workspace", "file"]


class MergeCounts(BaseModel):
    """Rows a merge added or changed, per kind."""

    model_config = ConfigDict(extra="forbid")

    artifacts_added: int = 0
    artifacts_updated: int = 0
    artifacts_renamed: int = 0
    versions_added: int = 0
    folders_added: int = 0
    rows_added: dict[str, int] = Field(default_factory=dict)


class ImportResult(BaseModel):
    """The outcome of :func:`pylib.transfer.import_workspace`.

    ``backup`` (replace mode only) is an export of the workspace as it was just before the
    import; the UI offers it as a download named ``backup_name``.
    """

    model_config = ConfigDict(extra="forbid")

    mode: ImportMode
    summary: ImportSummary
    backup: bytes | None = None
    backup_name: str | None = None
    merged: MergeCounts | None = None
    conflicts: list[MergeConflict] = Field(default_factory=list)
