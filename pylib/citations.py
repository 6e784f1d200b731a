"""Citations: which artifact a run relied on, and how much (the economic record).

A citation references an artifact that exists (live, trashed, or purged to a tombstone), and
its weight is a finite number from 0.0 to 1.0.
"""

from __future__ import annotations

import math
from typing import Any

from pylib import activity
from pylib.clock import new_id
from pylib.db import Workspace
from pylib.errors import InvalidParams, NotFound
from pylib.models import Citation

MAX_RUN_ID = 200
MAX_REASON = 10_000
_COLS = "id, source_artifact_id, citing_run_id, weight, reason, created_at"


def _citation(row: tuple[Any, ...]) -> Citation:
    return Citation(id=row[0], source_artifact_id=row[1], citing_run_id=row[2],
                    weight=row[3], reason=row[4], created_at=row[5])


def _check(weight: Any, citing_run_id: str, reason: str | None) -> float:
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise InvalidParams("weight must be a number.")
    weight = float(weight)
    if not math.isfinite(weight) or not 0.0 <= weight <= 1.0:
        raise InvalidParams("weight must be between 0.0 and 1.0.")
    if not citing_run_id or len(citing_run_id) > MAX_RUN_ID:
        raise InvalidParams(f"citing_run_id must be 1 to {MAX_RUN_ID} characters.")
    if reason is not None and len(reason) > MAX_REASON:
        raise InvalidParams(f"reason can have at most {MAX_REASON} characters.")
    return weight


def record(
    ws: Workspace,
    source_artifact_id: str,
    citing_run_id: str,
    weight: float,
    reason: str | None = None,
) -> Citation:
    """Record that run ``citing_run_id`` cited ``source_artifact_id`` with ``weight``."""
    weight = _check(weight, citing_run_id, reason)
    with ws.transaction():
        exists = ws.conn.execute(
            "SELECT 1 FROM artifacts WHERE id = ?", (source_artifact_id,)
        ).fetchone()
        if not exists:
            raise NotFound("No such document.", id=source_artifact_id)
        now = ws.clock()
        citation_id = new_id(now)
        ws.conn.execute(
            f"INSERT INTO citations ({_COLS}) VALUES (?, ?, ?, ?, ?, ?)",
            (citation_id, source_artifact_id, citing_run_id, weight, reason, now),
        )
        activity.log(ws, "CITATION_RECORD", {
            "citation_id": citation_id, "source_artifact_id": source_artifact_id,
            "citing_run_id": citing_run_id, "weight": weight,
        })
    return _citation((citation_id, source_artifact_id, citing_run_id, weight, reason, now))


def list_by_source(ws: Workspace, source_artifact_id: str) -> list[Citation]:
    """Citations of one artifact, oldest first."""
    rows = ws.conn.execute(
        f"SELECT {_COLS} FROM citations WHERE source_artifact_id = ? ORDER BY created_at, id",
        (source_artifact_id,),
    )
    return [_citation(r) for r in rows]


def list_by_run(ws: Workspace, citing_run_id: str) -> list[Citation]:
    """Citations made by one run, oldest first."""
    rows = ws.conn.execute(
        f"SELECT {_COLS} FROM citations WHERE citing_run_id = ? ORDER BY created_at, id",
        (citing_run_id,),
    )
    return [_citation(r) for r in rows]
