"""Errors of sync, each with a stable ``code`` the page's status can name."""

from __future__ import annotations

from pylib.errors import QuireError


class SyncError(QuireError):
    """Base of sync's errors: nothing was applied, the next sync retries."""

    code = "sync_failed"
    default_message = "Sync failed; it will try again."


class StoreUnavailable(SyncError):
    """No answer, a 5xx, or a dropped connection: retry later."""

    code = "sync_offline"
    default_message = "The server cannot be reached; changes wait here."


class PreconditionFailed(SyncError):
    """A conditional write lost a race (412): read again, merge, retry."""

    code = "sync_race"
    default_message = "Another device wrote at the same time."


class QuotaExceeded(SyncError):
    code = "quota_exceeded"
    default_message = "Your storage quota is full; changes wait here."


class SignedOut(SyncError):
    code = "signed_out"
    default_message = "Sign in to sync."


class Refused(SyncError):
    """An object failed its checks (tampered, truncated, of another workspace, replayed,
    missing): nothing from it was applied."""

    code = "sync_refused"
    default_message = "Something on the server failed its integrity checks; nothing was applied."


class UpdateRequired(SyncError):
    """Changes written by a newer version of Quire are held, not applied."""

    code = "update_required"
    default_message = "Another device uses a newer Quire: update Quire to see its changes."
