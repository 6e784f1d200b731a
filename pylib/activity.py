"""The action log: what happened, when.

Every mutation calls :func:`log` inside its own transaction, so the log row commits or rolls
back together with the change. Reading is newest first with keyset paging: the cursor is the
``(timestamp, id)`` of the last item returned, so pages stay stable while new actions arrive.
"""

from __future__ import annotations

from typing import Any

from pylib import jsondata
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
        (action_id, ms, action_type, jsondata.dump(payload)),
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
    # Every way in checks stored JSON (pylib.rows); a value that is not is shown as missing.
    return jsondata.load(text, default={})


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
