"""Virtual path validation and naming helpers."""

import pytest

from pylib import paths
from pylib.errors import InvalidPath


@pytest.mark.parametrize("good,expected", [
    ("/notes/ideas.md", "/notes/ideas.md"),
    ("/a", "/a"),
    ("/Café/x.txt", "/Café/x.txt"),
    ("/e\u0301.md", "/\u00e9.md"),  # NFC-normalised
    ("/.hidden", "/.hidden"),
    ("/a b/c (1).md", "/a b/c (1).md"),
])
def test_valid_paths(good, expected):
    assert paths.normalize_path(good) == expected


@pytest.mark.parametrize("bad", [
    "", "/", "notes/ideas.md", "/notes//ideas.md", "/notes/", "/../etc/passwd", "/a/./b",
    "/a/../b", "/a\x00b", "/a\nb", "/a\x7fb", "/a\\b", "/evil\u202egnp.md", "/ lead",
    "/trail ", "/" + "x" * 256, "/" + "/".join(["d"] * 40), "/" + "a/" * 600 + "b", None, 5,
])
def test_invalid_paths(bad):
    with pytest.raises(InvalidPath) as info:
        paths.normalize_path(bad)
    assert info.value.code == "invalid_path"


def test_folder_paths_allow_root_and_one_trailing_slash():
    assert paths.normalize_folder("/") == "/"
    assert paths.normalize_folder("/notes/") == "/notes"
    with pytest.raises(InvalidPath):
        paths.normalize_folder("/notes//")


def test_path_helpers():
    assert paths.parent_of("/a/b/c.md") == "/a/b"
    assert paths.parent_of("/c.md") == "/"
    assert paths.name_of("/a/b/c.md") == "c.md"
    assert paths.join("/", "x") == "/x" and paths.join("/a", "x") == "/a/x"
    assert paths.ancestors("/a/b/c.md") == ["/a", "/a/b"]
    assert paths.is_within("/a/b", "/a") and not paths.is_within("/ab", "/a")
    assert paths.split_ext(".bashrc") == (".bashrc", "")


def test_free_name_adds_restored_suffix_before_extension():
    taken = {"ideas.md", "ideas (restored).md"}
    assert paths.free_name("new.md", taken.__contains__) == "new.md"
    assert paths.free_name("ideas.md", {"ideas.md"}.__contains__) == "ideas (restored).md"
    assert paths.free_name("ideas.md", taken.__contains__) == "ideas (restored 2).md"
    assert paths.free_name("folder", {"folder"}.__contains__) == "folder (restored)"
