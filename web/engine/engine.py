"""Quire's data worker: the engine (pylib) in Pyodide, off the page's main thread.

Started by web/engine/client.mjs through PyScript's PyWorker. It exposes three calls to the page:
`boot(options)`, `call(request)` and `close()`. Every request carries an id and gets exactly one
answer `{id, ok, result | result_json | error, saved?}`; a result the engine built as JSON text
(a large listing) travels as that text in `result_json`, which client.mjs parses. After each
call that wrote to the database, the changed pages reach IndexedDB (web/engine/pagestore.mjs)
BEFORE the answer is sent, so the page may report an edit as saved only when it is durable.
"""

import time

import js
import pyodide_js
from polyscript import xworker
from pyodide.ffi import JsProxy, to_js

DB_PATH = "/workspace/workspace.sqlite"
PACKAGES = ["pydantic", "quire-pylib"]

sync = xworker.sync
state = {"store": None, "api": None, "schema_version": 0}


def report(phase, fraction, message):
    """Tell the page how booting goes (a synchronous call into the main thread)."""
    sync.progress(to_js({"phase": phase, "fraction": fraction, "message": message},
                        dict_converter=js.Object.fromEntries))


def from_js(value):
    """JS values to Python: objects become dicts, typed arrays and ArrayBuffers bytes."""
    if isinstance(value, JsProxy):
        if getattr(value, "byteLength", None) is not None and not hasattr(value, "length") \
                or str(getattr(value, "BYTES_PER_ELEMENT", "")) == "1":
            return value.to_bytes()
        value = value.to_py()
    if isinstance(value, memoryview):
        return value.tobytes()
    if isinstance(value, dict):
        return {key: from_js(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_js(item) for item in value]
    return value


def to_page(value):
    return to_js(value, dict_converter=js.Object.fromEntries, create_pyproxies=False)


def error_body(code, message):
    return {"code": code, "message": message}


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
    opts = from_js(options)
    started = time.perf_counter()
    report("packages", 0.4, "Loading the engine…")
    api = await load_engine()
    report("restore", 0.6, "Opening your workspace…")
    pagestore = await js.eval(f"import({opts['pagestore_url']!r})")
    store = await pagestore.PageStore.open(
        pyodide_js.FS, to_page({"workspace": opts.get("workspace", "default"), "path": DB_PATH,
                                "chunkSize": opts.get("chunk_size")}))
    restored = await store.restore()
    store.track()
    report("migrate", 0.8, "Checking the workspace…")
    api.open_workspace(DB_PATH, journal_mode="MEMORY")
    info = api.dispatch("workspace.info", {})
    state.update(store=store, api=api, schema_version=info["schema_version"])
    saved = await store.flush(info["schema_version"])
    report("ready", 1.0, "Ready")
    return to_page({
        "schemaVersion": info["schema_version"],
        "restoredBytes": restored,
        "bootMs": (time.perf_counter() - started) * 1000,
        "generation": store.generation,
        # web/engine/runtime.mjs: whether Pyodide started from the WebAssembly the page compiled.
        "runtimeFromPage": bool(getattr(getattr(js, "quireRuntime", None), "compiledByPage", False)),
        "saved": from_js(saved) if saved else None,
    })


async def persist():
    """Write what the last call changed; returns (saved, save_error)."""
    try:
        saved = await state["store"].flush(state["schema_version"])
    except Exception as exc:  # a JS PersistError (quota, storage gone) raised through the FFI
        js_error = getattr(exc, "js_error", None)
        code = getattr(js_error, "code", None) or "save_failed"
        message = getattr(js_error, "message", None) or str(exc)
        return None, error_body(str(code), str(message))
    return (from_js(saved) if saved else None), None


async def call(request):
    """Run one engine API call and make its changes durable before answering."""
    req = from_js(request)
    answer = {"id": req.get("id")}
    api = state["api"]
    if api is None:
        answer.update(ok=False, error=error_body("not_ready", "The workspace is still opening."))
        return to_page(answer)
    from pylib.errors import QuireError
    from pylib.jsontext import JSONText

    try:
        result = api.dispatch(req["method"], req.get("params") or {}, json_text=True)
        if isinstance(result, JSONText):
            # One string for the page to JSON.parse: no Python or JS object per row here.
            answer.update(ok=True, result_json=result.text)
        else:
            answer.update(ok=True, result=result)
    except QuireError as exc:
        answer.update(ok=False, error=error_body(exc.code, str(exc)))
    if req["method"].startswith(("transfer.import", "workspace.")):
        state["schema_version"] = api.dispatch("workspace.info", {})["schema_version"]
    saved, save_error = await persist()
    if saved:
        answer["saved"] = saved
    if save_error:
        answer["save_error"] = save_error
    return to_page(answer)


async def close():
    """Hand the workspace over: everything is already durable; flush once more and close."""
    if state["api"] is None:
        return to_page({"closed": True})
    saved, save_error = await persist()
    state["api"].close_workspace()
    state["api"] = None
    # No background fold may write after this: the next owner's saves would be overwritten.
    await state["store"].close()
    return to_page({"closed": True, "save_error": save_error})


# The page talks to this worker only through `sync`; plain messages (the compiled runtime the
# page hands over in web/engine/runtime.mjs) are not for Python.
xworker.onmessage = lambda _event: None
sync.boot = boot
sync.call = call
sync.close = close
