"""Retention: every policy, the preview, cleanup steps, and the rules that never remove."""

import pytest

from pylib import activity, artifacts, db, platform, trash, versions
from pylib.care import retention, settings
from pylib.care.settings import DAY_MS
from pylib.errors import InvalidParams


class Clock:
    def __init__(self, start=1_700_000_000_000):
        self.now = start

    def __call__(self):
        return self.now


def _ws(tmp_path, clock=None):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF",
                             clock=clock or Clock())


def _history(ws, clock, path="/a.md", saves=10, step=DAY_MS // 4):
    doc = artifacts.create(ws, path, "v0 " + "line of a note\n" * 40)
    for i in range(1, saves):
        clock.now += step
        artifacts.update(ws, doc.id, f"v{i} " + "line of a note\n" * 40 + f"edit {i}\n" * i)
    return doc


def _texts(ws, doc_id):
    return [versions.get(ws, v["id"]).text for v in versions.list_versions(ws, doc_id, 500)]


def _run(ws):
    cursor, steps = "", 0
    while True:
        step = retention.cleanup_step(ws, cursor)
        steps += 1
        if step["done"]:
            return steps
        cursor = step["cursor"]


def test_default_keeps_everything(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    doc = _history(ws, clock)
    assert settings.retention(ws).versions == "all"
    assert retention.preview(ws)["versions"] == 0
    _run(ws)
    assert versions.count(ws, doc.id) == 10


def test_last_n_keeps_the_newest_and_rebuilds_exactly(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    doc = _history(ws, clock, saves=12)
    before = _texts(ws, doc.id)
    settings.set_retention(ws, {"versions": "last", "keep_last": 4})
    pre = retention.preview(ws)
    assert (pre["versions"], pre["documents"]) == (8, 1)
    assert pre["message"].startswith("This frees ") and "8 versions of 1 document," in pre["message"]
    _run(ws)
    assert _texts(ws, doc.id) == before[:4]
    assert artifacts.get(ws, doc.id).text == before[0]


def test_days_policy_keeps_recent_and_daily_keepers(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    # 4 saves a day for 20 days
    doc = _history(ws, clock, saves=80, step=DAY_MS // 4)
    listed = versions.list_versions(ws, doc.id, 500)
    before = {v["id"]: versions.get(ws, v["id"]).text for v in listed}
    before_times = [v["created_at"] for v in listed]
    settings.set_retention(ws, {"versions": "days", "keep_days": 5})
    _run(ws)
    kept = versions.list_versions(ws, doc.id, 500)
    now = clock.now
    for v in kept:
        assert versions.get(ws, v["id"]).text == before[v["id"]]  # every kept one rebuilds
        age = now - v["created_at"]
        assert age < (5 + 7) * DAY_MS + DAY_MS
    recent = [v for v in kept if now - v["created_at"] < 5 * DAY_MS]
    assert len(recent) == len([t for t in before_times if now - t < 5 * DAY_MS]) >= 19
    older_days = {v["created_at"] // DAY_MS for v in kept if now - v["created_at"] >= 5 * DAY_MS}
    older = [v for v in kept if now - v["created_at"] >= 5 * DAY_MS]
    assert len(older) == len(older_days)  # one per day
    assert 6 <= len(older_days) <= 8


def test_unseen_conflict_version_is_kept_until_seen(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    doc = _history(ws, clock, saves=6)
    old = versions.list_versions(ws, doc.id, 500)[-2]
    with ws.transaction():
        activity.log(ws, "IMPORT_CONFLICT", {"artifact_id": doc.id, "path": "/a.md",
                                             "kept_hash": artifacts.get(ws, doc.id).hash, "other_hash": old["hash"],
                                             "winner": "workspace"})
    settings.set_retention(ws, {"versions": "last", "keep_last": 1})
    _run(ws)
    ids = [v["id"] for v in versions.list_versions(ws, doc.id, 500)]
    assert old["id"] in ids and len(ids) == 2
    clock.now += 1
    with ws.transaction():
        activity.log(ws, "CONFLICT_SEEN", {"artifact_id": doc.id})
    _run(ws)
    assert [v["id"] for v in versions.list_versions(ws, doc.id, 500)] == ids[:1]


def test_trash_older_than_n_days_goes_but_pending_upload_stays(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    old = artifacts.create(ws, "/old.md", "old")
    big = artifacts.upload(ws, "/big.bin", b"\x01" * (1024 * 1024 + 10))
    trash.trash_artifact(ws, old.id)
    trash.trash_artifact(ws, big.id)
    clock.now += 10 * DAY_MS
    new = artifacts.create(ws, "/new.md", "new")
    trash.trash_artifact(ws, new.id)
    clock.now += 25 * DAY_MS
    assert retention.preview(ws)["trash_items"] == 1  # default: 30 days
    _run(ws)
    left = {t.name for t in trash.list_items(ws)}
    assert left == {"big.bin", "new.md"}


@pytest.mark.skipif(platform.IN_BROWSER, reason="a device store in a directory: CPython")
def test_trash_holding_a_file_queued_in_the_device_store_stays_until_uploaded(tmp_path):
    import hashlib
    import sys
    from pathlib import Path

    from pylib.blobs import ledger
    from pylib.blobs.ledger import BlobRef
    from pylib.blobs.queue import stage
    from pylib.platform.cpython_files import DirectoryFiles

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from aio import run

    data = b"\x03" * (1024 * 1024 + 10)
    ref = BlobRef("a" * 64, hashlib.sha256(data).hexdigest(), len(data))  # a name as the key would give

    async def scenario():  # one thread for the workspace: the coroutine's
        clock = Clock()
        ws = _ws(tmp_path, clock)
        made = []
        await stage(ws, None, DirectoryFiles(tmp_path / "device"), data,
                    lambda r: made.append(artifacts.upload(ws, "/queued.bin", data, kept=r.key)), ref)
        trash.trash_artifact(ws, made[0].id)
        clock.now += 40 * DAY_MS
        _run(ws)
        waiting = [t.name for t in trash.list_items(ws)]
        with ws.transaction():
            ledger.mark_uploaded(ws, ref.name)
        _run(ws)
        return waiting, trash.list_items(ws)

    waiting, uploaded = run(scenario())
    assert waiting == ["queued.bin"]  # not in S3 yet: kept
    assert uploaded == []


def test_activity_days_and_forever(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    artifacts.create(ws, "/a.md", "a")
    clock.now += 40 * DAY_MS
    artifacts.create(ws, "/b.md", "b")
    total = activity.list_actions(ws, 500).items
    _run(ws)
    assert len(activity.list_actions(ws, 500).items) == len(total)  # forever by default
    settings.set_retention(ws, {"activity_days": 10})
    assert retention.preview(ws)["activity"] == 1
    _run(ws)
    types = [a.action_type for a in activity.list_actions(ws, 500).items]
    assert "ARTIFACT_CREATE" in types and len([t for t in types if t == "ARTIFACT_CREATE"]) == 1


@pytest.mark.parametrize("change", [{"keep_last": 0}, {"keep_days": -1}, {"versions": "some"},
                                    {"trash_days": 0}, {"nonsense": 1}])
def test_settings_out_of_range_are_refused_and_nothing_changes(tmp_path, change):
    ws = _ws(tmp_path)
    settings.set_retention(ws, {"versions": "last", "keep_last": 7})
    with pytest.raises(InvalidParams) as err:
        settings.set_retention(ws, change)
    assert err.value.message
    assert settings.retention(ws).keep_last == 7


def test_a_damaged_version_leaves_that_document_untouched(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    bad = _history(ws, clock, "/bad.md", saves=8)
    good = _history(ws, clock, "/good.md", saves=8)
    rows = ws.conn.execute("SELECT id FROM artifact_versions WHERE artifact_id = ? AND storage"
                           " = 'delta' ORDER BY seq", (bad.id,)).fetchall()
    ws.conn.execute("UPDATE artifact_versions SET content = X'00' WHERE id = ?", (rows[0][0],))
    settings.set_retention(ws, {"versions": "days", "keep_days": 1})
    before_bad = versions.count(ws, bad.id)
    cursor, skipped = "", []
    while True:
        step = retention.cleanup_step(ws, cursor)
        skipped += step["skipped"]
        if step["done"]:
            break
        cursor = step["cursor"]
    assert versions.count(ws, good.id) < 8
    assert [s["artifact_id"] for s in skipped] == [bad.id]
    assert versions.count(ws, bad.id) == before_bad


def test_steps_resume_by_cursor(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    docs = [_history(ws, clock, f"/d{i}.md", saves=4) for i in range(5)]
    settings.set_retention(ws, {"versions": "last", "keep_last": 2})
    cursor, progress = "", []
    while True:
        step = retention.cleanup_step(ws, cursor, docs=2)
        progress.append(step["progress"])
        if step["done"]:
            break
        cursor = step["cursor"]
    assert progress == sorted(progress) and progress[-1] == 1.0 and len(progress) >= 3
    assert all(versions.count(ws, d.id) == 2 for d in docs)
    assert settings.read(ws, "last_cleanup")["at"] == clock.now


def test_settings_travel_in_the_export_replace_takes_them_merge_keeps_ours(tmp_path):
    from pylib.transfer import export_workspace, import_workspace

    ws = _ws(tmp_path)
    settings.set_retention(ws, {"versions": "days", "keep_days": 14, "activity_days": 60})
    data = export_workspace(ws)
    other = db.open_workspace(str(tmp_path / "other.sqlite"), synchronous="OFF")
    settings.set_retention(other, {"versions": "last", "keep_last": 3})
    import_workspace(other, data, "merge")
    assert settings.retention(other).keep_last == 3 and settings.retention(other).versions == "last"
    import_workspace(other, data, "replace")
    got = settings.retention(other)
    assert (got.versions, got.keep_days, got.activity_days) == ("days", 14, 60)


def test_one_activity_entry_per_run_with_what_it_freed(tmp_path):
    clock = Clock()
    ws = _ws(tmp_path, clock)
    docs = [_history(ws, clock, f"/d{i}.md", saves=4) for i in range(5)]
    gone = artifacts.create(ws, "/gone.md", "old note " * 200)
    trash.trash_artifact(ws, gone.id)
    clock.now += 40 * DAY_MS
    settings.set_retention(ws, {"versions": "last", "keep_last": 2})
    expected = retention.preview(ws)
    cursor, steps = "", 0
    while True:
        step = retention.cleanup_step(ws, cursor, docs=2)
        steps += 1
        if step["done"]:
            break
        cursor = step["cursor"]
    assert steps >= 3 and all(versions.count(ws, d.id) == 2 for d in docs)
    entries = [a for a in activity.list_actions(ws, 500).items
               if a.action_type == "RETENTION_CLEANUP"]
    assert len(entries) == 1
    payload = entries[0].payload
    assert (payload["versions"], payload["trash_items"]) == (expected["versions"], 1)
    assert 0 < payload["freed_bytes"] <= expected["frees_bytes"] + 64
    assert entries[0].sentence.startswith(f"Cleaned up: {expected['versions']} old versions,"
                                          " 1 trash item, ")
    assert entries[0].sentence.endswith(" freed")
    # A second run that removes nothing writes nothing.
    _run(ws)
    assert len([a for a in activity.list_actions(ws, 500).items
                if a.action_type == "RETENTION_CLEANUP"]) == 1
