"""Three-way merge of document text (``merge3``, a pure-Python wheel, line based).

Where the two sides changed different lines the result holds both; where they changed the
same or adjacent lines the merge reports a conflict and the caller keeps both texts (one
current, one as a version marked "conflict") — a merge never picks characters by itself.
"""

from __future__ import annotations

from merge3 import Merge3


def merge(base: str, ours: str, theirs: str) -> str | None:
    """The merged text, or ``None`` when the two sides conflict."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    merged: list[str] = []
    groups = Merge3(base.splitlines(True), ours.splitlines(True), theirs.splitlines(True))
    for group in groups.merge_groups():
        kind = group[0]
        if kind == "conflict":
            return None
        merged.extend(group[1])
    return "".join(merged)
