"""The action log for people: one sentence per action ("Renamed Plan.md to Roadmap.md",
"Emptied trash: 4 items"), the document it is about, and which entries changed nothing.

:func:`describe` turns a logged ``(action_type, payload)`` into ``{sentence, artifact_id,
path}``; :func:`is_noop` says whether an entry changed nothing a person would see (a move to
where it already was, a folder that already existed, a link update that rewrote no link), so
the activity panel leaves it out. Unknown types still read as words, never as a code.
"""

from __future__ import annotations

from typing import Any, Callable


def _name(path: Any) -> str:
    text = str(path or "").rstrip("/")
    return text.rsplit("/", 1)[-1] or "/"


def _folder(path: Any) -> str:
    text = str(path or "")
    return text.rsplit("/", 1)[0] or "/"


def _items(n: Any, one: str = "item", many: str = "items") -> str:
    n = int(n) if isinstance(n, (int, float)) else 0
    return f"{n} {one if n == 1 else many}"


def _relocated(verb: str) -> Callable[[dict[str, Any]], str]:
    def sentence(p: dict[str, Any]) -> str:
        old, new = p.get("from"), p.get("to")
        if verb == "Renamed":
            return f"Renamed {_name(old)} to {_name(new)}"
        return f"Moved {_name(old)} from {_folder(old)} to {_folder(new)}"
    return sentence


def _restored(p: dict[str, Any]) -> str:
    old, new = p.get("from"), p.get("to")
    inside = p.get("items", 1)
    extra = f" ({_items(inside)})" if isinstance(inside, int) and inside > 1 else ""
    if old == new or not new:
        return f"Restored {_name(old)} from the trash{extra}"
    return f"Restored {_name(old)} from the trash as {_name(new)}{extra}"


def format_bytes(n: int) -> str:
    """A size as people read it: "2.1 MB", "830 bytes"."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _cleaned(p: dict[str, Any]) -> str:
    parts = [_items(p.get("versions", 0), "old version", "old versions"),
             _items(p.get("trash_items", 0), "trash item", "trash items")]
    if p.get("activity"):
        parts.append(_items(p["activity"], "activity entry", "activity entries"))
    if isinstance(p.get("freed_bytes"), int):
        parts.append(f"{format_bytes(p['freed_bytes'])} freed")
    return "Cleaned up: " + ", ".join(parts)


def _imported(p: dict[str, Any]) -> str:
    if p.get("mode") == "merge":
        merged = p.get("merged") or {}
        added, updated = merged.get("artifacts_added", 0), merged.get("artifacts_updated", 0)
        conflicts = p.get("conflicts", 0)
        text = f"Merged a workspace file: {added} added, {updated} updated"
        return text + (f", {_items(conflicts, 'conflict', 'conflicts')}" if conflicts else "")
    return "Replaced the workspace with an imported file"


_SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    "ARTIFACT_CREATE": lambda p: f"Created {_name(p.get('path'))}",
    "ARTIFACT_UPLOAD": lambda p: f"Uploaded {_name(p.get('path'))}",
    "ARTIFACT_UPDATE": lambda p: f"Edited {_name(p.get('path'))}",
    "VERSION_RESTORE": lambda p: f"Restored an earlier version of {_name(p.get('path'))}",
    "ARTIFACT_RENAME": _relocated("Renamed"),
    "ARTIFACT_MOVE": _relocated("Moved"),
    "ARTIFACT_DELETE": lambda p: f"Moved {_name(p.get('path'))} to the trash",
    "FOLDER_CREATE": lambda p: f"Created folder {_name(p.get('path'))}",
    "FOLDER_RENAME": lambda p: f"Renamed folder {_name(p.get('from'))} to {_name(p.get('to'))}",
    "FOLDER_MOVE": lambda p: (f"Moved folder {_name(p.get('from'))} from {_folder(p.get('from'))}"
                              f" to {_folder(p.get('to'))}"),
    "FOLDER_DELETE": lambda p: (f"Moved folder {_name(p.get('path'))} to the trash"
                                f" ({_items(p.get('items'))})"),
    "TRASH_RESTORE": _restored,
    "TRASH_EMPTY": lambda p: f"Emptied trash: {_items(p.get('deleted'))}",
    "LINKS_UPDATE": lambda p: (f"Updated {_items(p.get('links'), 'link', 'links')} in"
                               f" {_items(p.get('notes'), 'note', 'notes')}"),
    "IMPORT_CONFLICT": lambda p: (f"Both sides changed {_name(p.get('path'))}: kept both"
                                  " versions"),
    "WORKSPACE_IMPORT": _imported,
    "RETENTION_CLEANUP": _cleaned,
    "CITATION_RECORD": lambda p: "Recorded a citation",
    "TASK_ENQUEUE": lambda p: f"Queued a task ({p.get('task_type', 'task')})",
    "TASK_CLAIM": lambda p: "Started a task",
    "TASK_COMPLETED": lambda p: "Finished a task",
    "TASK_FAILED": lambda p: "A task failed",
}


def _words(action_type: str) -> str:
    text = action_type.replace("_", " ").replace(".", " ").strip().lower()
    return text[:1].upper() + text[1:] if text else "Something happened"


def describe(action_type: str, payload: Any) -> dict[str, Any]:
    """``{sentence, artifact_id, path}`` of one logged action (``artifact_id`` and ``path``
    when it is about one document or folder)."""
    p = payload if isinstance(payload, dict) else {}
    make = _SENTENCES.get(action_type)
    try:
        sentence = make(p) if make else _words(action_type)
    except (TypeError, ValueError, AttributeError):
        sentence = _words(action_type)
    artifact_id = p.get("artifact_id") if isinstance(p.get("artifact_id"), str) else None
    path = p.get("to") or p.get("path")
    return {"sentence": sentence, "artifact_id": artifact_id,
            "path": path if isinstance(path, str) else None}


def is_noop(action_type: str, payload: Any) -> bool:
    """Whether the entry changed nothing a person would see."""
    p = payload if isinstance(payload, dict) else {}
    if action_type in ("ARTIFACT_RENAME", "ARTIFACT_MOVE", "FOLDER_RENAME", "FOLDER_MOVE"):
        return p.get("from") == p.get("to")
    if action_type == "FOLDER_CREATE":
        return "created" in p and not p.get("created")
    if action_type == "LINKS_UPDATE":
        return not p.get("links")
    if action_type == "TRASH_EMPTY":
        return not p.get("deleted") and not p.get("units")
    return False
