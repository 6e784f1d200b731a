"""The action log: what happened, when.

Every mutation calls :func:`log` inside its own transaction, so the log row commits or rolls
back together with the change. Reading is newest first with keyset paging: the cursor is the
``(timestamp, id)`` of the last item returned, so pages stay stable while new actions arrive.
"""

from __future__ import annotations

from typing import Any

from pylib import activity_text, jsondata
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


def _page(ws: Workspace, before: str | None, artifact_id: str | None,
          size: int) -> list[tuple[Any, ...]]:
    sql = "SELECT id, timestamp, action_type, payload FROM action_log WHERE 1"
    args: list[Any] = []
    if before:
        ts, action_id = _decode_cursor(before)
        sql += " AND (timestamp < ? OR (timestamp = ? AND id < ?))"
        args += [ts, ts, action_id]
    if artifact_id is not None:
        # About the document itself, or a link update that followed its rename or move.
        sql += (" AND json_valid(payload) AND (json_extract(payload, '$.artifact_id') = ?"
                " OR (action_type = 'LINKS_UPDATE' AND EXISTS (SELECT 1 FROM"
                " json_each(payload, '$.moved') WHERE value = ?)))")
        args += [artifact_id, artifact_id]
    sql += " ORDER BY timestamp DESC, id DESC LIMIT ?"
    return ws.conn.execute(sql, (*args, size)).fetchall()


def list_actions(ws: Workspace, limit: int = 50, before: str | None = None,
                 artifact_id: str | None = None) -> ActivityPage:
    """Actions newest first, each with a sentence for people
    (:func:`pylib.activity_text.describe`); entries that changed nothing are left out. With
    ``artifact_id``: only what happened to that document. Pass the returned ``next`` as
    ``before`` for the next page."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidParams(f"limit must be between 1 and {MAX_PAGE}.")
    items: list[Action] = []
    cursor = before
    while len(items) <= limit:
        rows = _page(ws, cursor, artifact_id, limit + 1)
        for action_id, ts, action_type, text in rows:
            cursor = _encode_cursor(ts, action_id)
            payload = _payload(text)
            if activity_text.is_noop(action_type, payload):
                continue
            items.append(Action(id=action_id, timestamp=ts, action_type=action_type,
                                payload=payload, **activity_text.describe(action_type, payload)))
        if len(rows) <= limit:
            break
    more = len(items) > limit
    items = items[:limit]
    next_cursor = _encode_cursor(items[-1].timestamp, items[-1].id) if more else None
    return ActivityPage(items=items, next=next_cursor)
