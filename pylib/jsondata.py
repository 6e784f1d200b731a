"""JSON kept in the workspace (metadata, action payloads, task input and output).

Stored JSON is strict (no NaN or Infinity, no number too large for a double), at most
:data:`MAX_DEPTH` levels deep and at most a given size. The depth is measured on the text
before parsing, so no stored value — however it got into a file — can make a read fail with
``RecursionError``: Python's parser recurses once per level, and the page's ``JSON.parse``
and pydantic's validators would have to cope with the same value next.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# pydantic-core stops validating at 50 levels inside Pyodide (255 in CPython), and the
# engine's read models wrap stored JSON in a few levels of their own (a page of actions, an
# action, its payload): 32 leaves room on every runtime.
MAX_DEPTH = 32
MAX_BYTES = 1024 * 1024

# A JSON string literal (the "unrolled loop" form: linear, no backtracking).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


class JSONProblem(ValueError):
    """Why a text is not storable JSON (the message is meant for people)."""


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True if the brackets in ``text`` (outside string literals) nest deeper than ``limit``.

    Stops at the first bracket past the limit, so a hostile text of 200,000 brackets costs no
    more than its first few; iterative, never recurses. Most texts have fewer brackets than
    the limit in all and are answered by counting alone.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _BRACKETS.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _too_large(text: str, max_bytes: int) -> bool:
    # A character is at most 4 bytes of UTF-8: most texts need no encoding to be measured.
    if len(text) * 4 <= max_bytes:
        return False
    return len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes


def _no_constant(name: str) -> Any:
    raise JSONProblem(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONProblem(f"the number {text[:40]} is too large")
    return value


# One decoder for all texts: json.loads builds a new one per call when given hooks.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def _check_strings(value: Any) -> None:
    """Refuse lone surrogates (``"\\ud800"``): they cannot be encoded as UTF-8 later."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse(text: Any, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse stored JSON text strictly; raise :class:`JSONProblem` naming what is wrong."""
    if not isinstance(text, str):
        raise JSONProblem("JSON must be stored as text")
    if _too_large(text, max_bytes):
        raise JSONProblem(f"JSON text larger than {max_bytes:,} bytes")
    if too_deep(text, max_depth):
        raise JSONProblem(f"JSON nested deeper than {max_depth} levels")
    try:
        value = _DECODER.decode(text)
        if "\\u" in text:
            _check_strings(value)
    except JSONProblem:
        raise
    except (ValueError, RecursionError, UnicodeError) as exc:
        raise JSONProblem(f"not valid JSON ({str(exc)[:80]})") from exc
    return value


def load(text: Any, default: Any = None) -> Any:
    """Stored JSON as Python data, or ``default`` when it is not storable JSON (for reads:
    a value that should never have been stored is shown as missing, not as a crash)."""
    try:
        return parse(text)
    except JSONProblem:
        return default


def dump(value: Any, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> str:
    """``value`` as compact strict JSON text; raise :class:`JSONProblem` if it could not be
    stored (not JSON, NaN, too deep, too large)."""
    try:
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise JSONProblem(f"not JSON ({str(exc)[:80]})") from exc
    if _too_large(text, max_bytes):
        raise JSONProblem(f"JSON text larger than {max_bytes:,} bytes")
    if too_deep(text, max_depth):
        raise JSONProblem(f"JSON nested deeper than {max_depth} levels")
    return text
