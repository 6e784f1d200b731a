"""Results that are already JSON text, built by SQLite rather than as Python objects.

A large listing is cheaper to build in SQLite (``json_group_array(json_object(...))``) than
as thousands of Python dicts, and cheaper still to hand to the page as one string that it
parses with ``JSON.parse`` than to convert object by object. A handler returns
:class:`JSONText` as its whole result; :func:`pylib.api.dispatch` parses it for Python
callers, or passes it through untouched when asked (the browser worker does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class JSONText:
    """One API result encoded as JSON text (UTF-8 safe, no NaN or binary values)."""

    text: str

    def parse(self) -> Any:
        """The result as plain Python data (dicts, lists, str, int, float, bool, None)."""
        return json.loads(self.text)
