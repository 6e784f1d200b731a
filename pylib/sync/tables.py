"""What is synced: the tables, and the groups of columns merged as one field.

A *group* is the unit of last-writer-wins. Columns that must agree with each other travel
together: an artifact's path with its name, type and kind (the name is the path's last
segment), its content with size and hash, its trash mark with the trash unit. Tables written
once (versions, the action log, trash units) are inserted or deleted, never updated.
Derived tables (search, links, vectors) are never synced: they are rebuilt from these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    groups: dict[str, tuple[str, ...]]
    write_once: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for cols in self.groups.values() for c in cols)

    def group_of(self, column: str) -> str | None:
        for group, cols in self.groups.items():
            if column in cols:
                return group
        return None


def _single(*columns: str) -> dict[str, tuple[str, ...]]:
    return {c: (c,) for c in columns}


# In the order rows must be applied (a row before the rows that refer to it).
TABLES: dict[str, Table] = {t.name: t for t in (
    Table("folders", {"path": ("path", "name"), "trash": ("deleted_at", "trash_id"),
                      **_single("created_at", "updated_at")}),
    Table("trash", _single("kind", "path", "name", "deleted_at"), write_once=True),
    Table("artifacts", {
        "path": ("path", "name", "mime_type", "kind"),
        "content": ("content", "size_bytes", "hash"),
        "trash": ("deleted_at", "trash_id"),
        **_single("metadata", "s3_key", "created_at", "updated_at")}),
    Table("artifact_versions", _single("artifact_id", "size_bytes", "hash", "created_at",
                                       "reason", "restored_from", "content"), write_once=True),
    Table("citations", _single("source_artifact_id", "citing_run_id", "weight", "reason",
                               "created_at")),
    Table("agent_tasks", _single("status", "task_type", "input", "output", "created_at",
                                 "started_at", "completed_at", "error")),
    Table("action_log", _single("timestamp", "action_type", "payload"), write_once=True),
)}
ORDER = {name: i for i, name in enumerate(TABLES)}
