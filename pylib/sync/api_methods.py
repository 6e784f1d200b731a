"""The ``sync.*`` methods of :mod:`pylib.api`: ``(params, call, result, note)``
per name. They serve the one :class:`~pylib.sync.service.SyncService` of this process, made
at the first call; the browser's worker first sets how keys are derived and kept
(:func:`configure`, from :mod:`pylib.sync.browser`). The async ones reach the network.
The workspace key is set up and unlocked by the ``keys.*`` methods (:mod:`pylib.blobs.api_methods`);
sync reads it from there."""

from __future__ import annotations

from typing import Any

from pylib import platform as platforms
from pylib.db import Workspace
from pylib import params as p
from pylib.sync import models as sm

_state: dict[str, Any] = {"service": None, "options": {}}


def configure(**options: Any) -> None:
    """Options of the service made at the first call (``kdf``, ``keys``, ``base_url``, ...)."""
    _state["options"] = dict(options)
    _state["service"] = None


def service(ws: Workspace) -> Any:
    """This process's sync service, serving ``ws``."""
    if _state["service"] is None:
        from pylib.sync.service import SyncService  # the network half: only once sync is used

        _state["service"] = SyncService(platforms.current, **_state["options"])
    svc = _state["service"]
    svc.attach(ws)
    return svc


def _event(ws: Workspace, q: sm.SyncEvent) -> dict[str, Any]:
    svc = service(ws)
    svc.event(q.kind)
    return svc.status()


SPECS: dict[str, tuple[Any, ...]] = {
    "sync.status": (p.NoParams, lambda ws, q: service(ws).status(), sm.SyncStatus,
                    "what the indicator says; no network"),
    "sync.event": (sm.SyncEvent, _event, sm.SyncStatus,
                   "focus, online, offline, visibility or an edit: when the next round is due"),
    "sync.tick": (sm.SyncTick, lambda ws, q: service(ws).tick(q.now), sm.SyncStatus,
                  "async: runs a round if one is due (`now`: at once); call again after"
                  " `wake_in_ms`"),
}
