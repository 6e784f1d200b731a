"""Key validation: only plain relative keys reach `users/{uid}/`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.http.errors import ApiError
from proxy.storage.keys import MAX_KEY_BYTES, object_key, user_prefix, validate_key, validate_prefix

GOOD = [
    "workspace.sqlite",
    "files/report 2024.pdf",
    "a/b/c/d.txt",
    "ünïcödé/naïve.md",
    "日本語/ファイル.txt",
    "x" * MAX_KEY_BYTES,
    "dots.in.name/..hidden../...",
]

BAD = [
    "", "/abs", "//double", "a//b", "a/", "./a", "a/./b", "../a", "a/../b", "a/..", "..",
    "a\\b", "..\\a", "a\x00b", "a\nb", "a\rb", "a\tb", "a\x7fb", "a\x85b",
    "a\u202eb",  # right-to-left override
    "a\u2066b",  # left-to-right isolate
    "a\u200bb",  # zero-width space
    "a\u200db",  # zero-width joiner
    "a\ufeffb",  # byte order mark
    "a\u2028b",  # line separator
    "a\u00a0b",  # no-break space
    "cafe\u0301",  # decomposed é: not NFC
    "a\ud800b",  # lone surrogate
    "a\ue000b",  # private use
    "x" * (MAX_KEY_BYTES + 1),
    "é" * (MAX_KEY_BYTES // 2 + 1),  # under 512 characters, over 512 bytes
]


@pytest.mark.parametrize("key", GOOD)
def test_plain_keys_are_accepted_unchanged(key: str):
    assert validate_key(key) == key


@pytest.mark.parametrize("key", BAD, ids=[repr(k)[:30] for k in BAD])
def test_tricky_keys_are_refused(key: str):
    with pytest.raises(ApiError) as info:
        validate_key(key)
    assert (info.value.status, info.value.code) == (400, "invalid_key")


def test_object_key_is_always_under_the_user_folder():
    assert object_key("alice", "a/b.txt") == "users/alice/a/b.txt"
    assert user_prefix("alice") == "users/alice/"


@pytest.mark.parametrize("uid", ["", ".", "..", "a/b", "a\\b", "-x/..", "a b", "x" * 200])
def test_malformed_uids_fail_closed(uid: str):
    with pytest.raises(ApiError) as info:
        user_prefix(uid)
    assert info.value.status == 401


@pytest.mark.parametrize("prefix", ["", "docs/", "docs/a", "a/b/"])
def test_prefixes(prefix: str):
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["/", "../", "a//", "a/../"])
def test_bad_prefixes(prefix: str):
    with pytest.raises(ApiError):
        validate_prefix(prefix)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_accepted_keys_never_escape_the_folder(key: str):
    try:
        validate_key(key)
    except ApiError:
        return
    full = object_key("alice", key)
    assert full.startswith("users/alice/")
    segments = full.split("/")
    assert ".." not in segments and "." not in segments and "" not in segments
    assert "\\" not in key and not any(ord(c) < 32 for c in key)
