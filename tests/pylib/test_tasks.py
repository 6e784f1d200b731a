"""Agent tasks: enqueue, claim oldest pending, complete, fail, list by status."""

import pytest

from pylib import activity, db, tasks
from pylib.errors import InvalidParams, InvalidState, NotFound


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def test_lifecycle(tmp_path):
    ws = _ws(tmp_path)
    first = tasks.enqueue(ws, "summarize", {"artifact_id": "a1", "n": [1, 2]})
    second = tasks.enqueue(ws, "embed", {"artifact_id": "a2"})
    assert first.status == "PENDING" and first.input == {"artifact_id": "a1", "n": [1, 2]}
    claimed = tasks.claim(ws)
    assert claimed.id == first.id and claimed.status == "RUNNING" and claimed.started_at
    done = tasks.complete(ws, first.id, {"summary": "short"})
    assert done.status == "COMPLETED" and done.output == {"summary": "short"}
    assert done.completed_at >= done.started_at
    assert tasks.claim(ws).id == second.id
    failed = tasks.fail(ws, second.id, "model unavailable")
    assert failed.status == "FAILED" and failed.error == "model unavailable"
    assert tasks.claim(ws) is None
    types = [a.action_type for a in activity.list_actions(ws).items]
    assert types == ["TASK_FAILED", "TASK_CLAIM", "TASK_COMPLETED", "TASK_CLAIM",
                     "TASK_ENQUEUE", "TASK_ENQUEUE"]


def test_claim_by_type_and_in_creation_order(tmp_path):
    ws = _ws(tmp_path)
    ids = [tasks.enqueue(ws, "a" if i % 2 else "b", {"i": i}).id for i in range(6)]
    assert tasks.claim(ws, "a").id == ids[1]
    assert tasks.claim(ws, "a").id == ids[3]
    assert tasks.claim(ws).id == ids[0]
    assert tasks.claim(ws, "nope") is None


def test_list_by_status(tmp_path):
    ws = _ws(tmp_path)
    for i in range(4):
        tasks.enqueue(ws, "t", {"i": i})
    tasks.claim(ws)
    assert [t.input["i"] for t in tasks.list_tasks(ws, "PENDING")] == [1, 2, 3]
    assert [t.input["i"] for t in tasks.list_tasks(ws, "RUNNING")] == [0]
    assert len(tasks.list_tasks(ws)) == 4 and len(tasks.list_tasks(ws, limit=2)) == 2
    with pytest.raises(InvalidParams):
        tasks.list_tasks(ws, "DONE")


def test_invalid_transitions_and_inputs(tmp_path):
    ws = _ws(tmp_path)
    task = tasks.enqueue(ws, "t", None)
    with pytest.raises(InvalidState):
        tasks.complete(ws, task.id, {})
    tasks.fail(ws, task.id, "cancelled")
    with pytest.raises(InvalidState) as info:
        tasks.fail(ws, task.id, "again")
    assert info.value.code == "invalid_state"
    with pytest.raises(NotFound):
        tasks.complete(ws, "missing")
    with pytest.raises(InvalidParams):
        tasks.enqueue(ws, "", {})
    with pytest.raises(InvalidParams):
        tasks.enqueue(ws, "t", {"x": float("nan")})
    with pytest.raises(InvalidParams):
        tasks.enqueue(ws, "t", {"x": object()})
    assert len(tasks.list_tasks(ws)) == 1


def test_two_connections_never_claim_the_same_task(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    one = db.open_workspace(path, synchronous="OFF")
    two = db.open_workspace(path, synchronous="OFF")
    ids = {tasks.enqueue(one, "t", {"i": i}).id for i in range(4)}
    claimed = [tasks.claim(ws) for ws in (one, two, two, one, two)]
    got = [t.id for t in claimed if t is not None]
    assert len(got) == 4 and set(got) == ids and claimed[-1] is None
    one.close()
    two.close()
