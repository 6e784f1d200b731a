"""The ``care.*`` methods of :mod:`pylib.api`: ``(params, call, result, note)`` per name
(api.py wraps each in its ``Method``; kept here so api.py stays one table of small edits)."""

from __future__ import annotations

from typing import Any

from pylib import params as p
from pylib.care import compact, dictionary, integrity, repair, service, usage
from pylib.care import models as cm

SPECS: dict[str, tuple[Any, ...]] = {
    "care.status": (p.NoParams, lambda ws, q: service.status(ws), cm.CareStatus,
                    "the policy, the last check, cleanup and compaction, what is `due`"),
    "care.settings": (p.NoParams, lambda ws, q: service.get_settings(ws), cm.RetentionSettings),
    "care.set_retention": (
        cm.RetentionChange, service.set_settings, cm.RetentionSettings,
        "only the fields given change; out of range → `invalid_params`, nothing stored"),
    "care.preview": (cm.RetentionChange, service.preview, cm.CleanupPreview,
                     "what a cleanup would free (the stored policy, or it with these changes)"),
    "care.cleanup": (cm.CleanupParams, service.cleanup, cm.CleanupStep,
                     "one atomic step; call again with `cursor` until `done`"),
    "care.check": (p.NoParams, lambda ws, q: integrity.check(ws), cm.CheckResult,
                   "quick_check and the engine's invariants; stored as the last check"),
    "care.repair": (p.NoParams, lambda ws, q: repair.repair(ws), cm.RepairResult,
                    "everything readable into a fresh workspace; `backup`: the damaged file"),
    "care.compact": (cm.CompactParams, lambda ws, q: compact.compact_step(ws, q.pages),
                     cm.CompactStep, "returns free pages; call again until `done`"),
    "care.train_dictionary": (
        p.NoParams, lambda ws, q: dictionary.train(ws, force=True), cm.DictionaryResult,
        "train the short texts' zstd dictionary and repack them with it (when enough exist)"),
    "care.breakdown": (p.NoParams, lambda ws, q: usage.breakdown(ws), cm.StorageBreakdown,
                       "bytes per part and per top-level folder"),
    "care.conflict_seen": (cm.ConflictSeen, lambda ws, q: service.conflict_seen(ws, q.artifact_id),
                           cm.Seen, "the user looked at a merge conflict: its versions may go"),
}
