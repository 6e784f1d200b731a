"""Retention settings and care records, stored in the workspace (table ``care_settings``).

Settings travel with the workspace: an export carries them, a replace-import takes the file's,
a merge keeps this workspace's. One JSON value per key:

* ``retention`` — the :class:`Retention` policy the user chose;
* ``last_check``, ``last_cleanup``, ``last_compact`` — what the upkeep last did and when
  (shown in the storage view; the page's idle scheduler reads them to decide what is due).

A stored value that is not valid (a hand-edited file) reads as the default: a setting never
stops the workspace from opening.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pylib import activity, jsondata
from pylib.db import Workspace
from pylib.errors import InvalidParams

DAY_MS = 86_400_000
# Under the "days" policy the newest version of each day is kept this many days longer.
DAILY_KEEPER_DAYS = 7

POLICY_TEXT = {
    "all": "Every version is kept.",
    "last": "Each document keeps its {keep_last} newest versions.",
    "days": "Every version from the last {keep_days} days is kept, then the last version of each "
            "day for 7 days more; older ones are removed.",
}


class Retention(BaseModel):
    """How long versions, trash and activity are kept. The current content of a document, a
    conflict version not yet looked at and anything not yet uploaded are always kept."""

    model_config = ConfigDict(extra="forbid")

    versions: Literal["all", "last", "days"] = "all"
    keep_last: int = Field(50, ge=1, le=100_000)
    keep_days: int = Field(90, ge=1, le=36_500)
    # Trash items older than this are removed for good; None: only when emptied by hand.
    trash_days: int | None = Field(30, ge=1, le=36_500)
    # Activity entries older than this are removed; None: kept forever.
    activity_days: int | None = Field(None, ge=1, le=36_500)

    def describe(self) -> str:
        """The version policy in one line, as the settings view shows it."""
        return POLICY_TEXT[self.versions].format(**self.model_dump())


def read(ws: Workspace, key: str) -> Any:
    """The stored JSON value of ``key``, or ``None``."""
    row = ws.conn.execute("SELECT value FROM care_settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else jsondata.load(row[0], default=None)


def write(ws: Workspace, key: str, value: Any) -> None:
    """Store ``value`` under ``key`` (inside the caller's transaction, or one of its own)."""
    with ws.transaction():
        ws.conn.execute(
            "INSERT INTO care_settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, jsondata.dump(value)))


def retention(ws: Workspace) -> Retention:
    """The workspace's retention policy (the default when none or a broken one is stored)."""
    stored = read(ws, "retention")
    try:
        return Retention.model_validate(stored) if isinstance(stored, dict) else Retention()
    except ValidationError:
        return Retention()


def validated(fields: dict[str, Any]) -> Retention:
    """A policy from ``fields``, or :class:`InvalidParams` saying what is out of range."""
    try:
        return Retention.model_validate(fields)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
                    for e in exc.errors(include_url=False, include_input=False)]
        raise InvalidParams("; ".join(problems), problems=problems) from None


def set_retention(ws: Workspace, changes: dict[str, Any]) -> Retention:
    """Change some fields of the policy; out-of-range values are refused with a clear
    message and nothing is stored."""
    policy = validated({**retention(ws).model_dump(), **changes})
    with ws.transaction():
        write(ws, "retention", policy.model_dump())
        activity.log(ws, "RETENTION_SET", policy.model_dump())
    return policy
