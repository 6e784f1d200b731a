"""When the owning tab syncs (debounced after commits, at once on focus and online, polling
the manifest while visible, backing off after failures) and what its status says."""

from __future__ import annotations

import os

import pytest

from pylib import artifacts, platform
from pylib.sync.errors import StoreUnavailable
from pylib.sync.scheduler import SyncScheduler, describe
from pylib.sync.store import MemoryStore

from sync_devices import Faulty, drive, memory_device

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def setup():
    store, key = MemoryStore(), os.urandom(32)
    a, b = memory_device(store, key), memory_device(store, key)
    clock = Clock()
    scheduler = SyncScheduler(a.engine, clock=clock, debounce_ms=1_000, poll_ms=5_000)
    a.ws.on_commit.append(scheduler.committed)
    yield store, a, b, clock, scheduler
    a.close()
    b.close()


def test_commits_are_debounced_into_one_sync(setup):
    store, a, _, clock, scheduler = setup
    assert drive(scheduler.tick()) == "sync"  # once at start
    doc = artifacts.create(a.ws, "/n.md", "1")
    for text in ("2", "3"):
        clock.now += 400
        artifacts.update(a.ws, doc.id, text)
    assert scheduler.status().text == "1 change waiting"  # one note, saved three times
    assert drive(scheduler.tick()) is None  # edits still coming
    clock.now += 1_000
    puts = store.puts
    assert drive(scheduler.tick()) == "sync"
    assert store.puts == puts + 2  # one segment and the manifest
    assert scheduler.status().text == "Synced"


def test_polling_while_visible_pulls_what_another_device_pushed(setup):
    _, a, b, clock, scheduler = setup
    drive(scheduler.tick())
    artifacts.create(b.ws, "/from-b.md", "hello")
    drive(b.engine.sync())
    clock.now += 5_000
    assert drive(scheduler.tick()) == "poll"
    assert [x["path"] for x in artifacts.list_tree(a.ws)["artifacts"]] == ["/from-b.md"]
    scheduler.visibility(False)
    scheduler._due = None
    clock.now += 50_000
    assert drive(scheduler.tick()) is None and scheduler.next_wake() is None  # hidden: no poll


def test_offline_says_how_many_changes_wait_and_retries_with_backoff(setup):
    store, a, _, clock, scheduler = setup
    drive(scheduler.tick())
    a.use(Faulty(store, {i: "before" for i in range(100)}))
    artifacts.create(a.ws, "/n.md", "x")
    clock.now += 1_000
    drive(scheduler.tick())
    status = scheduler.status()
    # One new note: its row, its version and its activity entry are one change to a person.
    assert status.state == "offline" and status.text == "Offline — 1 change waiting"
    first = scheduler.next_wake() - clock.now
    clock.now += first
    drive(scheduler.tick())
    assert scheduler.next_wake() - clock.now == 2 * first  # backing off
    a.use(store)
    scheduler.went_online()
    assert drive(scheduler.tick()) == "sync" and scheduler.status().text == "Synced"


def test_waiting_counts_what_a_person_changed_not_rows(setup):
    _, a, _, _, _ = setup
    doc = artifacts.create(a.ws, "/f/n.md", "one")  # the note and its new folder
    artifacts.update(a.ws, doc.id, "two")
    other = artifacts.create(a.ws, "/m.md", "three")
    assert a.engine.waiting() >= 7  # rows: folder, notes, versions, activity entries
    assert a.engine.changes_waiting() == 3
    drive(a.engine.sync())
    assert a.engine.changes_waiting() == 0
    from pylib import trash

    trash.trash_artifact(a.ws, other.id)  # the note, its trash unit, the activity entry
    assert a.engine.changes_waiting() == 1


def test_status_texts():
    assert describe("synced", 0).text == "Synced"
    assert describe("syncing", 3).text == "Syncing…"
    assert describe("synced", 1).text == "1 change waiting"
    assert describe("offline", 12, "Offline").text == "Offline — 12 changes waiting"
    assert describe("key_missing", 0).text.startswith("Key missing")
    assert SyncScheduler(None).status().state == "key_missing"
    assert issubclass(StoreUnavailable, Exception)
