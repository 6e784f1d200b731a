"""Domain errors of the engine.

Every error carries a stable ``code`` (a short snake_case string the UI and tests may rely
on) and a human message. They become one JSON error shape only at the edges
(:func:`pylib.api.dispatch`, the CLI).
"""

from __future__ import annotations

from typing import Any


class QuireError(Exception):
    """Base class of every error the engine raises on purpose."""

    code = "error"
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The error as the JSON-compatible shape the edges send: ``{code, message}``."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            out["details"] = self.details
        return out


class NotFound(QuireError):
    code = "not_found"
    default_message = "Not found."


class Conflict(QuireError):
    """The request clashes with the current state (name taken, stale base hash, ...)."""

    code = "conflict"
    default_message = "That conflicts with the current state of the workspace."


class InvalidPath(QuireError):
    code = "invalid_path"
    default_message = "That is not a valid path."


class InvalidParams(QuireError):
    code = "invalid_params"
    default_message = "The request parameters are not valid."


class InvalidState(QuireError):
    """A state transition that is not allowed (e.g. completing a task that is not running)."""

    code = "invalid_state"
    default_message = "That is not allowed in the current state."


class TooLarge(QuireError):
    code = "too_large"
    default_message = "That is too large."


class QuotaExceeded(QuireError):
    code = "quota_exceeded"
    default_message = "The browser's storage quota is exhausted; nothing already saved was lost."


class UnknownMethod(QuireError):
    code = "unknown_method"
    default_message = "Unknown method."


class NoWorkspace(QuireError):
    code = "no_workspace"
    default_message = "No workspace is open."


class NotAWorkspace(QuireError):
    """The file is not SQLite, or is SQLite but not a Quire workspace."""

    code = "not_a_workspace"
    default_message = "That file is not a Quire workspace."


class SchemaTooNew(QuireError):
    code = "schema_too_new"
    default_message = "This workspace was written by a newer version of Quire."


class MigrationFailed(QuireError):
    code = "migration_failed"
    default_message = "Upgrading the workspace failed; it was restored as it was."


class InvalidImport(QuireError):
    code = "invalid_import"
    default_message = "That file cannot be imported."


class VersionUnavailable(QuireError):
    """A version's content is not kept in history, or a large file's bytes cannot be had now
    (``details["reason"]``: gone, offline, locked, unrecorded; :mod:`pylib.blobs.old_versions`)."""

    code = "version_unavailable"
    default_message = "That version's content is not stored locally."


class VersionCorrupt(QuireError):
    code = "version_corrupt"
    default_message = "That version's stored content is damaged and cannot be rebuilt."


class TextDamaged(QuireError):
    """The stored (compressed) text of one document cannot be unpacked."""

    code = "text_damaged"
    default_message = "This document's stored text is damaged and cannot be read."


class InternalError(QuireError):
    """Wraps an unexpected exception so that nothing but a QuireError leaves the API."""

    code = "internal"
    default_message = "An internal error occurred."


class SaveFailed(QuireError):
    """The change is in the open workspace but could not be made durable (yet).

    ``code`` is the store's own when it gives one (``quota_exceeded``, ``closed``).
    """

    code = "save_failed"
    default_message = "The change could not be saved; it is kept and saving is retried."

    def __init__(self, message: str | None = None, code: str | None = None, **details: Any):
        super().__init__(message, **details)
        if code:
            self.code = code


class NetworkError(QuireError):
    """No HTTP response came back (offline, refused, aborted)."""

    code = "network_error"
    default_message = "The server could not be reached."


class DecryptFailed(QuireError):
    """AES-GCM authentication failed: the wrong key, or the data was altered."""

    code = "decrypt_failed"
    default_message = "The data could not be decrypted: wrong key, or it was altered."


class NotReady(QuireError):
    code = "not_ready"
    default_message = "The workspace is still opening."


class BlobCorrupt(QuireError):
    """A stored file's encrypted copy failed a check (tag, length, hash): never shown as garbage.

    ``details["reason"]`` says which (:mod:`pylib.blobs.refusal`): ``truncated``, ``altered``,
    ``foreign``, ``wrong_key``, ``hash_mismatch`` or ``check_failed``."""

    code = "blob_corrupt"
    default_message = "The file's stored copy is damaged or was altered; it was not opened."


class StorageError(QuireError):
    """Cloud storage refused or failed a request. ``code`` says why (``quota_exceeded``,
    ``forbidden``, ``conflict``, ``unavailable``, ``not_signed_in``, ``not_found``)."""

    code = "storage_error"
    default_message = "Cloud storage could not complete the request."

    def __init__(self, message: str | None = None, code: str | None = None, **details: Any):
        super().__init__(message, **details)
        if code:
            self.code = code


class KeyUnavailable(QuireError):
    """The workspace key is not unlocked on this device (or the passphrase was wrong)."""

    code = "key_unavailable"
    default_message = "The workspace key is locked on this device."


class WrongSecret(QuireError):
    """A passphrase or recovery words that do not unwrap the workspace key."""

    code = "wrong_secret"
    default_message = "That passphrase does not unlock this workspace's files. Nothing was changed."


class FileMissing(QuireError):
    """A file's bytes are nowhere this workspace knows of: no content, nothing waiting to
    upload, no copy on the device and no object (a workspace file copied without them)."""

    code = "file_missing"
    default_message = "This file's content is missing from the workspace: it was copied without it."


class FileElsewhere(QuireError):
    """A large file's bytes are not inside the workspace file (device store or S3)."""

    code = "file_elsewhere"
    default_message = "This file is kept outside the workspace file; open it from the device or the cloud."
