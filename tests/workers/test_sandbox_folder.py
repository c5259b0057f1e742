"""A local sandbox's folder is read, written and cleaned without ever leaving it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workers.sandboxes import folder as folder_files
from workers.sandboxes.base import FileRefused, SandboxError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "sandbox"
    root.mkdir()
    return root


def test_a_write_creates_the_folders_of_each_file(root: Path) -> None:
    folder_files.write_files(root, {"src/app/page.js": b"1", "index.html": b"2"})

    assert (root / "src/app/page.js").read_bytes() == b"1"
    assert folder_files.read_file(root, "index.html") == b"2"


def test_a_write_never_writes_into_a_hard_linked_file(root: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.txt"
    theirs.write_text("theirs")
    os.link(theirs, root / "a.txt")

    folder_files.write_files(root, {"a.txt": b"mine"})

    assert (theirs.read_text(), (root / "a.txt").read_text()) == ("theirs", "mine")


def test_a_folder_where_a_file_should_be_refuses_that_file(root: Path) -> None:
    (root / "src").mkdir()

    with pytest.raises(FileRefused, match="src is a folder"):
        folder_files.write_files(root, {"src": b"1"})


def test_a_write_into_a_removed_sandbox_does_not_bring_it_back(root: Path) -> None:
    root.rmdir()

    with pytest.raises(SandboxError, match="gone"):
        folder_files.write_files(root, {"index.html": b"1"})
    assert not root.exists()


def test_removing_files_removes_the_folders_they_leave_empty(root: Path) -> None:
    folder_files.write_files(root, {"a/b/c.js": b"1", "a/d.js": b"2", "keep/e.js": b"3"})

    folder_files.remove_files(root, ["a/b/c.js", "a/d.js", "missing.js"])

    assert sorted(p.name for p in root.iterdir()) == ["keep"]


def test_removing_never_goes_through_a_link(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.js").write_text("theirs")
    (root / "out").symlink_to(outside, target_is_directory=True)

    folder_files.remove_files(root, ["out/x.js"])

    assert (outside / "x.js").read_text() == "theirs"


def test_a_link_loop_reads_as_nothing(root: Path) -> None:
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")

    assert folder_files.read_file(root, "a") is None
