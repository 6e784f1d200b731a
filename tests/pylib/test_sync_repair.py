"""A repair keeps this device's sync: what another device changed meanwhile still wins where it
is newer, what this device had not sent yet is still sent, and what the damage took comes back
from the other devices instead of being removed from them."""

from __future__ import annotations

import os

import pytest

from pylib import artifacts, platform, versions
from pylib.care import repair
from pylib.sync.clock import device_id
from pylib.sync.store import MemoryStore
from pylib.sync.tables import TABLES

from sync_devices import check_invariants, drive, make_devices, memory_device, settle, synced_state
from test_care_integrity import _damage_pages

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


def _settle(devices):
    drive(settle(devices))  # sync_devices.settle, driven without an event loop


def _pair():
    """Two devices in memory sharing one store and key."""
    store, key = MemoryStore(), os.urandom(32)
    return store, key, memory_device(store, key), memory_device(store, key)


def _text(device, doc_id):
    return artifacts.get(device.ws, doc_id).text


def test_what_another_device_changed_meanwhile_still_wins_after_a_repair():
    store, key, a, b = _pair()
    x = artifacts.create(a.ws, "/x.md", "one\ntwo\nthree\n")
    y = artifacts.create(a.ws, "/y.md", "alpha\nbeta\ngamma\n")
    _settle([a, b])
    # b renames x and edits y, and sends both; a has not pulled them yet.
    artifacts.rename(b.ws, x.id, "x renamed.md")
    artifacts.update(b.ws, y.id, "alpha\nbeta\ngamma\nfrom b\n")
    drive(b.engine.sync())
    # a edits x (not sent yet), then repairs its workspace.
    artifacts.update(a.ws, x.id, "ONE\ntwo\nthree\n")
    device = device_id(a.ws.conn)
    report = repair.repair(a.ws)
    assert report["rows_lost"] == 0 and report["sync"] == "kept"
    assert device_id(a.ws.conn) == device  # the same device: its clocks and segments stay its own
    assert a.engine.waiting() > 0  # a's edit still waits to be sent
    _settle([a, b])
    for d in (a, b):
        got = artifacts.get(d.ws, x.id)
        assert got.path == "/x renamed.md"  # b's rename is newer than anything a did to x's name
        assert got.text == "ONE\ntwo\nthree\n"  # a's edit, made before the repair, is sent
        assert _text(d, y.id) == "alpha\nbeta\ngamma\nfrom b\n"
        check_invariants(d.ws)
    assert synced_state(a.ws) == synced_state(b.ws)
    # Nothing a repair does is a change a person made: no conflict copy, no new version of x.
    assert [v["reason"] for v in versions.list_versions(b.ws, x.id)].count("conflict") == 0
    a.close()
    b.close()


def test_rows_the_damage_took_come_back_from_the_other_devices(tmp_path):
    store = MemoryStore()
    a, b = make_devices(tmp_path, store, 2)

    def note(i):
        return artifacts.create(a.ws, f"/notes/n{i:03}.md", f"note {i}\n" + "words " * 40 + "\n")

    docs = [note(i) for i in range(40)]
    plan = artifacts.create(a.ws, "/plan.md", "start\n" + "a line of the plan\n" * 30)
    docs += [note(i) for i in range(40, 80)]  # the plan's row is on a page in the middle
    for i in range(6):
        artifacts.update(a.ws, plan.id, f"save {i}\n" + "a line of the plan\n" * 30 + "more\n" * i)
    _settle([a, b])
    history = [v["id"] for v in versions.list_versions(a.ws, plan.id)]
    # A version's stored changes damaged: it and those stored behind it cannot be rebuilt.
    oldest_delta = a.ws.conn.execute(
        "SELECT id FROM artifact_versions WHERE artifact_id = ? AND storage = 'delta'"
        " ORDER BY seq DESC LIMIT 1", (plan.id,)).fetchone()[0]
    a.ws.conn.execute("UPDATE artifact_versions SET content = X'0102030405' WHERE id = ?",
                      (oldest_delta,))
    a.ws.close()
    _damage_pages(a.path, "artifacts")  # and two pages of documents unreadable
    a.reopen()
    report = repair.repair(a.ws)
    assert report["tables"]["artifacts"]["unreadable"] > 0 and report["versions_dropped"] > 0
    assert report["sync"] == "kept"
    left = {r[0] for r in a.ws.conn.execute("SELECT id FROM artifacts")}
    assert len(left) < 81
    _settle([a, b])
    # b removed nothing; a has every document and version again, each as it was.
    for d in (a, b):
        assert {r[0] for r in d.ws.conn.execute(
            "SELECT id FROM artifacts WHERE deleted_at IS NULL")} == {doc.id for doc in docs} | {plan.id}
        for i, doc in enumerate(docs):
            assert _text(d, doc.id) == f"note {i}\n" + "words " * 40 + "\n"
        assert sorted(v["id"] for v in versions.list_versions(d.ws, plan.id)) == sorted(history)
        for v in history:
            versions.get(d.ws, v)  # rebuilds exactly
        check_invariants(d.ws)
    assert synced_state(a.ws) == synced_state(b.ws)
    a.close()
    b.close()


def test_when_sync_state_is_damaged_sync_starts_afresh_and_nothing_here_is_lost(tmp_path):
    store = MemoryStore()
    a, b = make_devices(tmp_path, store, 2)
    docs = [artifacts.create(a.ws, f"/n{i:03}.md", f"note {i}\n") for i in range(120)]
    a.ws.close()
    _damage_pages(a.path, "sync_changes")  # the outbox: which changes wait cannot be known
    a.reopen()
    device = device_id(a.ws.conn)
    report = repair.repair(a.ws)
    assert report["sync"] == "restarted" and report["rows_lost"] == 0
    assert device_id(a.ws.conn) != device  # a device of its own again, every row to send
    rows = sum(a.ws.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
    assert a.engine.waiting() == rows  # every row is a change to send
    _settle([a, b])
    assert {r[0] for r in b.ws.conn.execute("SELECT id FROM artifacts")} == {d.id for d in docs}
    assert synced_state(a.ws) == synced_state(b.ws)
    a.close()
    b.close()


def test_a_replace_import_into_a_syncing_tab_syncs_as_a_device_of_its_own():
    # The engine lives on across the import (the page's does): it must take the imported
    # file's device and read the manifest again, not push on what the old file had applied.
    from pylib.transfer.importer import import_workspace

    store, key, a, b = _pair()
    artifacts.create(a.ws, "/shared.md", "one\n")
    _settle([a, b])
    other = memory_device(MemoryStore(), key)  # a file from elsewhere, never synced here
    kept = artifacts.create(other.ws, "/imported.md", "from the file\n")
    data = bytes(other.ws.conn.serialize())
    before = device_id(a.ws.conn)
    import_workspace(a.ws, data, "replace")
    assert device_id(a.ws.conn) != before
    _settle([a, b])
    for d in (a, b):
        assert artifacts.get(d.ws, kept.id).text == "from the file\n"
        check_invariants(d.ws)
    assert synced_state(a.ws) == synced_state(b.ws)
    keys = [k for k in store.objects if k.startswith("sync/segments/")]
    assert any(device_id(a.ws.conn) in k for k in keys)  # its segments under its own id
    for d in (a, b, other):
        d.close()


def test_a_document_the_repair_renames_is_renamed_everywhere_and_edits_after_are_sent():
    store, key, a, b = _pair()
    p = artifacts.create(a.ws, "/p.md", "one\n")
    q = artifacts.create(a.ws, "/q.md", "two\n")
    _settle([a, b])
    # Damage another tool could do: the unique index gone, two live documents on one path.
    a.ws.conn.execute("DROP INDEX idx_artifacts_live_path")
    a.ws.conn.execute("UPDATE sync_clock SET applying = 1")
    a.ws.conn.execute("UPDATE artifacts SET path = '/p.md', name = 'p.md' WHERE id = ?", (q.id,))
    a.ws.conn.execute("UPDATE sync_clock SET applying = 0")
    report = repair.repair(a.ws)
    assert report["sync"] == "kept"
    renamed = artifacts.get(a.ws, q.id).path
    assert renamed != "/p.md" and "recovered" in renamed
    assert a.ws.conn.execute("SELECT applying FROM sync_clock").fetchone()[0] == 0
    artifacts.update(a.ws, p.id, "one, edited after the repair\n")
    assert a.engine.waiting() >= 2  # the rename and the edit
    _settle([a, b])
    for d in (a, b):
        assert artifacts.get(d.ws, q.id).path == renamed
        assert _text(d, p.id) == "one, edited after the repair\n"
        check_invariants(d.ws)
    assert synced_state(a.ws) == synced_state(b.ws)
    a.close()
    b.close()
