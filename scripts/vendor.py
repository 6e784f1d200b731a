"""Vendor every browser asset into the git-ignored web/vendor/, so the app needs only its own origin.

Inputs (all pinned): npm packages from package-lock.json (installed by `npm ci` into node_modules),
Pyodide wheels from scripts/pyodide-requirements.txt (downloaded with --require-hashes), and the
engine itself (pylib/, packed here as a pure-Python wheel whose version carries a content hash).

Output:
  web/vendor/pyodide/    Pyodide runtime + OUR pyodide-lock.json (upstream `info` + our wheels)
  web/vendor/wheels/     wheels the lock points at (`../wheels/<file>`)
  web/vendor/pyscript/   @pyscript/core's browser build
  web/vendor/manifest.json  every file the service worker precaches, with a content version

Safe to run again: unchanged inputs are not copied or downloaded twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
VENDOR = WEB / "vendor"
BUILD = ROOT / ".build"
NODE_MODULES = ROOT / "node_modules"
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide.js"]
PYEMSCRIPTEN_PLATFORM = "pyemscripten_2026_0_wasm32"
PYLIB_VERSION = "0.1.0"
# Packages the engine worker loads at boot, in dependency order (names as in the lock).
WHEEL_DEPENDS = {
    "pydantic": ["typing-extensions", "pydantic-core", "annotated-types", "typing-inspection"],
    "pydantic-core": ["typing-extensions"],
    "typing-inspection": ["typing-extensions"],
    "quire-pylib": ["pydantic"],
}
# Files of the page that are not part of the offline shell.
NOT_PRECACHED = {"sw.js"}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_if_changed(src: Path, dst: Path) -> None:
    if dst.exists() and dst.stat().st_size == src.stat().st_size and sha256_file(dst) == sha256_file(src):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def download_wheels(requirements_name: str = "pyodide-requirements.txt", folder: str = "wheels") -> list[Path]:
    """Pinned, hash-checked Pyodide wheels from PyPI (cached in .build/<folder>)."""
    requirements = ROOT / "scripts" / requirements_name
    target = BUILD / folder
    stamp = target / ".requirements.sha256"
    wanted = sha256_file(requirements)
    if not (stamp.exists() and stamp.read_text() == wanted):
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--platform", PYEMSCRIPTEN_PLATFORM, "--python-version", "3.14", "--implementation", "cp",
             "--abi", "cp314", "--require-hashes", "-r", str(requirements), "-d", str(target)],
            check=True,
        )
        stamp.write_text(wanted)
    return sorted(target.glob("*.whl"))


def build_pylib_wheel() -> Path:
    """Pack pylib/ as a pure-Python wheel; the version's local part is the sources' hash."""
    sources = sorted(p for p in (ROOT / "pylib").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    version = f"{PYLIB_VERSION}+{digest.hexdigest()[:12]}"
    out = BUILD / "pylib" / f"quire_pylib-{version}-py3-none-any.whl"
    if out.exists():
        return out
    shutil.rmtree(out.parent, ignore_errors=True)
    out.parent.mkdir(parents=True)
    dist_info = f"quire_pylib-{version}.dist-info"
    files: list[tuple[str, bytes]] = [(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in sources]
    files.append((f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: quire-pylib\nVersion: {version}\n"
                  "Requires-Dist: pydantic>=2\n".encode()))
    files.append((f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: quire-vendor\nRoot-Is-Purelib: true\n"
                  b"Tag: py3-none-any\n"))
    write_wheel(out, files, dist_info)
    return out


def write_wheel(out: Path, files: list[tuple[str, bytes]], dist_info: str) -> None:
    """A wheel from (name, data) pairs, with a RECORD of their hashes."""
    files = [(n, d) for n, d in files if n != f"{dist_info}/RECORD"]
    record = []
    for name, data in files:
        b64 = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={b64},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)


def compile_wheels(wheels: list[Path]) -> list[Path]:
    """Pure-Python wheels with their modules as Python 3.14 bytecode (compiled by Pyodide).

    Importing pydantic and the engine from source meant compiling them on every boot; Pyodide's
    own wheels ship bytecode for the same reason. Cached by the input wheels' hashes.
    """
    digest = hashlib.sha256(b"pyc-1")
    for wheel in wheels:
        digest.update(wheel.name.encode() + sha256_file(wheel).encode())
    out_dir = BUILD / "compiled" / digest.hexdigest()[:16]
    if out_dir.exists():
        return [out_dir / w.name for w in wheels]
    work = BUILD / "compiling"
    shutil.rmtree(work, ignore_errors=True)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(work / wheel.name)
    subprocess.run(["node", str(ROOT / "scripts" / "compile_wheels.mjs"), str(work)], check=True)
    tmp = out_dir.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for wheel in wheels:
        tree = work / wheel.name
        files = []
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            rel = path.relative_to(tree).as_posix()
            if "__pycache__" in path.parts or (rel.endswith(".py") and path.with_suffix(".pyc").exists()):
                continue
            files.append((rel, path.read_bytes()))
        dist_info = next(n.split("/")[0] for n, _ in files if n.split("/")[0].endswith(".dist-info"))
        write_wheel(tmp / wheel.name, files, dist_info)
    tmp.rename(out_dir)
    shutil.rmtree(work, ignore_errors=True)
    return [out_dir / w.name for w in wheels]


def wheel_name_version(path: Path) -> tuple[str, str]:
    name, version = path.name.split("-")[:2]
    return name.replace("_", "-").lower(), version


def wheel_imports(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as wheel:
        tops = {n.split("/")[0] for n in wheel.namelist() if not n.split("/")[0].endswith(".dist-info")}
    return sorted(t.removesuffix(".py") for t in tops if not t.endswith(".data"))


def write_lock(wheels: list[Path]) -> dict:
    upstream = json.loads((NODE_MODULES / "pyodide" / "pyodide-lock.json").read_text())
    packages = {}
    for wheel in wheels:
        name, version = wheel_name_version(wheel)
        packages[name] = {
            "name": name, "version": version, "file_name": f"../wheels/{wheel.name}",
            "install_dir": "site", "sha256": sha256_file(wheel), "package_type": "package",
            "imports": wheel_imports(wheel), "depends": WHEEL_DEPENDS.get(name, []),
            "unvendored_tests": False, "tool": {},
        }
    lock = {"info": upstream["info"], "packages": packages}
    (VENDOR / "pyodide" / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    return lock


def vendor_runtime() -> None:
    for name in PYODIDE_FILES:
        copy_if_changed(NODE_MODULES / "pyodide" / name, VENDOR / "pyodide" / name)
    dist = NODE_MODULES / "@pyscript" / "core" / "dist"
    for src in dist.rglob("*"):
        if src.is_file() and not src.name.endswith(".map"):
            copy_if_changed(src, VENDOR / "pyscript" / src.relative_to(dist))


def vendor_wheels(wheels: list[Path]) -> None:
    target = VENDOR / "wheels"
    target.mkdir(parents=True, exist_ok=True)
    keep = {w.name for w in wheels}
    for old in target.glob("*.whl"):
        if old.name not in keep:
            old.unlink()
    for wheel in wheels:
        copy_if_changed(wheel, target / wheel.name)


def write_manifest() -> dict:
    """Every file the page may need offline; `version` changes whenever any of them does."""
    files = []
    digest = hashlib.sha256()
    for path in sorted(WEB.rglob("*")):
        rel = path.relative_to(WEB).as_posix()
        if not path.is_file() or rel in NOT_PRECACHED or rel == "vendor/manifest.json" or rel.endswith(".md"):
            continue
        files.append(rel)
        digest.update(rel.encode() + b"\0" + sha256_file(path).encode())
    manifest = {"version": digest.hexdigest()[:16], "files": files}
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main() -> int:
    if not (NODE_MODULES / "pyodide" / "pyodide.asm.wasm").exists():
        print("node_modules is missing: run `npm ci` first (the Makefile does).", file=sys.stderr)
        return 1
    os.chdir(ROOT)
    downloaded = download_wheels()
    pure = [w for w in downloaded if w.name.endswith("-none-any.whl")]
    wheels = [w for w in downloaded if w not in pure] + compile_wheels(pure + [build_pylib_wheel()])
    download_wheels("pyodide-test-requirements.txt", "test-wheels")
    vendor_runtime()
    vendor_wheels(wheels)
    lock = write_lock(wheels)
    manifest = write_manifest()
    print(f"vendored {len(lock['packages'])} wheels, {len(manifest['files'])} files, version {manifest['version']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
