"""A snapshot part's records made ready for a whole take (:mod:`.adopt`) as the part arrives.

A new device's first pull waits on the network for much of its time. What a whole take does
in Python for each record — the row's values in column order, stored as the merge stores
them, its clocks as ``sync_rows`` keeps them, the stamp it is applied in order of — is done
for each part as it is opened, while the next parts download, so the take itself is mostly
the inserts. Nothing here reads or writes the workspace.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pylib import textstore
from pylib.content import DOCUMENT_KINDS, to_bytes
from pylib.sync import derived
from pylib.sync.apply import stamp_of
from pylib.sync.clock import Stamp
from pylib.sync.codec import Packed
from pylib.sync.tables import TABLES

# What a take inserts per table, in this order: the id, the synced columns, then how the
# row is stored (a document's text codec; a version's number and storage).
_EXTRA = {"artifacts": ("content_codec",), "artifact_versions": ("seq", "storage")}
COLUMNS = {name: ["id", *t.columns, *_EXTRA.get(name, ())] for name, t in TABLES.items()}
_AT = {name: {c: i for i, c in enumerate(cols)} for name, cols in COLUMNS.items()}


@dataclass
class Ready:
    """One part's records, ready: ``rows`` per table as ``(stamp, values, clocks)``."""

    synced: list[dict[str, Any]]
    shipped: list[dict[str, Any]]  # the derived tables' records (pylib.sync.derived)
    rows: dict[str, list[tuple[Stamp, list[Any], str]]] = field(default_factory=dict)
    removed: list[dict[str, Any]] = field(default_factory=list)
    whole: bool = True  # every row has every group (else the indexes are built here)
    latest: str = ""
    to_pack: bool = False  # a document's text came plain and may pack (pylib.sync.packing)


def clocks_of(table_name: str, record: dict[str, Any]) -> str:
    """A record's clocks as ``sync_rows.clocks`` holds them."""
    clocks = {g: f"{v[0]} {v[1]}" for g, v in record["f"].items()}
    if table_name == "artifacts" and record["f"]["trash"][3] is not None:
        clocks["trash@base"] = record["f"]["trash"][3]
    return json.dumps(clocks, sort_keys=True)


def _values(name: str, record: dict[str, Any]) -> list[Any] | None:
    """The row to insert (a version's number still 0), or ``None`` if a group is short."""
    values: list[Any] = [record["id"]]
    for group, cols in TABLES[name].groups.items():
        found = record["f"][group][2]
        if len(found) != len(cols):
            return None
        values.extend(found)
    at = _AT[name]
    if name == "artifacts":  # stored as it came: packed, or plain and packed after
        text = values[at["content"]]
        if isinstance(text, Packed):
            values[at["content"]] = text.frame
            values.append(textstore.ZSTD)
        else:
            values[at["content"]] = None if text is None else to_bytes(text)
            values.append(None)
    elif name == "artifact_versions":
        text = values[at["content"]]
        if isinstance(text, Packed):
            values[at["content"]] = text.frame
        values += [0, "zstd" if isinstance(text, Packed) else "full"]
    return values


def _may_pack(values: list[Any]) -> bool:
    at = _AT["artifacts"]
    text = values[at["content"]]
    return values[at["content_codec"]] is None and text is not None \
        and len(text) >= textstore.MIN_BYTES and values[at["kind"]] in DOCUMENT_KINDS


def prepare(records: list[dict[str, Any]]) -> Ready:
    """``records`` (one part's, or a whole snapshot's) made ready for :func:`.adopt.adopt`."""
    synced, shipped = derived.split_off(records)
    ready = Ready(synced, shipped)
    rows: dict[str, list[tuple[Stamp, list[Any], str]]] = defaultdict(list)
    for record in synced:
        stamp = stamp_of(record)
        ready.latest = max(ready.latest, stamp[0])
        name = record["t"]
        table = TABLES.get(name)
        if table is None:
            continue
        if "x" in record:
            ready.removed.append(record)
            continue
        values = _values(name, record) if set(record["f"]) == set(table.groups) else None
        if values is None:
            ready.whole = False  # a row not taken: the indexes would not match
            continue
        rows[name].append((stamp, values, clocks_of(name, record)))
        if name == "artifacts" and not ready.to_pack:
            ready.to_pack = _may_pack(values)
    ready.rows = dict(rows)
    return ready


def in_order(ready: list[Ready], name: str) -> list[tuple[Stamp, list[Any], str]]:
    """Every part's rows of table ``name`` in the order they were written (a version is
    numbered per document in that order)."""
    found = sorted((row for part in ready for row in part.rows.get(name, ())),
                   key=lambda row: row[0])
    if name == "artifact_versions":
        at = _AT[name]
        seq: dict[str, int] = defaultdict(int)
        for _, values, _ in found:
            seq[values[at["artifact_id"]]] += 1
            values[at["seq"]] = seq[values[at["artifact_id"]]]
    return found
