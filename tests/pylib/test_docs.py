"""docs/engine-api.md documents every API method and every error code."""

import re
from pathlib import Path

from pylib import api, errors

DOC = Path(__file__).resolve().parents[2] / "docs" / "engine-api.md"


def _documented_methods(text):
    table = text.split("\n## Methods", 1)[1].split("\n## ", 1)[0]
    names = set()
    for cell in re.findall(r"^\|\s*`([^`]+)`", table, flags=re.M):
        # A row may document several methods: `tasks.enqueue/claim/complete`.
        head, _, rest = cell.partition(".")
        for tail in rest.split("/"):
            names.add(f"{head}.{tail}")
    return names


def test_every_method_is_documented_and_nothing_extra():
    documented = _documented_methods(DOC.read_text(encoding="utf-8"))
    assert set(api.METHODS) - documented == set(), "undocumented methods"
    assert documented - set(api.METHODS) == set(), "documented methods that do not exist"


def test_every_error_code_is_documented():
    text = DOC.read_text(encoding="utf-8")
    codes = {cls.code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, errors.QuireError)}
    codes.discard("error")
    missing = {c for c in codes if f"`{c}`" not in text}
    assert missing == set()
