"""Runs inside Pyodide under Node (scripts/lock_wheels.mjs sets the globals used here).

Installs `requirements` with micropip from the local index at `index_url`, takes micropip's
frozen lock, byte-compiles the wheels it names with pyodide-build's `py-compile` (installed from
`tool_url`; each input wheel is compiled once, then reused from /cache), and writes the lock to
/out/pyodide-lock.json with the compiled wheels beside it.
"""

import hashlib
import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import micropip
from pyodide.http import pyfetch

OUT = Path("/out")
CACHE = Path("/cache")


async def fetch_wheel(url: str) -> str:
    """Copy an installed wheel from the index into OUT (the lock names it by its file name)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    response = await pyfetch(url)
    response.raise_for_status()
    (OUT / name).write_bytes(await response.bytes())
    return name


async def lock() -> dict:
    """micropip's frozen lock of `requirements`, with the wheels it names copied into OUT."""
    await micropip.install(list(requirements), index_urls=[index_url])  # noqa: F821 (set by the caller)
    frozen = json.loads(micropip.freeze())
    for entry in frozen["packages"].values():
        entry["file_name"] = await fetch_wheel(entry["file_name"])
    print(f"locked {', '.join(sorted(frozen['packages']))}")
    return frozen


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def compile_wheels(packages: dict) -> None:
    """Each locked wheel as bytecode: from CACHE when this input wheel was compiled before (so an
    unchanged dependency keeps its exact bytes, and clients keep their copy), else compiled now."""
    todo = OUT / "compile"
    todo.mkdir()
    used = {entry["sha256"] for entry in packages.values()}
    for old in CACHE.iterdir():  # earlier engine builds: only this lock's inputs are kept
        if old.name not in used:
            shutil.rmtree(old)
    for entry in packages.values():
        source = OUT / entry["file_name"]
        done = CACHE / entry["sha256"]
        if not done.is_dir():
            source.rename(todo / source.name)
            continue
        compiled = next(done.glob("*.whl"))
        source.unlink()  # before the copy: a platform wheel keeps its name when compiled
        shutil.copyfile(compiled, OUT / compiled.name)
        entry.update(file_name=compiled.name, sha256=sha256(compiled))
    pending = {k: e for k, e in packages.items() if (todo / e["file_name"]).exists()}
    if pending:
        # Only what `py-compile` imports: pyodide-build's other dependencies build packages.
        await micropip.install(list(tool_names), index_urls=[tool_url], deps=False)  # noqa: F821
        from pyodide_build.cli.py_compile import main as py_compile

        inputs = {k: e["sha256"] for k, e in pending.items()}
        (todo / "pyodide-lock.json").write_text(json.dumps({"info": {}, "packages": pending}))
        # Folder mode: compiles every wheel there and rewrites that lock's names and hashes.
        py_compile([str(todo), "--silent"], standalone_mode=False)
        for key, entry in json.loads((todo / "pyodide-lock.json").read_text())["packages"].items():
            compiled = todo / entry["file_name"]
            (CACHE / inputs[key]).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(compiled, CACHE / inputs[key] / compiled.name)
            shutil.copyfile(compiled, OUT / compiled.name)
            packages[key].update(file_name=compiled.name, sha256=entry["sha256"])
    shutil.rmtree(todo)


async def main() -> None:
    """Called by scripts/lock_wheels.mjs once this module has run."""
    for stale in OUT.iterdir():
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    frozen = await lock()
    await compile_wheels(frozen["packages"])
    (OUT / "pyodide-lock.json").write_text(json.dumps(frozen, indent=1, sort_keys=True))
