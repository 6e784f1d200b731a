"""Quire's data worker: glue between PyScript's worker and the engine (pylib) in Pyodide.

Started by web/engine/client.mjs through PyScript's PyWorker. It exposes three calls to the
page: `boot(options)`, `call(request)` and `close()`. The contract itself — one envelope
`{id, ok, result | result_json | error, saved?, save_error?}`, saving before the reply, every
failure a coded error — is `pylib.rpc.Server`; the browser's side of it (the page store, JS
values) is `pylib.platform`. See docs/engine-api.md.
"""

import time

import js
import pyodide_js
from polyscript import xworker
from pyodide.ffi import to_js

# The engine; its dependencies come with it from the lock micropip froze (scripts/lock_wheels.mjs).
PACKAGES = ["quire-pylib"]

sync = xworker.sync
state = {"server": None, "handover": None}


def report(phase, fraction, message):
    """Tell the page how booting goes (a synchronous call into the main thread)."""
    sync.progress(to_js({"phase": phase, "fraction": fraction, "message": message},
                        dict_converter=js.Object.fromEntries))


async def load_engine():
    failures = []
    await pyodide_js.loadPackage(to_js(PACKAGES), errorCallback=failures.append)
    try:
        from pylib import api
    except ImportError as exc:
        # loadPackage reports failures through callbacks, not exceptions: the import tells.
        detail = "; ".join(str(f) for f in failures) or str(exc)
        raise RuntimeError(f"The engine could not be loaded: {detail}") from exc
    return api


async def boot(options):
    """Load pylib, restore the workspace from IndexedDB, migrate it, persist the result."""
    started = time.perf_counter()
    report("packages", 0.4, "Loading the engine…")
    await load_engine()
    from pylib import platform, rpc

    opts = platform.current.to_py(options)
    server = rpc.Server()
    opened = await server.open(opts.get("workspace", "default"), progress=report,
                               module_url=opts["pagestore_url"], chunk_size=opts.get("chunk_size"))
    state["server"] = server
    from pylib.sync import browser as sync_browser  # the origin and the device's key

    sync_browser.configure(opts.get("workspace", "default"))
    from pylib.blobs import browser  # keys and large files (pylib/blobs/service.py)

    # The upload queue flushes the page store itself once it has an upload id worth keeping.
    await browser.start(platform.current, opts.get("workspace", "default"), opts["pagestore_url"],
                        persist=server.persist)
    # A large file's bytes go to the page by transfer (web/engine/handover.mjs).
    state["handover"] = await js.eval(f"import({opts['pagestore_url'].replace('pagestore.mjs', 'handover.mjs')!r})")
    report("ready", 1.0, "Ready")
    return platform.current.to_js({
        "schemaVersion": opened["schema_version"],
        "restoredBytes": opened["restored_bytes"],
        "bootMs": (time.perf_counter() - started) * 1000,
        "generation": opened["generation"],
        # web/engine/runtime.mjs: whether Pyodide started from the WebAssembly the page compiled.
        "runtimeFromPage": bool(getattr(getattr(js, "quireRuntime", None), "compiledByPage", False)),
        "saved": opened["saved"],
        "saveError": opened["save_error"],
    })


async def call(request):
    """One engine call, answered once its changes are durable (pylib.rpc.Server.call)."""
    server = state["server"]
    if server is None:
        from pylib import rpc  # not booted yet: the same envelope, code not_ready

        return await rpc.Server().call_js(request)
    reply = await server.call_js(request)
    return state["handover"].handOver(reply) if state["handover"] is not None else reply


async def close():
    """Hand the workspace over: everything is already durable; flush once more and close."""
    server, state["server"] = state["server"], None
    if server is None:
        return to_js({"closed": True}, dict_converter=js.Object.fromEntries)
    from pylib.blobs import service

    if service.configured() is not None:
        await service.configured().settle()  # downloads still being kept in the device cache
    return server.platform.to_js(await server.close())


# The page talks to this worker only through `sync`; plain messages (the compiled runtime the
# page hands over in web/engine/runtime.mjs) are not for Python.
xworker.onmessage = lambda _event: None
sync.boot = boot
sync.call = call
sync.close = close
