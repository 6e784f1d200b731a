"""Reply shapes of the ``keys.*`` and ``files.*`` methods (:mod:`pylib.blobs.api_methods`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from pylib.models import _Reply
from pylib.params import Bytes, Id, Params


class Passphrase(Params):
    passphrase: str = Field(min_length=1, max_length=1024)


class NewPassphrase(Params):
    passphrase: str = Field(min_length=1, max_length=1024)
    new_passphrase: str = Field(min_length=1, max_length=1024)


class RecoveryWords(Params):
    words: str = Field(min_length=1, max_length=1024)


class FilesSync(Params):
    retry_now: bool = False


class BundleImport(Params):
    data: Bytes
    mode: Literal["replace", "merge"]


class KeyStatus(_Reply):
    """``signed_in``/``has_key`` are None when the server cannot be reached (offline)."""

    signed_in: bool | None
    has_key: bool | None
    unlocked: bool


class ShownWords(_Reply):
    """The recovery words, shown once right after set-up."""

    words: list[str]
    signed_in: bool
    has_key: bool
    unlocked: bool


class Count(BaseModel):
    count: int
    bytes: int


class Transfer(BaseModel):
    """A download under way: plaintext bytes done of the file's ``total``."""

    done: int
    total: int


class FilesStatus(_Reply):
    unlocked: bool
    running: bool
    name: str | None
    done: int
    total: int
    overall_done: int
    overall_total: int
    stopped: str | None
    failed: dict[str, str]
    downloads: dict[str, Transfer]
    cache_limit_bytes: int  # the device cache's limit (files.set_cache_limit)
    on_device: Count
    cloud_only: Count
    waiting: Count


class FileRow(BaseModel):
    """One large file: where its bytes are (``state``) and its size."""

    id: Id
    path: str
    size_bytes: int
    state: Literal["on_device", "cloud_only", "uploading", "waiting"]
    last_error: str | None
    done: int | None = None  # bytes sent so far while ``state`` is uploading


class Freed(_Reply):
    dropped: int
    freed_bytes: int


class BundleExport(_Reply):
    name: str
    data: bytes
