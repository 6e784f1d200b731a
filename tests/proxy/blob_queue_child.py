"""A separate process that runs the upload queue of a workspace and is killed part way.

Usage: python blob_queue_child.py BASE_URL TOKEN DATA_KEY_HEX WORKSPACE DEVICE_DIR STATE_DIR
Sends parts 1 and 2 of the first waiting file, writes STATE_DIR/parts after each, and holds
part 3 back until it is killed (the upload id is committed to the workspace before part 1).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from pylib.blobs import BlobStore
from pylib.blobs.device import DirectoryFiles
from pylib.blobs.queue import UploadQueue
from pylib.db import open_workspace
from pylib.keys import derive_keys
from pylib.platform.cpython import CPythonPlatform
from pylib.s3client import S3Client


async def main(base_url: str, token: str, key_hex: str, workspace: str, device: str, state: Path) -> None:
    pl = CPythonPlatform()
    store = BlobStore(pl, S3Client(pl, base_url, headers={"Authorization": f"Bearer {token}"}),
                      await derive_keys(pl, bytes.fromhex(key_hex)), part_segments=2)
    real_put, sent = store.client.put_part, 0

    async def put_part(key, upload_id, number, body):
        nonlocal sent
        if number == 3:
            await asyncio.sleep(3600)
        await real_put(key, upload_id, number, body)
        sent += 1
        (state / "parts").write_text(str(sent))

    store.client.put_part = put_part
    ws = open_workspace(workspace)
    await UploadQueue(ws, store, DirectoryFiles(device)).run()


if __name__ == "__main__":
    url, token, key_hex, workspace, device, state = sys.argv[1:]
    asyncio.run(main(url, token, key_hex, workspace, device, Path(state)))
