"""Runs inside Pyodide under Node (scripts/lock_wheels.mjs sets the globals used here).

Installs `requirements` with micropip from the local index at `index_url`, writes micropip's
frozen lock to /out/pyodide-lock.json with the installed wheels beside it, then byte-compiles
them with pyodide-build's `py-compile` (installed from `tool_url`), which rewrites the lock's
file names and hashes.
"""

import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import micropip
from pyodide.http import pyfetch

OUT = Path("/out")


async def fetch_wheel(url: str) -> str:
    """Copy an installed wheel from the index into OUT (the lock names it by its file name)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    response = await pyfetch(url)
    response.raise_for_status()
    (OUT / name).write_bytes(await response.bytes())
    return name


async def lock() -> None:
    await micropip.install(list(requirements), index_urls=[index_url])  # noqa: F821 (set by the caller)
    frozen = json.loads(micropip.freeze())
    for entry in frozen["packages"].values():
        entry["file_name"] = await fetch_wheel(entry["file_name"])
    (OUT / "pyodide-lock.json").write_text(json.dumps(frozen, indent=1, sort_keys=True))
    print(f"locked {', '.join(sorted(frozen['packages']))}")


async def compile_wheels() -> None:
    # Only what `py-compile` imports: pyodide-build's other dependencies are for building packages.
    await micropip.install(list(tool_names), index_urls=[tool_url], deps=False)  # noqa: F821
    from pyodide_build.cli.py_compile import main as py_compile

    py_compile([str(OUT), "--silent"], standalone_mode=False)
    for leftover in OUT.glob("*.whl.old"):
        leftover.unlink()


for stale in OUT.iterdir():
    shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
await lock()  # noqa: F704 (top-level await: Pyodide's runPythonAsync)
await compile_wheels()  # noqa: F704
