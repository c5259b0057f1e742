"""The one check of a file's path, and of a tree of files."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.rules.files import check_files, path_error, writable_files

LONGEST_NAME = "a" * 255


@pytest.mark.parametrize(
    "path",
    ["index.html", "src/App.jsx", f"{LONGEST_NAME}/{LONGEST_NAME[:200]}", "é" * 127, "a b/ü-ß.txt"],
)
def test_a_relative_path_of_sane_names_is_accepted(path):
    assert path_error(path) is None


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("a" * 256, "must not have a segment longer than 255 bytes (UTF-8)"),
        ("src/" + "a" * 300 + ".js", "must not have a segment longer than 255 bytes (UTF-8)"),
        ("é" * 128, "must not have a segment longer than 255 bytes (UTF-8)"),
        ("a" * 513, "must be 1 to 512 characters"),
        ("", "must be 1 to 512 characters"),
        ("/etc/passwd", "must be a relative path with forward slashes"),
        ("src\\a.js", "must be a relative path with forward slashes"),
        ("a\x00b", "must not contain NUL or other control characters"),
        ("a\nb", "must not contain NUL or other control characters"),
        ("a\x7fb", "must not contain NUL or other control characters"),
        ("a\x85b", "must not contain NUL or other control characters"),
        ("a\ud800b", "must not contain NUL or other control characters"),
        ("../x", "must not contain empty, '.' or '..' segments"),
        ("a/./b", "must not contain empty, '.' or '..' segments"),
        ("a//b", "must not contain empty, '.' or '..' segments"),
        ("dir/", "must not contain empty, '.' or '..' segments"),
    ],
)
def test_a_path_no_folder_can_hold_says_why(path, reason):
    assert path_error(path) == reason


def test_a_tree_names_each_refused_path():
    with pytest.raises(InvalidInput) as refused:
        check_files({"ok.txt": "", "a" * 256: "", "../x": ""})

    assert [e.field for e in refused.value.errors] == ["files." + "a" * 256, "files.../x"]


def test_a_tree_where_a_file_is_also_a_folder_is_refused():
    with pytest.raises(InvalidInput) as refused:
        check_files({"src": "x", "src/a.js": "y"})

    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("files.src", "is both a file and the folder of other files")
    ]


def test_writable_files_leave_out_what_no_folder_can_hold():
    stored = {"index.html": "1", "a" * 300: "2", "lib": "3", "lib/x.js": "4", "..": "5"}

    assert writable_files(stored) == {"index.html": "1", "lib/x.js": "4"}
