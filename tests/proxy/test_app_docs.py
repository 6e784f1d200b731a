"""docs/team.md documents every setting and every `quire` command (a missing one fails here)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pydantic import SecretStr

from proxy.cli import build_parser
from proxy.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "team.md"


def table_rows() -> dict[str, str]:
    rows = {}
    for line in DOC.read_text().splitlines():
        match = re.match(r"\| `(QUIRE_[A-Z0-9_]+)`", line)
        if match:
            rows[match.group(1)] = line
    return rows


def test_every_setting_is_in_the_table_with_its_secrecy():
    rows = table_rows()
    for name, field in Settings.model_fields.items():
        variable = f"QUIRE_{name.upper()}"
        assert variable in rows, f"{variable} is not documented in docs/team.md"
        secret = field.annotation is not None and "SecretStr" in str(field.annotation)
        cells = [cell.strip() for cell in rows[variable].split("|")]
        assert (cells[3] == "**yes**") == secret, variable
    documented = set(rows)
    known = {f"QUIRE_{name.upper()}" for name in Settings.model_fields}
    assert documented <= known, f"documented but not a setting: {documented - known}"


def test_every_command_is_documented():
    text = DOC.read_text()
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested[0].choices:
                assert f"`quire {name} {action}" in text, f"quire {name} {action}"
        else:
            assert f"`quire {name}" in text, f"quire {name}"


def test_secret_fields_have_no_default():
    for name, field in Settings.model_fields.items():
        if "SecretStr" in str(field.annotation):
            assert field.default is None and not isinstance(field.default, SecretStr), name
