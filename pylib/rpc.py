"""The page ⇄ worker contract: one envelope, save-before-reply, every failure a coded error.

The data worker (web/engine/engine.py) is glue around one :class:`Server`:

- request ``{id, method, params}`` (a JS object; converted by the platform layer);
- reply ``{id, ok: true, result}`` or ``{id, ok: true, result_json}`` (a listing SQLite built as
  JSON text, for the page to ``JSON.parse``), or ``{id, ok: false, error: {code, message,
  details}}``; plus ``saved: {generation, ms, ...}`` once the call's changes are durable, or
  ``save_error: {code, message, details}`` if they are committed but could not be saved yet.

The reply is sent only after the store's flush: the page may say "Saved" when it has one.
Every exception becomes a coded error: a :class:`~pylib.errors.QuireError` keeps its code and
details, anything else is ``internal`` with the exception's type in ``details``.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Callable

from pydantic import ValidationError

from pylib import api, params as p
from pylib import platform as host
from pylib.errors import InternalError, InvalidParams, NotReady, QuireError
from pylib.jsontext import JSONText

Progress = Callable[[str, float, str], None]

# Calls after which the schema version may have changed (the store records it with each flush).
_SCHEMA_CHANGERS = ("transfer.import", "workspace.")


def _json_safe(value: Any) -> Any:
    """Details as JSON-compatible data: anything else becomes its ``repr``."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        if isinstance(value, dict):
            return {str(k): _json_safe(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [_json_safe(v) for v in value]
        return repr(value)[:200]


def error_body(exc: BaseException) -> dict[str, Any]:
    """``{code, message, details}`` for any exception (a non-QuireError is ``internal``)."""
    if not isinstance(exc, QuireError):
        exc = InternalError(f"An internal error occurred ({type(exc).__name__}: {exc}).",
                            type=type(exc).__name__)
    return {"code": exc.code, "message": exc.message, "details": _json_safe(exc.details)}


def failure(msg_id: Any, exc: BaseException) -> dict[str, Any]:
    """The reply for a failed request."""
    return {"id": msg_id, "ok": False, "error": error_body(exc)}


def _reply(msg_id: Any, result: Any) -> dict[str, Any]:
    if isinstance(result, JSONText):
        # One string for the page to JSON.parse: no Python or JS object per row here.
        return {"id": msg_id, "ok": True, "result_json": result.text}
    return {"id": msg_id, "ok": True, "result": result}


def _start(message: Any) -> tuple[Any, Any, dict[str, Any] | None]:
    """Validate and dispatch: ``(id, result, None)`` or ``(id, None, failure)``."""
    msg_id = message.get("id") if isinstance(message, dict) else None
    try:
        request = p.Request.model_validate(message)
    except ValidationError:
        return msg_id, None, failure(
            msg_id, InvalidParams("A request needs a method and an object of params."))
    try:
        return request.id, api.dispatch(request.method, request.params, json_text=True), None
    except Exception as exc:  # dispatch raises QuireErrors; error_body maps anything else
        return request.id, None, failure(request.id, exc)


def answer(message: Any) -> dict[str, Any]:
    """Serve one request on the open workspace, without saving: the reply's first part.

    Never raises. ``result_json`` carries a :class:`~pylib.jsontext.JSONText` result as text.
    Methods that reach the network (sync, keys) need :func:`answer_async`.
    """
    msg_id, result, failed = _start(message)
    if failed is not None:
        return failed
    if inspect.isawaitable(result):
        result.close()
        return failure(msg_id, InvalidParams("This method is asynchronous."))
    return _reply(msg_id, result)


async def answer_async(message: Any) -> dict[str, Any]:
    """:func:`answer`, awaiting the methods that reach the network (others answer at once).

    While one awaits, the worker serves other calls: such a method holds no transaction
    across an ``await``.
    """
    msg_id, result, failed = _start(message)
    if failed is not None:
        return failed
    if inspect.isawaitable(result):
        try:
            result = api.plain(await result)
        except Exception as exc:
            return failure(msg_id, exc)
    return _reply(msg_id, result)


class Server:
    """One workspace served to the page: open, answer calls (saving first), close."""

    def __init__(self, platform: host.Platform | None = None) -> None:
        self.platform = platform or host.current
        self.store: host.Store | None = None
        self.schema_version = 0

    async def open(
        self, workspace: str = "default", *, progress: Progress | None = None,
        **store_options: Any,
    ) -> dict[str, Any]:
        """Restore the workspace file, open (migrate) it and make the result durable.

        ``progress(phase, fraction, message)`` hears of each step (the page shows them). A
        refused first save (a full disk) does not keep the workspace closed: the stored image
        is still the last committed one, the answer carries ``save_error`` and every later call
        saves again, as after any refused save.
        """
        report = progress or (lambda phase, fraction, message: None)
        path = self.platform.workspace_path(workspace)
        report("restore", 0.6, "Opening your workspace…")
        store = await self.platform.open_store(workspace, path, **store_options)
        restored = await store.restore()
        report("migrate", 0.8, "Checking the workspace…")
        api.open_workspace(path, journal_mode=self.platform.journal_mode)
        self.store = store
        self.schema_version = api.current().schema_version()
        saved, save_error = await self.persist()
        return {"schema_version": self.schema_version, "restored_bytes": restored,
                "generation": store.generation, "saved": saved, "save_error": save_error}

    async def persist(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Flush the store: ``(saved, None)`` or ``(None, save_error)``; never raises."""
        if self.store is None:
            return None, None
        try:
            return await self.store.flush(self.schema_version), None
        except Exception as exc:
            return None, error_body(exc)

    async def call(self, message: Any) -> dict[str, Any]:
        """One request in, one reply out, after the call's changes reached the store."""
        if self.store is None:
            msg_id = message.get("id") if isinstance(message, dict) else None
            return failure(msg_id, NotReady())
        reply = await answer_async(message)
        method = message.get("method") if isinstance(message, dict) else None
        if isinstance(method, str) and method.startswith(_SCHEMA_CHANGERS):
            try:
                self.schema_version = api.current().schema_version()
            except Exception as exc:  # the workspace could not be reopened after an import
                reply = failure(reply.get("id"), exc)
        saved, save_error = await self.persist()
        if saved:
            reply["saved"] = saved
        if save_error:
            reply["save_error"] = save_error
        return reply

    async def call_js(self, request: Any) -> Any:
        """:meth:`call` on a host value, answered as a host value (what the worker exposes)."""
        try:
            message = self.platform.to_py(request)
        except Exception as exc:
            return self.platform.to_js(failure(None, exc))
        return self.platform.to_js(await self.call(message))

    async def close(self) -> dict[str, Any]:
        """Hand the workspace over: flush once more, close it, stop the store writing."""
        if self.store is None:
            return {"closed": True, "save_error": None}
        _, save_error = await self.persist()
        api.close_workspace()
        store, self.store = self.store, None
        # No background write may land after this: the next owner's saves would be overwritten.
        await store.close()
        return {"closed": True, "save_error": save_error}
