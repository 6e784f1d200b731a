"""Workspace care: retention and cleanup, integrity checks and repair, compaction.

``settings`` (the policy, stored in the workspace), ``keep`` (what is never removed),
``retention`` (preview and cleanup steps), ``integrity`` (checks), ``repair`` (a fresh copy of
everything readable), ``compact`` (returning free pages).
"""
