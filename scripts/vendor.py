"""Vendor every browser asset into the git-ignored web/vendor/, so the app needs only its own origin.

Inputs (all pinned): npm packages from package-lock.json (installed by `npm ci` into node_modules),
the engine's dependencies from scripts/pyodide-requirements.txt and Pyodide's build tooling from
scripts/build-tools-requirements.txt (both downloaded with `pip download --require-hashes`), and
the engine itself (pylib/, built by `python -m build` from pylib/pyproject.toml; its version
carries a hash of the sources).

Steps, each cached by its inputs' hashes in .build/:
  1. download the pinned wheels;            2. build the engine wheel;
  3. micropip installs the engine from those wheels inside Pyodide (Node), freezes the lock, and
     pyodide-build's py-compile turns the locked wheels into Python 3.14 bytecode
     (scripts/lock_wheels.mjs);
  4. copy the runtime, the locked wheels and the lock into web/vendor/;
  4b. bundle CodeMirror 6 for the editor with esbuild (scripts/editor_bundle.py);
  5. write the service worker's precache manifest (scripts/precache.py).

Output:
  web/vendor/pyodide/    the Pyodide runtime + the frozen pyodide-lock.json (`../wheels/<file>`)
  web/vendor/wheels/     exactly the wheels the lock names
  web/vendor/pyscript/   @pyscript/core's browser build
  web/vendor/dompurify/, web/vendor/markdown/policy.json  the preview's sanitiser and its policy
  web/vendor/transformers/, web/vendor/models/  the embedding runtime and model
                         (scripts/vendor_embeddings.py)
  web/vendor/codemirror/ the editor's CodeMirror 6 bundle (one ES module)
  web/vendor/manifest.json  every file the service worker precaches, each with its content hash
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from editor_bundle import vendor_editor_bundle  # noqa: E402
from pip_wheels import download_wheels  # noqa: E402
from precache import sha256_file, write_manifest  # noqa: E402
from vendor_embeddings import vendor_embeddings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
VENDOR = WEB / "vendor"
BUILD = ROOT / ".build"
NODE_MODULES = ROOT / "node_modules"
# The runtime the worker loads (pyodide.js, the classic-script loader, is never used).
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
# PyScript chunks for features Quire does not use, never loaded by the page or its workers:
# the code editor (<script type="py-editor">), the terminal and MicroPython.
PYSCRIPT_UNUSED = ("codemirror", "xterm", "mpy-")
PYLIB_VERSION = "0.1.0"
# What the engine worker installs: micropip resolves the rest from the engine's metadata.
ENGINE_REQUIREMENT = "quire-pylib"
LOCK_SCRIPTS = ["lock_wheels.mjs", "lock_wheels.py"]


def copy_if_changed(src: Path, dst: Path) -> None:
    if dst.exists() and dst.stat().st_size == src.stat().st_size and sha256_file(dst) == sha256_file(src):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def pylib_version() -> str:
    """0.1.0+<hash of pylib's sources>: a new file name (and cache entry) whenever they change."""
    sources = sorted(p for p in (ROOT / "pylib").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{PYLIB_VERSION}+{digest.hexdigest()[:12]}"


def build_pylib_wheel() -> tuple[Path, str]:
    """The engine wheel, built by `python -m build` from pylib/pyproject.toml (once per version)."""
    version = pylib_version()
    out = BUILD / "pylib"
    wheel = out / f"quire_pylib-{version}-py3-none-any.whl"
    if not wheel.exists():
        shutil.rmtree(out, ignore_errors=True)
        # No isolation: the backend (hatchling) is in the dev environment, so this is offline and fast.
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT / "pylib")],
            check=True, stdout=subprocess.DEVNULL, env={**os.environ, "QUIRE_PYLIB_VERSION": version},
        )
        shutil.rmtree(ROOT / "pylib" / "build", ignore_errors=True)
    return wheel, version


def lock_wheels(indexes: list[Path], tools: Path, requirement: str) -> Path:
    """micropip's lock and the py-compiled wheels it names (scripts/lock_wheels.mjs), cached."""
    digest = hashlib.sha256(requirement.encode())
    inputs = [w for d in [*indexes, tools] for w in sorted(d.glob("*.whl"))]
    inputs += [ROOT / "scripts" / name for name in LOCK_SCRIPTS] + [NODE_MODULES / "pyodide" / "pyodide-lock.json"]
    for path in inputs:
        digest.update(path.name.encode() + sha256_file(path).encode())
    out = BUILD / "locked" / digest.hexdigest()[:16]
    if (out / "pyodide-lock.json").exists():
        return out
    shutil.rmtree(out.parent, ignore_errors=True)
    tmp = out.with_suffix(".tmp")
    # Compiled wheels are reused by input hash; a new toolchain compiles afresh.
    cache = BUILD / "compiled" / sha256_file(ROOT / "scripts" / "build-tools-requirements.txt")[:16]
    command = ["node", str(ROOT / "scripts" / "lock_wheels.mjs"), "--tools", str(tools), "--cache", str(cache),
               "--out", str(tmp)]
    for index in indexes:
        command += ["--index", str(index)]
    subprocess.run([*command, requirement], check=True)
    tmp.rename(out)
    return out


def vendor_runtime() -> None:
    for name in PYODIDE_FILES:
        copy_if_changed(NODE_MODULES / "pyodide" / name, VENDOR / "pyodide" / name)
    dist = NODE_MODULES / "@pyscript" / "core" / "dist"
    for src in dist.rglob("*"):
        if src.is_file() and not src.name.endswith(".map") and not src.name.startswith(PYSCRIPT_UNUSED):
            copy_if_changed(src, VENDOR / "pyscript" / src.relative_to(dist))
    # Argon2id for the passphrase that wraps the workspace key (one ES module, WebAssembly inlined).
    copy_if_changed(NODE_MODULES / "hash-wasm" / "dist" / "index.esm.min.js", VENDOR / "hash-wasm" / "index.esm.min.js")
    for stale in [VENDOR / "pyodide" / "pyodide.js", *(VENDOR / "pyscript").glob("*")]:
        if stale.is_file() and (stale.name == "pyodide.js" or stale.name.startswith(PYSCRIPT_UNUSED)):
            stale.unlink()


def vendor_preview() -> None:
    """The preview's sanitiser (DOMPurify's ES module) and the one policy it shares with the
    renderer (pylib/markdown/policy.json)."""
    copy_if_changed(NODE_MODULES / "dompurify" / "dist" / "purify.es.mjs", VENDOR / "dompurify" / "purify.es.mjs")
    copy_if_changed(ROOT / "pylib" / "markdown" / "policy.json", VENDOR / "markdown" / "policy.json")


def vendor_locked(locked: Path) -> dict:
    """The locked wheels into web/vendor/wheels (nothing else), the lock beside the runtime."""
    lock = json.loads((locked / "pyodide-lock.json").read_text())
    keep = {entry["file_name"] for entry in lock["packages"].values()}
    target = VENDOR / "wheels"
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        if old.name not in keep:
            old.unlink()
    for name in sorted(keep):
        copy_if_changed(locked / name, target / name)
    for entry in lock["packages"].values():
        entry["file_name"] = f"../wheels/{entry['file_name']}"
    text = json.dumps(lock, indent=1, sort_keys=True)
    lock_path = VENDOR / "pyodide" / "pyodide-lock.json"
    if not lock_path.exists() or lock_path.read_text() != text:
        lock_path.write_text(text)
    return lock


def main() -> int:
    if not (NODE_MODULES / "pyodide" / "pyodide.asm.wasm").exists():
        print("node_modules is missing: run `npm ci` first (the Makefile does).", file=sys.stderr)
        return 1
    os.chdir(ROOT)
    dependencies = download_wheels("pyodide-requirements.txt", "wheels")
    tools = download_wheels("build-tools-requirements.txt", "build-tools")
    download_wheels("pyodide-test-requirements.txt", "test-wheels")
    wheel, version = build_pylib_wheel()
    locked = lock_wheels([dependencies, wheel.parent], tools, f"{ENGINE_REQUIREMENT}=={version}")
    vendor_runtime()
    vendor_preview()
    lock = vendor_locked(locked)
    vendor_embeddings(VENDOR)
    vendor_editor_bundle(BUILD, VENDOR)
    manifest = write_manifest(WEB, VENDOR / "manifest.json")
    print(f"vendored {len(lock['packages'])} wheels, {len(manifest['files'])} files, version {manifest['version']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
