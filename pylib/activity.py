"""The action log: what happened, when.

Every mutation calls :func:`log` inside its own transaction, so the log row commits or rolls
back together with the change. Reading is newest first with keyset paging: the cursor is the
``(timestamp, id)`` of the last item returned, so pages stay stable while new actions arrive.
"""

from __future__ import annotations

import json
from typing import Any

from pylib.clock import new_id
from pylib.db import Workspace
from pylib.errors import InvalidParams
from pylib.models import Action, ActivityPage

MAX_PAGE = 500


def log(ws: Workspace, action_type: str, payload: dict[str, Any]) -> str:
    """Append one action; must run inside ``ws.transaction()``. Returns the action id."""
    if not ws.in_transaction:
        raise RuntimeError("activity.log must be called inside a workspace transaction")
    ms = ws.clock()
    action_id = new_id(ms)
    ws.conn.execute(
        "INSERT INTO action_log (id, timestamp, action_type, payload) VALUES (?, ?, ?, ?)",
        (action_id, ms, action_type, json.dumps(payload, separators=(",", ":"))),
    )
    return action_id


def _encode_cursor(timestamp: int, action_id: str) -> str:
    return f"{timestamp}:{action_id}"


def _decode_cursor(cursor: str) -> tuple[int, str]:
    ts, sep, action_id = cursor.partition(":")
    if not sep or not ts.isdigit() or not action_id:
        raise InvalidParams("That activity cursor is not valid.")
    return int(ts), action_id


def _payload(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, (str, bytes)) else text
    except ValueError:
        return {"raw": text if isinstance(text, str) else repr(text)}


def list_actions(ws: Workspace, limit: int = 50, before: str | None = None) -> ActivityPage:
    """Actions newest first; pass the returned ``next`` as ``before`` for the next page."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidParams(f"limit must be between 1 and {MAX_PAGE}.")
    sql = "SELECT id, timestamp, action_type, payload FROM action_log"
    args: tuple[Any, ...] = ()
    if before:
        ts, action_id = _decode_cursor(before)
        sql += " WHERE (timestamp < ? OR (timestamp = ? AND id < ?))"
        args = (ts, ts, action_id)
    sql += " ORDER BY timestamp DESC, id DESC LIMIT ?"
    rows = ws.conn.execute(sql, (*args, limit + 1)).fetchall()
    items = [
        Action(id=r[0], timestamp=r[1], action_type=r[2], payload=_payload(r[3]))
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    next_cursor = _encode_cursor(items[-1].timestamp, items[-1].id) if more else None
    return ActivityPage(items=items, next=next_cursor)
