"""Sync: the same workspace on every device, end-to-end encrypted and incremental.

Change capture (migration 0018, :mod:`.outbox`), sealed segments and a conditional manifest
in an object store (:mod:`.codec`, :mod:`.manifest`, :mod:`.store`, :mod:`.proxystore`),
push and pull (:mod:`.engine`), merging (:mod:`.apply`, :mod:`.resolve`, :mod:`.textmerge`),
snapshots and compaction (:mod:`.snapshot`, :mod:`.compaction`; a new device takes a
snapshot in whole, :mod:`.adopt`) and when to run
(:mod:`.scheduler`). The design: docs/sync.md.
"""
