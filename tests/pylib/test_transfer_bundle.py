"""Export with files and its import: a .zip of workspace.sqlite and the plaintext of each large
file kept outside it; zip bombs, missing files and hash mismatches refused, nothing changed."""

from __future__ import annotations

import hashlib
import io
import random
import sys
import zipfile
from pathlib import Path

import pytest

from pylib import artifacts, platform
from pylib.blobs import BlobStore
from pylib.blobs import ledger
from pylib.blobs.device import DirectoryFiles
from pylib.blobs.queue import offload_pending
from pylib.db import open_workspace
from pylib.errors import FileElsewhere, InvalidImport
from pylib.keys import derive_keys, new_data_key
from pylib.s3client import S3Client
from pylib.transfer import bundle

sys.path.insert(0, str(Path(__file__).parent))
from aio import run  # noqa: E402

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="async device store: CPython")


def _setup(tmp_path: Path, name: str = "w"):
    """A workspace whose two large files were moved out to the device store (no network)."""
    async def go():
        ws = open_workspace(str(tmp_path / f"{name}.sqlite"))
        pl = platform.current
        store = BlobStore(pl, S3Client(pl, "http://127.0.0.1:9"), await derive_keys(pl, new_data_key(pl)))
        files = DirectoryFiles(tmp_path / f"{name}-device")
        datas = [random.Random(i).randbytes(1_100_000 + i) for i in range(2)]
        for i, data in enumerate(datas):
            artifacts.upload(ws, f"/files/f{i}.bin", data)
        moved = await offload_pending(ws, store, files)
        return ws, store, files, datas, moved
    return go


def _reader(files):
    async def read(sha: str, size: int) -> bytes:
        for name in files.folder.iterdir():
            data = name.read_bytes()
            if hashlib.sha256(data).hexdigest() == sha:
                return data
        raise KeyError(sha)
    return read


def test_export_with_files_and_import_it_elsewhere(tmp_path):
    async def go():
        ws, store, files, datas, moved = await _setup(tmp_path)()
        pending = ws.conn.execute("SELECT count(*) FROM pending_uploads").fetchone()[0]
        data = await bundle.export_bundle(ws, _reader(files))
        other = open_workspace(str(tmp_path / "other.sqlite"))
        result = await bundle.import_bundle(other, data, "replace", store, DirectoryFiles(tmp_path / "other-device"))
        refs = {row[0] for row in other.conn.execute("SELECT sha256 FROM blobs")}
        waiting = ledger.totals(other)["waiting"]
        ws.close()
        other.close()
        return datas, moved, pending, data, result, refs, waiting

    datas, moved, pending, data, result, refs, waiting = run(go())
    assert pending == 0 and len(moved) == 2
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[0] == "workspace.sqlite" and sorted(names[1:]) == sorted(f"files/{r.sha256}" for r in moved)
    assert refs == {hashlib.sha256(d).hexdigest() for d in datas} and waiting["count"] == 2
    assert result.mode == "replace"


def test_a_pointer_is_not_read_as_empty(tmp_path):
    async def go():
        ws, *_ = await _setup(tmp_path)()
        artifact_id = ws.conn.execute("SELECT id FROM artifacts WHERE path = '/files/f0.bin'").fetchone()[0]
        try:
            artifacts.download(ws, artifact_id)
        except FileElsewhere as error:
            return error.code
        finally:
            ws.close()
    assert run(go()) == "file_elsewhere"


def _rezip(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries = change(entries)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize("case,reason", [
    ("missing", "missing_file"), ("mismatch", "hash_mismatch"), ("bomb", "zip_bomb"),
    ("extra", "unexpected_entry"), ("garbage", "not_a_zip"), ("no_sqlite", "missing_file"),
])
def test_bad_bundles_are_refused_and_nothing_changes(tmp_path, case, reason):
    async def go():
        ws, store, files, datas, moved = await _setup(tmp_path)()
        data = await bundle.export_bundle(ws, _reader(files))
        first = f"files/{moved[0].sha256}"
        bad = {
            "missing": lambda: _rezip(data, lambda e: {k: v for k, v in e.items() if k != first}),
            "mismatch": lambda: _rezip(data, lambda e: {**e, first: e[first][:-1] + b"!"}),
            "bomb": lambda: _rezip(data, lambda e: {**e, "files/" + "0" * 64: bytes(50_000_000)}),
            "extra": lambda: _rezip(data, lambda e: {**e, "../evil": b"x"}),
            "garbage": lambda: b"PK\x03\x04" + bytes(100),
            "no_sqlite": lambda: _rezip(data, lambda e: {k: v for k, v in e.items() if k != "workspace.sqlite"}),
        }[case]()
        other = open_workspace(str(tmp_path / "other.sqlite"))
        artifacts.create(other, "/keep.md", "# mine")
        before = other.conn.execute("SELECT path, hash FROM artifacts ORDER BY path").fetchall()
        device = DirectoryFiles(tmp_path / "other-device")
        with pytest.raises(InvalidImport) as refused:
            await bundle.import_bundle(other, bad, "replace", store, device)
        after = other.conn.execute("SELECT path, hash FROM artifacts ORDER BY path").fetchall()
        kept = list(device.folder.iterdir()) if device.folder.exists() else []
        ws.close()
        other.close()
        return refused.value, before, after, kept

    error, before, after, kept = run(go())
    assert error.details["reason"] == reason and "not changed" in error.message
    assert before == after and kept == []
