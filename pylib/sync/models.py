"""Parameters and results of the ``sync.*`` and ``keys.*`` methods of :mod:`pylib.api`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from pylib.models import _Row
from pylib.params import Params

Secret = Annotated[str, Field(min_length=1, max_length=1000)]


class SyncTick(Params):
    """``now``: run a round whatever the schedule says ("Sync now", "Try again")."""

    now: bool = False


class SyncEvent(Params):
    """What happened in the page that changes when sync is due."""

    kind: Literal["focus", "online", "offline", "visible", "hidden", "edit"]


class KeysCreate(Params):
    passphrase: Secret


class KeysUnlock(Params):
    """The passphrase, or the 24 recovery words (one of the two)."""

    passphrase: Secret | None = None
    words: Secret | None = None


class SyncConflict(_Row):
    artifact_id: str | None
    path: str | None


class SyncStatus(_Row):
    """What the sync indicator says (``text``) and what the page needs to follow a round."""

    state: str
    text: str
    waiting: int
    retry: bool
    last_synced: int | None
    wake_in_ms: int | None
    key: str
    pulled: int
    conflicts: list[SyncConflict]
    # True once, when the link index a new device's first pull left for later was built:
    # the views follow (backlinks, tags, link completion) as after a pull.
    indexed: bool = False


class KeysCreated(SyncStatus):
    """The status, and the recovery words to show once (they are never stored)."""

    recovery_words: list[str]


