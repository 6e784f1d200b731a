"""The one policy for rendered Markdown: which tags, attributes, classes and URL schemes.

It lives in ``policy.json`` beside this module. The renderer emits nothing outside it, and the
page's sanitiser (``web/ui/sanitize.mjs``, DOMPurify) is configured from the same file, which
``scripts/vendor.py`` copies into ``web/vendor/markdown/policy.json``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

POLICY_PATH = Path(__file__).with_name("policy.json")


@cache
def policy() -> dict[str, Any]:
    """The policy as a dict: ``schemes``, ``global_attributes``, ``tags``, ``classes``, ``input_types``."""
    return json.loads(POLICY_PATH.read_text(encoding="utf-8"))


@cache
def _class_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in policy()["classes"])


def class_allowed(name: str) -> bool:
    """True when one class name is allowed by the policy."""
    return any(p.match(name) for p in _class_patterns())


def attribute_allowed(tag: str, name: str) -> bool:
    """True when attribute ``name`` may appear on ``tag``."""
    tags = policy()["tags"]
    return tag in tags and (name in tags[tag] or name in policy()["global_attributes"])
