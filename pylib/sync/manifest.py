"""The manifest: the one object whose conditional write commits a push.

It lists, per device, the segments not yet folded into the snapshot, and the snapshot. Its
``counter`` grows by one with every commit and is inside the encrypted body: a manifest older
than one this device has seen (a replay) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pylib.sync import codec
from pylib.sync.errors import Refused
from pylib.sync.store import Blob

KEY = "sync/manifest"


def segment_key(device: str, number: int) -> str:
    return f"sync/segments/{device}/{number:010d}"


@dataclass
class Manifest:
    counter: int = 0
    devices: dict[str, list[int]] = field(default_factory=dict)  # device -> segment numbers
    snapshot: dict[str, Any] | None = None  # {"id", "parts", "covers": {device: number}}
    etag: str | None = None

    def latest(self, device: str) -> int:
        """The highest number ``device`` has used (listed or folded into the snapshot)."""
        covered = (self.snapshot or {}).get("covers", {}).get(device, 0)
        return max([covered, *self.devices.get(device, [])])

    def body(self) -> dict[str, Any]:
        return {"counter": self.counter, "devices": self.devices, "snapshot": self.snapshot}


def _check(body: Any) -> Manifest:
    try:
        counter = body["counter"]
        devices = {str(d): [int(n) for n in nums] for d, nums in body["devices"].items()}
        snapshot = body.get("snapshot")
        if not isinstance(counter, int) or (snapshot is not None and not isinstance(snapshot, dict)):
            raise TypeError("wrong types")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Refused(f"The sync manifest is malformed ({exc}).") from exc
    return Manifest(counter, devices, snapshot)


async def decode(sync_key: bytes, tag: str, blob: Blob, seen_counter: int) -> Manifest:
    """The manifest in ``blob``; raises :class:`Refused` if it fails its checks or is older
    than the one with ``seen_counter``."""
    _, body = await codec.open_sealed(sync_key, KEY, blob.body, {"kind": "manifest", "ws": tag})
    manifest = _check(body)
    if manifest.counter < seen_counter:
        raise Refused("The server returned an older sync manifest than one already seen "
                      "(a replay); nothing was applied.", counter=manifest.counter)
    manifest.etag = blob.etag
    return manifest


async def encode(sync_key: bytes, tag: str, manifest: Manifest) -> bytes:
    return await codec.seal(sync_key, KEY, {"kind": "manifest", "ws": tag}, manifest.body())
