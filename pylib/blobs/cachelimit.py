"""How many bytes of large files this device keeps: a workspace setting (``care_settings``,
key ``device_cache``, like the retention policy of :mod:`pylib.care.settings`).

Past the limit the least recently used files that S3 holds are dropped from the device
(:func:`pylib.blobs.queue.evict`, after each download kept and each upload run); opening one
downloads it again, verified. A file S3 does not hold yet is never dropped, whatever the
limit. Lowering the limit (``files.set_cache_limit``, :mod:`pylib.blobs.api_methods`) drops what is over it at once. The setting
is stored in the workspace file, so it goes with an export; sync does not carry it (each
device keeps its own). A stored value that is not valid reads as the default.
"""

from __future__ import annotations

from pydantic import Field

from pylib.care import settings
from pylib.db import Workspace
from pylib.models import _Reply
from pylib.params import Params

GIB = 1024 ** 3
DEFAULT_CACHE_LIMIT_BYTES = 2 * GIB
MAX_CACHE_LIMIT_BYTES = 1024 * GIB  # more than any browser lets a site keep
KEY = "device_cache"


class CacheLimit(Params):
    """``limit_bytes``: 0 keeps only the file just opened (and what waits to upload)."""

    limit_bytes: int = Field(ge=0, le=MAX_CACHE_LIMIT_BYTES)


class CacheLimitSet(_Reply):
    """The limit now in force, and what lowering it dropped from this device."""

    limit_bytes: int
    dropped: int
    freed_bytes: int


def cache_limit(ws: Workspace) -> int:
    """The workspace's device cache limit in bytes (the default when none or a broken one is stored)."""
    stored = settings.read(ws, KEY)
    value = stored.get("limit_bytes") if isinstance(stored, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CACHE_LIMIT_BYTES:
        return value
    return DEFAULT_CACHE_LIMIT_BYTES


def store_cache_limit(ws: Workspace, limit_bytes: int) -> None:
    """Store the limit (checked as :class:`CacheLimit` checks it); nothing is dropped here."""
    settings.write(ws, KEY, {"limit_bytes": CacheLimit(limit_bytes=limit_bytes).limit_bytes})
