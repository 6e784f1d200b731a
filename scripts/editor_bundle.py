"""The editor's CodeMirror 6 bundle: esbuild (from npm, through scripts/editor_bundle.mjs, which
also applies a few checked patches to the pinned packages) turns scripts/codemirror_entry.mjs and
the pinned @codemirror/* packages into one minified ES module, web/vendor/codemirror/codemirror.mjs.

Cached like the other vendoring steps: the output lives in .build/editor/<hash of the inputs>/,
where the inputs are the entry file, the build script, package-lock.json (every package's exact
version) and this file, so an unchanged tree costs only hashing four small files.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "scripts" / "codemirror_entry.mjs"
BUILD_SCRIPT = ROOT / "scripts" / "editor_bundle.mjs"
OUT_NAME = "codemirror.mjs"


def inputs_digest() -> str:
    digest = hashlib.sha256()
    for path in (ENTRY, BUILD_SCRIPT, ROOT / "package-lock.json", Path(__file__).resolve()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_editor_bundle(build: Path) -> Path:
    """The bundle for the current inputs, built once (esbuild runs offline, in about a second)."""
    out = build / "editor" / inputs_digest() / OUT_NAME
    if out.exists():
        return out
    shutil.rmtree(build / "editor", ignore_errors=True)
    tmp = out.with_suffix(".tmp.mjs")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["node", str(BUILD_SCRIPT), str(ENTRY), str(tmp)], check=True, cwd=ROOT)
    tmp.rename(out)
    return out


def vendor_editor_bundle(build: Path, vendor: Path) -> Path:
    """Build (or reuse) the bundle and copy it to web/vendor/codemirror/ when it changed."""
    src = build_editor_bundle(build)
    dst = vendor / "codemirror" / OUT_NAME
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return dst
