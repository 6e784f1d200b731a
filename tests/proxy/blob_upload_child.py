"""A separate process that starts a multipart upload and is killed part way (test helper).

Usage: python blob_upload_child.py BASE_URL TOKEN DATA_KEY_HEX SIZE SEED STATE_DIR
Writes STATE_DIR/upload_id as soon as the upload exists and STATE_DIR/parts after each part;
sends parts 1 and 2 and holds part 3 back until it is killed.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from pylib.blobs import BlobStore
from pylib.keys import derive_keys
from pylib.platform.cpython import CPythonPlatform
from pylib.s3client import S3Client


async def main(base_url: str, token: str, key_hex: str, size: int, seed: int, state: Path) -> None:
    pl = CPythonPlatform()
    store = BlobStore(pl, S3Client(pl, base_url, headers={"Authorization": f"Bearer {token}"}),
                      await derive_keys(pl, bytes.fromhex(key_hex)), part_segments=2)
    data = random.Random(seed).randbytes(size)
    sent = 0

    async def keep(upload_id: str) -> None:
        (state / "upload_id").write_text(upload_id)

    real_put = store.client.put_part

    async def put_part(key, upload_id, number, body):
        nonlocal sent
        if number == 3:
            await asyncio.sleep(3600)  # the last part never goes: the parent kills this process
        await real_put(key, upload_id, number, body)
        sent += 1
        (state / "parts").write_text(str(sent))

    store.client.put_part = put_part
    await store.upload(data, on_upload_id=keep)


if __name__ == "__main__":
    url, token, key_hex, size, seed, state = sys.argv[1:]
    asyncio.run(main(url, token, key_hex, int(size), int(seed), Path(state)))
