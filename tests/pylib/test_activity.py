"""Activity: newest first, keyset-paged, stable while new actions arrive."""

import pytest

from pylib import activity, artifacts, db
from pylib.errors import InvalidParams


def _ws(tmp_path, clock=None):
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    if clock:
        ws.clock = clock
    return ws


def test_pages_cover_everything_once_in_order(tmp_path):
    ws = _ws(tmp_path, clock=lambda: 1000)  # every action in the same millisecond
    for i in range(23):
        artifacts.create(ws, f"/d{i:02}.md", str(i))
    seen, cursor = [], None
    while True:
        page = activity.list_actions(ws, limit=5, before=cursor)
        seen.extend(page.items)
        if page.next is None:
            break
        cursor = page.next
    assert len(seen) == 23 and len({a.id for a in seen}) == 23
    paths = [a.payload["path"] for a in seen]
    assert paths == [f"/d{i:02}.md" for i in reversed(range(23))]
    keys = [(a.timestamp, a.id) for a in seen]
    assert keys == sorted(keys, reverse=True)


def test_new_actions_do_not_shift_later_pages(tmp_path):
    ws = _ws(tmp_path)
    for i in range(6):
        artifacts.create(ws, f"/d{i}.md", "x")
    first = activity.list_actions(ws, limit=3)
    artifacts.create(ws, "/late.md", "x")
    second = activity.list_actions(ws, limit=3, before=first.next)
    assert [a.payload["path"] for a in second.items] == ["/d2.md", "/d1.md", "/d0.md"]


@pytest.mark.parametrize("cursor", ["garbage", "12", ":abc", "x:y"])
def test_bad_cursor_is_invalid_params(tmp_path, cursor):
    ws = _ws(tmp_path)
    with pytest.raises(InvalidParams):
        activity.list_actions(ws, before=cursor)


def test_log_outside_a_transaction_is_a_programming_error(tmp_path):
    ws = _ws(tmp_path)
    with pytest.raises(RuntimeError):
        activity.log(ws, "X", {})


def test_activity_uses_the_keyset_index(tmp_path):
    ws = _ws(tmp_path)
    plan = ws.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM action_log WHERE (timestamp < 5 OR (timestamp = 5"
        " AND id < 'x')) ORDER BY timestamp DESC, id DESC LIMIT 51").fetchall()
    detail = " ".join(r[-1] for r in plan)
    assert "idx_action_log_ts_id" in detail and "TEMP B-TREE" not in detail
