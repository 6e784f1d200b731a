"""The service worker's precache manifest: every file under web/ with its content hash.

`files` maps each path (relative to web/) to its Subresource Integrity hash ("sha256-<base64>").
web/sw.js fetches a file only when its hash differs from what it has cached, and fetches it with
that hash as the request's `integrity`, so a file from another build can never be cached under
this build's name. `version` is a hash of the whole set: the page registers `sw.js?v=<version>`,
so any change installs a new worker. The list is the folder itself (no hand-kept list): new and
renamed files are picked up by the next `make setup`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

# Not part of the offline copy: the worker itself and the manifest (fetched fresh each time).
NOT_PRECACHED = {"sw.js", "vendor/manifest.json"}
NOT_PRECACHED_SUFFIXES = (".md", ".map")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    return _digest(path).hexdigest()


def _digest(path: Path) -> "hashlib._Hash":
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest


def integrity(path: Path) -> str:
    """The file's Subresource Integrity value, as `fetch(..., {integrity})` checks it."""
    return "sha256-" + base64.b64encode(_digest(path).digest()).decode()


def precached_files(web: Path) -> list[Path]:
    """Every file of the app under `web`, in a stable order."""
    found = []
    for path in sorted(web.rglob("*")):
        rel = path.relative_to(web).as_posix()
        if not path.is_file() or rel in NOT_PRECACHED or rel.endswith(NOT_PRECACHED_SUFFIXES):
            continue
        if "__pycache__" in path.parts or rel.startswith("."):
            continue
        found.append(path)
    return found


def build_manifest(web: Path) -> dict:
    """{version, files: {path: integrity}} for the app in `web`."""
    files = {path.relative_to(web).as_posix(): integrity(path) for path in precached_files(web)}
    version = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    return {"version": version, "files": files}


def write_manifest(web: Path, out: Path) -> dict:
    """Write the manifest if it changed (an unchanged build keeps its file untouched)."""
    manifest = build_manifest(web)
    text = json.dumps(manifest, indent=1)
    if not out.exists() or out.read_text() != text:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    return manifest


if __name__ == "__main__":
    import sys

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "web"
    result = write_manifest(folder, folder / "vendor" / "manifest.json")
    print(f"{len(result['files'])} files, version {result['version']}")
