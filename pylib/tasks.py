"""Agent tasks: a small queue in the workspace (PENDING → RUNNING → COMPLETED | FAILED).

``claim`` takes the oldest pending task and marks it running in one immediate transaction,
so two claimers can never get the same task.
"""

from __future__ import annotations

from typing import Any

from pylib import activity, jsondata
from pylib.clock import new_id
from pylib.db import Workspace
from pylib.errors import InvalidParams, InvalidState, NotFound
from pylib.models import AgentTask
from pylib.rows import MAX_ERROR_CHARS, MAX_TASK_TYPE_CHARS, TASK_STATUSES

STATUSES = TASK_STATUSES
MAX_TASK_TYPE = MAX_TASK_TYPE_CHARS
_COLS = "id, status, task_type, input, output, created_at, started_at, completed_at, error"


def _json_in(value: Any, what: str) -> str:
    try:
        return jsondata.dump(value)
    except jsondata.JSONProblem as exc:
        raise InvalidParams(f"The task {what} cannot be stored: {exc}.") from exc


def _json_out(text: Any) -> Any:
    # Every way in checks stored JSON (pylib.rows); a value that is not is shown as missing.
    return None if text is None else jsondata.load(text)


def _task(row: tuple[Any, ...]) -> AgentTask:
    return AgentTask(
        id=row[0], status=row[1], task_type=row[2], input=_json_out(row[3]),
        output=_json_out(row[4]), created_at=row[5], started_at=row[6],
        completed_at=row[7], error=row[8],
    )


def get(ws: Workspace, task_id: str) -> AgentTask:
    """One task by id; raises :class:`NotFound`."""
    row = ws.conn.execute(f"SELECT {_COLS} FROM agent_tasks WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        raise NotFound("No such task.", id=task_id)
    return _task(row)


def enqueue(ws: Workspace, task_type: str, input: Any) -> AgentTask:
    """Add a PENDING task of ``task_type`` with JSON ``input``."""
    if not task_type or len(task_type) > MAX_TASK_TYPE:
        raise InvalidParams(f"task_type must be 1 to {MAX_TASK_TYPE} characters.")
    payload = _json_in(input, "input")
    with ws.transaction():
        now = ws.clock()
        task_id = new_id(now)
        ws.conn.execute(
            "INSERT INTO agent_tasks (id, status, task_type, input, created_at)"
            " VALUES (?, 'PENDING', ?, ?, ?)",
            (task_id, task_type, payload, now),
        )
        activity.log(ws, "TASK_ENQUEUE", {"task_id": task_id, "task_type": task_type})
    return get(ws, task_id)


def claim(ws: Workspace, task_type: str | None = None) -> AgentTask | None:
    """Mark the oldest PENDING task (optionally of one type) RUNNING and return it."""
    with ws.transaction():
        sql = "SELECT id FROM agent_tasks WHERE status = 'PENDING'"
        args: tuple[Any, ...] = ()
        if task_type is not None:
            sql, args = sql + " AND task_type = ?", (task_type,)
        row = ws.conn.execute(sql + " ORDER BY created_at, id LIMIT 1", args).fetchone()
        if row is None:
            return None
        ws.conn.execute(
            "UPDATE agent_tasks SET status = 'RUNNING', started_at = ? WHERE id = ?",
            (ws.clock(), row[0]),
        )
        activity.log(ws, "TASK_CLAIM", {"task_id": row[0]})
    return get(ws, row[0])


def _finish(ws: Workspace, task_id: str, status: str, allowed: tuple[str, ...],
            output: str | None, error: str | None) -> AgentTask:
    with ws.transaction():
        current = get(ws, task_id).status
        if current not in allowed:
            raise InvalidState(f"The task is {current}; it cannot become {status}.",
                               status=current)
        ws.conn.execute(
            "UPDATE agent_tasks SET status = ?, output = ?, error = ?, completed_at = ?"
            " WHERE id = ?",
            (status, output, error, ws.clock(), task_id),
        )
        activity.log(ws, f"TASK_{status}", {"task_id": task_id})
    return get(ws, task_id)


def complete(ws: Workspace, task_id: str, output: Any = None) -> AgentTask:
    """RUNNING → COMPLETED with JSON ``output``."""
    return _finish(ws, task_id, "COMPLETED", ("RUNNING",), _json_in(output, "output"), None)


def fail(ws: Workspace, task_id: str, error: str) -> AgentTask:
    """PENDING or RUNNING → FAILED with an error message."""
    if len(str(error)) > MAX_ERROR_CHARS:
        raise InvalidParams(f"error can have at most {MAX_ERROR_CHARS:,} characters.")
    return _finish(ws, task_id, "FAILED", ("PENDING", "RUNNING"), None, str(error))


def list_tasks(ws: Workspace, status: str | None = None, limit: int = 100) -> list[AgentTask]:
    """Tasks in creation order, optionally only those with ``status``."""
    if status is not None and status not in STATUSES:
        raise InvalidParams(f"status must be one of {', '.join(STATUSES)}.")
    if not 1 <= limit <= 1000:
        raise InvalidParams("limit must be between 1 and 1000.")
    sql = f"SELECT {_COLS} FROM agent_tasks"
    args: tuple[Any, ...] = ()
    if status is not None:
        sql, args = sql + " WHERE status = ?", (status,)
    rows = ws.conn.execute(sql + " ORDER BY created_at, id LIMIT ?", (*args, limit))
    return [_task(r) for r in rows]
