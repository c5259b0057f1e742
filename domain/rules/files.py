"""What a tree of files may hold: paths every file system we write to can take, and sizes a browser
and a zip can carry.

`path_error` is the one check of a file's path, used wherever a path comes in: drafts, fragments,
restores, a browser run's result, the agent's tools, GitHub imports, the preview and the sandboxes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from domain.entities import Files
from domain.errors import FieldError, InvalidInput

MAX_FILES = 2000
MAX_PATH_LENGTH = 512
MAX_NAME_BYTES = 255
"""Bytes of UTF-8 one name between slashes may take: Linux file systems refuse longer names
(NAME_MAX) with "File name too long", which would fail every later run of the project."""
MAX_TOTAL_BYTES = 4 * 1024 * 1024

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""NUL and the other control characters (C0, DEL, C1), and lone surrogates, which no UTF-8 file
name can hold."""


def path_error(path: str) -> str | None:
    """Why `path` cannot name a file of an app, or None when it can."""
    if not path or len(path) > MAX_PATH_LENGTH:
        return f"must be 1 to {MAX_PATH_LENGTH} characters"
    if path.startswith("/") or "\\" in path:
        return "must be a relative path with forward slashes"
    if _CONTROL.search(path):
        return "must not contain NUL or other control characters"
    names = path.split("/")
    if any(name in ("", ".", "..") for name in names):
        return "must not contain empty, '.' or '..' segments"
    if any(len(name.encode()) > MAX_NAME_BYTES for name in names):
        return f"must not have a segment longer than {MAX_NAME_BYTES} bytes (UTF-8)"
    return None


def check_files(files: Files, field: str = "files") -> None:
    """Refuses paths that could escape a folder (zip slip) or that no folder can hold, and trees too
    big to handle."""
    if len(files) > MAX_FILES:
        raise InvalidInput([FieldError(field, f"must hold at most {MAX_FILES} files")])
    errors = [FieldError(f"{field}.{path}", reason) for path in files if (reason := path_error(path))]
    errors += [
        FieldError(f"{field}.{path}", "is both a file and the folder of other files")
        for path in _files_that_are_folders(files)
    ]
    if errors:
        raise InvalidInput(errors)
    total = sum(len(content.encode()) for content in files.values())
    if total > MAX_TOTAL_BYTES:
        raise InvalidInput([FieldError(field, f"must hold at most {MAX_TOTAL_BYTES} bytes in all")])


def writable_files(files: Files) -> Files:
    """The files a folder can hold. Trees stored before every path was checked may hold others;
    writing them would fail the whole run, so a run starts from the rest."""
    valid = {path: content for path, content in files.items() if path_error(path) is None}
    folders = set(_files_that_are_folders(valid))
    return {path: content for path, content in valid.items() if path not in folders}


def _files_that_are_folders(paths: Iterable[str]) -> list[str]:
    """`a` beside `a/b`: no folder can hold both, so writing the tree would fail half-way."""
    listed = list(paths)
    folders = {path[:i] for path in listed for i, char in enumerate(path) if char == "/"}
    return [path for path in listed if path in folders]
